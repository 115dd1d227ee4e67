import { mkdirSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { expect } from 'vitest';
import { seedDemo } from '../../../server/seed/demo';
import { type TestApp, createTestApp } from '../../support/app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const artifactsDir = path.resolve(__dirname, '../../../test-results/screenshots');

export interface E2E {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (its own cookies and storage), like a second person. */
  context(options?: { viewport?: { width: number; height: number }; isMobile?: boolean; timezoneId?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * The real app (built client, fresh database with the demo community) on 127.0.0.1 and a headless
 * Debian Chromium driven by playwright-core.
 */
export async function startE2E(): Promise<E2E> {
  // The app is built for the address the browser uses: its PUBLIC_URL is the origin writes must come from.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // No SMTP_URL on a local address: the development outbox (/_dev/mail) is on, as on a laptop trial.
  const t = await createTestApp({ serveClient: true, publicUrl: baseUrl, devMailPage: true });
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
    },
  };
}

/** A port free on 127.0.0.1 right now (the kernel's choice), so the app can be configured before it listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function login(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/inloggen');
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/inloggen'));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}

/** Zero serious or critical axe-core violations on the current page. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Pastes HTML into the focused editor the way a browser does on Ctrl+V from Word. */
export async function pasteHtml(page: Page, selector: string, html: string, text = ''): Promise<void> {
  await page.locator(selector).click();
  await page.locator(selector).evaluate(
    (el, data) => {
      const dt = new DataTransfer();
      dt.setData('text/html', data.html);
      dt.setData('text/plain', data.text);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { html, text },
  );
}
