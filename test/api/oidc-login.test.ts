// Log in with your organisation, against a real OpenID provider (oidc-provider) over HTTP: a first
// login makes an account, a verified e-mail links to the existing one, and every refusal (tampered
// or missing state, wrong nonce, reused or expired code, an answer from another issuer, a domain that
// is not allowed, an unverified e-mail of an existing account) shows a Dutch message and leaves no
// account and no session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { displayNameSkeleton } from '../../server/accounts/display-name';
import { hashState } from '../../server/oidc/login';
import type { OidcProviderConfig } from '../../server/oidc/providers';
import { PUBLIC_URL, type TestApp, browser, createTestApp, signUp } from '../support/app';
import { TEST_CLIENT, type TestProvider, callback, loginUntilCallback, startTestProvider } from '../support/oidc';

let t: TestApp;
let zwolle: TestProvider;
let other: TestProvider;

const providerConfig = (id: string, label: string, issuer: string, extra: Partial<OidcProviderConfig> = {}): OidcProviderConfig => ({
  id,
  label,
  issuer,
  clientId: TEST_CLIENT.clientId,
  clientSecret: TEST_CLIENT.clientSecret,
  allowedDomains: [],
  emailVerified: false,
  scope: 'openid email profile',
  ...extra,
});

beforeAll(async () => {
  const redirects = ['zwolle', 'zorg', 'strikt'].map((id) => `${PUBLIC_URL}/api/auth/oidc/${id}/callback`);
  zwolle = await startTestProvider(redirects, [`${PUBLIC_URL}/`]);
  // Another issuer that also knows Plein's client: the mix-up attacker.
  other = await startTestProvider(redirects);
  for (const p of [zwolle, other]) {
    p.accounts.set('anna', { email: 'anna.jansen@zwolle.example', emailVerified: true, name: 'Anna Jansen' });
    p.accounts.set('bob', { email: 'bob@zwolle.example', emailVerified: true, name: 'Bob Bakker' });
    p.accounts.set('carla', { email: 'carla@zwolle.example', emailVerified: true, name: 'Carla de Wit' });
    p.accounts.set('dirk', { email: 'dirk@elders.example', emailVerified: true, name: 'Dirk Elders' });
    p.accounts.set('eva', { email: 'eva@zwolle.example', emailVerified: false, name: 'Eva Onbevestigd' });
  }
  t = await createTestApp({
    oidcProviders: [
      providerConfig('zwolle', 'Gemeente Zwolle', zwolle.issuer),
      providerConfig('strikt', 'Alleen Zwolle', zwolle.issuer, { allowedDomains: ['zwolle.example'] }),
    ],
  });
  const org = await t.db.insertInto('organisation').values({ name: 'Gemeente Zwolle', logo_key: null }).returning('id').executeTakeFirstOrThrow();
  await t.db.insertInto('organisation_domain').values({ domain: 'zwolle.example', organisation_id: org.id }).execute();
});
afterAll(async () => {
  await t?.close();
  await zwolle?.close();
  await other?.close();
});

