// The e2e harness (support/harness.ts) with a real OpenID provider beside the app: the provider has
// to know the app's callback address and the app the provider's issuer, so both are set up here.
import { type AddressInfo, createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';
import { seedDemo } from '../../../server/seed/demo';
import { createTestApp } from '../../support/app';
import { TEST_CLIENT, type TestProvider, startTestProvider } from '../../support/oidc';
import { CHROMIUM, type E2E, artifactsDir } from './harness';

export interface OidcE2E extends E2E {
  provider: TestProvider;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The real app (built client, demo community) with two organisation logins on one in-process provider. */
export async function startOidcE2E(): Promise<OidcE2E> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const provider = await startTestProvider(['zwolle', 'strikt'].map((id) => `${baseUrl}/api/auth/oidc/${id}/callback`), [`${baseUrl}/`]);
  const common = { issuer: provider.issuer, clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, emailVerified: false, scope: 'openid email profile' };
  const t = await createTestApp({
    serveClient: true,
    publicUrl: baseUrl,
    oidcProviders: [
      { id: 'zwolle', label: 'Gemeente Zwolle', allowedDomains: [], ...common },
      { id: 'strikt', label: 'Zorggroep Noord', allowedDomains: ['zorggroep-noord.example'], ...common },
    ],
  });
  await seedDemo(t.db);
  await t.app.listen({ port, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  });
  mkdirSync(artifactsDir, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    t,
    baseUrl,
    browser,
    provider,
    async context(options = {}) {
      const ctx = await browser.newContext({ baseURL: baseUrl, locale: 'nl-NL', timezoneId: options.timezoneId ?? 'Europe/Amsterdam', viewport: options.viewport ?? { width: 1280, height: 900 }, isMobile: options.isMobile });
      ctx.setDefaultTimeout(15_000);
      contexts.push(ctx);
      return ctx;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await t.close();
      await provider.close();
    },
  };
}
