// A real OpenID provider in the test process (oidc-provider, over HTTP on 127.0.0.1), with a small
// login form of its own for the interaction, and a driver that walks a login like a browser does:
// Plein's start → the provider's form → back to Plein's callback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import type { browser } from './app';
import { PUBLIC_URL } from './app';

export interface ProviderAccount {
  email: string;
  emailVerified: boolean;
  name: string;
}

export interface TestProvider {
  issuer: string;
  provider: Provider;
  /** Accounts by login name (the subject is "sub-" + the login). */
  accounts: Map<string, ProviderAccount>;
  /** Seconds an authorization code lives (changeable per test). */
  codeTtl: number;
  close(): Promise<void>;
}

export const TEST_CLIENT = { clientId: 'plein-test', clientSecret: 'plein-test-secret-0123456789abcdef' };

const escapeText = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const formPage = (uid: string, error = '') => `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Inloggen bij je organisatie</title></head>
<body><main><h1>Inloggen bij je organisatie</h1>${error ? `<p role="alert">${escapeText(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeText(uid)}"><label for="login">Gebruikersnaam</label><input id="login" name="login" autocomplete="username">
<button type="submit">Inloggen</button></form></main></body></html>`;

/** Starts a provider that knows Plein's test client, redirecting to `redirectUris`. */
export async function startTestProvider(redirectUris: string[], postLogoutRedirectUris: string[] = []): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, ProviderAccount>();
  const state = { codeTtl: 60 };
  const codeTtlSeconds = () => state.codeTtl;
  const configuration: Configuration = {
    clients: [
      {
        client_id: TEST_CLIENT.clientId,
        client_secret: TEST_CLIENT.clientSecret,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub.replace(/^sub-/, ''));
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: account.email, email_verified: account.emailVerified, name: account.name }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The e-mail in the ID token itself (Entra ID and Keycloak do the same), not only from userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: codeTtlSeconds, Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600 },
    cookies: { keys: ['plein-test-provider-cookie-key'] },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent is given by the organisation beforehand: every login gets the scopes it asks for.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(formPage(details.uid));
        return;
      }
      let body = '';
      for await (const chunk of req) body += chunk;
      const login = new URLSearchParams(body).get('login') ?? '';
      if (!accounts.has(login)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(formPage(details.uid, 'Onbekende gebruiker'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: `sub-${login}` } }, { mergeWithLastSubmission: false });
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  return {
    issuer,
    provider,
    accounts,
    get codeTtl() {
      return state.codeTtl;
    },
    set codeTtl(v: number) {
      state.codeTtl = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A cookie jar per origin for the provider's side of the walk (paths ignored: the names differ). */
class Jar {
  private readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
}

/** Follows the provider's redirects (with its cookies) until one leads back to Plein; answers that URL. */
async function walkProvider(url: string, jar: Jar, login: string): Promise<string> {
  let next = url;
  let method = 'GET';
  let body: string | undefined;
  for (let hops = 0; hops < 15; hops++) {
    if (next.startsWith(PUBLIC_URL)) return next;
    const res = await fetch(next, { method, redirect: 'manual', headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, body });
    jar.take(res);
    if (res.status >= 300 && res.status < 400) {
      next = new URL(res.headers.get('location')!, next).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    if (res.status === 200 && html.includes('name="login"')) {
      if (method === 'POST') throw new Error(`the provider refused the login "${login}"`);
      method = 'POST';
      body = new URLSearchParams({ login }).toString();
      continue;
    }
    throw new Error(`unexpected provider answer ${res.status}: ${html.slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}

type Agent = ReturnType<typeof browser>;

/**
 * Starts a login at Plein with `agent` (the browser), logs in at the provider as `login` and stops
 * before Plein's callback: answers the callback URL, so a test can use, tamper with or replay it.
 */
export async function loginUntilCallback(agent: Agent, providerId: string, login: string, query: Record<string, string> = {}, rewrite?: (providerUrl: string) => string): Promise<URL> {
  const start = await agent.get(`/api/auth/oidc/${providerId}/start`).query(query);
  if (start.status !== 302) throw new Error(`start answered ${start.status}: ${start.text}`);
  const providerUrl = rewrite ? rewrite(start.headers.location) : start.headers.location;
  return new URL(await walkProvider(providerUrl, new Jar(), login));
}

/** The callback as the browser would call it (path and query on Plein). */
export const callback = (agent: Agent, url: URL) => agent.get(`${url.pathname}${url.search}`);