const userCount = async () => Number((await t.db.selectFrom('user').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

/** A refused callback: the Dutch message on the page, and afterwards no session. */
async function expectRefused(agent: ReturnType<typeof browser>, url: URL, status: number, code: string, dutch: RegExp) {
  const res = await callback(agent, url);
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.text).toContain(`data-code="${code}"`);
  expect(res.text).toMatch(dutch);
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  expect(cookies.filter((c) => c.startsWith('plein_session=') && !c.startsWith('plein_session=;'))).toEqual([]);
  expect((await agent.get('/api/me')).status).toBe(401);
}

describe('logging in with an organisation', () => {
  it('lists the providers for the login page', async () => {
    const res = await browser(t.app).get('/api/auth/oidc/providers').expect(200);
    expect(res.body.items).toEqual([
      { id: 'zwolle', label: 'Gemeente Zwolle' },
      { id: 'strikt', label: 'Alleen Zwolle' },
    ]);
  });

  it('redirects to the provider with PKCE (S256), state and nonce; 404 for an unknown provider', async () => {
    const agent = browser(t.app);
    const res = await agent.get('/api/auth/oidc/zwolle/start').expect(302);
    const url = new URL(res.headers.location);
    expect(url.origin).toBe(zwolle.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/api/auth/oidc/zwolle/callback`);
    expect((await agent.get('/api/auth/oidc/onbekend/start')).status).toBe(404);
  });

  it('creates an account from the claims on the first login, and logs the same account in the next time', async () => {
    const before = await userCount();
    const agent = browser(t.app);
    const url = await loginUntilCallback(agent, 'zwolle', 'anna', { returnTo: '/zoeken' });
    const res = await callback(agent, url);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/zoeken');
    const me = await agent.get('/api/me').expect(200);
    // The provider vouches for the address, so it is verified and brings the organisation of its domain.
    expect(me.body.user).toMatchObject({ email: 'anna.jansen@zwolle.example', displayName: 'Anna Jansen', organisation: 'Gemeente Zwolle', organisationVerified: true });
    expect(await userCount()).toBe(before + 1);
    const again = browser(t.app);
    await callback(again, await loginUntilCallback(again, 'zwolle', 'anna')).expect(302);
    expect((await again.get('/api/me').expect(200)).body.user.id).toBe(me.body.user.id);
    expect(await userCount()).toBe(before + 1);
    // Without a password, the only way to log in cannot be unlinked.
    const logins = await agent.get('/api/me/logins').expect(200);
    expect(logins.body).toMatchObject({ password: false, linked: [{ provider: 'zwolle', label: 'Gemeente Zwolle', email: 'anna.jansen@zwolle.example' }] });
    expect((await agent.delete('/api/me/logins/zwolle')).status).toBe(409);
    expect((await agent.get('/api/me/logins')).body.linked).toHaveLength(1);
  });

  it('never gives a new account a look-alike of a member\'s name: the organisation goes after it', async () => {
    const frank = await signUp(t, { displayName: 'Frank Visser', email: 'frank@elders.example' });
    await t.db.updateTable('user').set({ display_name_skeleton: displayNameSkeleton('Frank Visser') }).where('id', '=', frank.id).execute();
    zwolle.accounts.set('frank2', { email: 'frank.visser@zwolle.example', emailVerified: true, name: 'Frаnk Vіsser' }); // Cyrillic а and і
    const agent = browser(t.app);
    await callback(agent, await loginUntilCallback(agent, 'zwolle', 'frank2')).expect(302);
    expect((await agent.get('/api/me').expect(200)).body.user.displayName).toBe('Frаnk Vіsser (Gemeente Zwolle)');
  });

  it('links to the existing account with the same verified e-mail', async () => {
    const bob = await signUp(t, { email: 'bob@zwolle.example', displayName: 'Bob met wachtwoord' });
    const before = await userCount();
    const agent = browser(t.app);
    await callback(agent, await loginUntilCallback(agent, 'zwolle', 'bob')).expect(302);
    expect((await agent.get('/api/me').expect(200)).body.user.id).toBe(bob.id);
    expect(await userCount()).toBe(before);
  });

  it('lets a signed-in user link a provider in their settings and unlink it again (they keep their password)', async () => {
    const carla = await signUp(t, { email: 'carla.prive@example.nl', displayName: 'Carla Prive' });
    const url = await loginUntilCallback(carla.agent, 'zwolle', 'carla', { link: 'true', returnTo: '/instellingen' });
    const res = await callback(carla.agent, url).expect(302);
    expect(res.headers.location).toBe('/instellingen');
    expect((await carla.agent.get('/api/me/logins').expect(200)).body).toMatchObject({ password: true, linked: [{ provider: 'zwolle', email: 'carla@zwolle.example' }] });
    // Logging in through the organisation now leads to Carla's account.
    const agent = browser(t.app);
    await callback(agent, await loginUntilCallback(agent, 'zwolle', 'carla')).expect(302);
    expect((await agent.get('/api/me').expect(200)).body.user.id).toBe(carla.id);
    await carla.agent.delete('/api/me/logins/zwolle').expect(204);
    expect((await carla.agent.get('/api/me/logins').expect(200)).body.linked).toEqual([]);
    expect((await carla.agent.delete('/api/me/logins/zwolle')).status).toBe(404);
    // Linking needs a session.
    expect((await browser(t.app).get('/api/auth/oidc/zwolle/start').query({ link: 'true' })).status).toBe(401);
  });

  it('logs out at the provider too (RP-initiated logout) when the session came from it', async () => {
    const agent = browser(t.app);
    await callback(agent, await loginUntilCallback(agent, 'zwolle', 'anna')).expect(302);
    const res = await agent.post('/api/auth/oidc/logout').expect(200);
    const end = new URL(res.body.redirectTo);
    expect(`${end.origin}${end.pathname}`).toBe(`${zwolle.issuer}/session/end`);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC_URL}/`);
    expect((await agent.get('/api/me')).status).toBe(401);
    expect((await fetch(end)).status).toBe(200); // the provider accepts it: its logout page
    // A password session has nothing to end elsewhere.
    const pw = await signUp(t);
    expect((await pw.agent.post('/api/auth/oidc/logout').expect(200)).body.redirectTo).toBeNull();
  });
});

describe('refused organisation logins: a Dutch message, no account, no session', () => {
  it('a tampered, missing or foreign state (400)', async () => {
    const before = await userCount();
    const agent = browser(t.app);
    const url = await loginUntilCallback(agent, 'zwolle', 'dirk');
    const tampered = new URL(url);
    tampered.searchParams.set('state', `${url.searchParams.get('state')}x`);
    await expectRefused(agent, tampered, 400, 'state_invalid', /niet geldig of verlopen/);
    const missing = new URL(url);
    missing.searchParams.delete('state');
    await expectRefused(browser(t.app), missing, 400, 'state_invalid', /niet geldig of verlopen/);
    // The right URL in another browser (without the state cookie): refused as well.
    await expectRefused(browser(t.app), url, 400, 'state_invalid', /niet geldig of verlopen/);
    expect(await userCount()).toBe(before);
    // API clients get the error shape.
    const json = await browser(t.app).get(`${missing.pathname}${missing.search}`).set('Accept', 'application/json');
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('state_invalid');
  });

  it('a wrong nonce in the ID token (400)', async () => {
    const before = await userCount();
    const agent = browser(t.app);
    const url = await loginUntilCallback(agent, 'zwolle', 'dirk');
    await t.db.updateTable('oidc_login').set({ nonce: 'een-andere-nonce' }).where('state_hash', '=', hashState(url.searchParams.get('state')!)).execute();
    await expectRefused(agent, url, 400, 'nonce_mismatch', /hoort niet bij deze inlogpoging/);
    expect(await userCount()).toBe(before);
  });

  it('a reused code (400)', async () => {
    const agent = browser(t.app);
    const url = await loginUntilCallback(agent, 'zwolle', 'anna');
    const state = url.searchParams.get('state')!;
    const login = await t.db.selectFrom('oidc_login').selectAll().where('state_hash', '=', hashState(state)).executeTakeFirstOrThrow();
    await callback(agent, url).expect(302);
    // An attacker who has the callback URL and recreates the login under way: the provider refuses the code.
    await t.db.insertInto('oidc_login').values(login).execute();
    const thief = browser(t.app).set('Cookie', `plein_oidc_state=${state}`);
    await expectRefused(thief, url, 400, 'code_invalid', /verlopen of al gebruikt/);
  });

  it('an expired code (400)', async () => {
    const before = await userCount();
    zwolle.codeTtl = 1;
    try {
      const agent = browser(t.app);
      const url = await loginUntilCallback(agent, 'zwolle', 'dirk');
      await new Promise((r) => setTimeout(r, 2100));
      await expectRefused(agent, url, 400, 'code_invalid', /verlopen of al gebruikt/);
    } finally {
      zwolle.codeTtl = 60;
    }
    expect(await userCount()).toBe(before);
  });

  it('an answer from another issuer (400)', async () => {
    const before = await userCount();
    const agent = browser(t.app);
    // The login starts for Gemeente Zwolle, but the browser is sent to another provider with the same parameters.
    const url = await loginUntilCallback(agent, 'zwolle', 'dirk', {}, (u) => u.replace(zwolle.issuer, other.issuer));
    expect(url.searchParams.get('iss')).toBe(other.issuer);
    await expectRefused(agent, url, 400, 'issuer_mismatch', /andere inlogdienst/);
    expect(await userCount()).toBe(before);
  });

  it('an e-mail domain the provider does not allow (403)', async () => {
    const before = await userCount();
    const agent = browser(t.app);
    await expectRefused(agent, await loginUntilCallback(agent, 'strikt', 'dirk'), 403, 'domain_not_allowed', /Met dit e-mailadres kun je niet inloggen/);
    expect(await userCount()).toBe(before);
    expect(await t.db.selectFrom('user').select('id').where('email', '=', 'dirk@elders.example').executeTakeFirst()).toBeUndefined();
  });

  it('an e-mail the provider does not mark verified never links to an existing account (409)', async () => {
    const eva = await signUp(t, { email: 'eva@zwolle.example' });
    const agent = browser(t.app);
    await expectRefused(agent, await loginUntilCallback(agent, 'zwolle', 'eva'), 409, 'email_unverified_in_use', /bevestigt niet dat het adres van jou is/);
    expect(await t.db.selectFrom('oidc_identity').select('user_id').where('user_id', '=', eva.id).execute()).toEqual([]);
  });
});

describe('OIDC_PROVIDERS', () => {
  const base = { PUBLIC_URL, SEED_DEMO: 'false' };
  const one = { id: 'zwolle', label: 'Gemeente Zwolle', issuer: 'https://login.microsoftonline.com/tenant/v2.0', clientId: 'id', clientSecret: 'secret' };
  it('is validated at start with one clear line', () => {
    expect(loadConfig({ ...base, OIDC_PROVIDERS: JSON.stringify([one]) }).oidcProviders[0]).toMatchObject({ id: 'zwolle', emailVerified: false, allowedDomains: [] });
    const bad: Array<[string, RegExp]> = [
      ['{', /not valid JSON/],
      [JSON.stringify({ id: 'x' }), /JSON array/],
      [JSON.stringify([{ ...one, issuer: 'http://idp.example' }]), /https:\/\//],
      [JSON.stringify([{ ...one, id: 'Zwolle!' }]), /lower-case/],
      [JSON.stringify([one, one]), /used twice/],
      [JSON.stringify([{ ...one, clientSecret: undefined }]), /clientSecret/],
      [JSON.stringify([{ ...one, allowedDomains: ['not a domain'] }]), /allowedDomains/],
      [JSON.stringify([{ ...one, emailVerifed: true }]), /emailVerifed is not a known setting/],
    ];
    for (const [raw, message] of bad) expect(() => loadConfig({ ...base, OIDC_PROVIDERS: raw })).toThrow(message);
    expect(() => loadConfig({ ...base, OIDC_PROVIDERS: '{' })).toThrow(ConfigError);
  });
});
