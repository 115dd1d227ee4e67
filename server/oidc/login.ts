// Log in with your organisation: OpenID Connect authorization code flow with PKCE, state and nonce
// (openid-client), a validated ID token, and the account it leads to: the one already linked, the
// one with the same verified e-mail, or a new one made from the claims. Every refusal has a code
// and a Dutch sentence (messages.ts) and leaves no account and no session behind.
import { createHash } from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import * as client from 'openid-client';
import { createAccountFromLogin, findUserByEmail, markEmailVerified } from '../accounts/users';
import type { SessionManager } from '../accounts/session';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { conflict, notFound } from '../http/errors';
import type { Database } from '../db/schema';
import type { UserTable } from '../db/tables/accounts';
import { freeDisplayName } from '../accounts/accounts';
import { syncOrganisations } from '../organisations/organisations';
import { type OidcProviderConfig, isLocalIssuer } from './providers';

/** A login that must not go on; `code` picks the message (messages.ts). */
export class OidcRefusal extends Error {
  constructor(
    readonly code: OidcRefusalCode,
    readonly status: number = 400,
  ) {
    super(code);
    this.name = 'OidcRefusal';
  }
}
export type OidcRefusalCode =
  | 'state_invalid'
  | 'code_invalid'
  | 'nonce_mismatch'
  | 'issuer_mismatch'
  | 'id_token_invalid'
  | 'provider_refused'
  | 'provider_unreachable'
  | 'email_missing'
  | 'domain_not_allowed'
  | 'email_unverified_in_use'
  | 'identity_linked_elsewhere';

const LOGIN_TTL_MS = 10 * 60 * 1000;
export const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/** Discovered provider configurations, per provider, fetched on first use (a provider that is down does not stop Plein). */
export class OidcClients {
  private readonly discovered = new Map<string, Promise<client.Configuration>>();
  constructor(readonly providers: OidcProviderConfig[]) {}

  provider(id: string): OidcProviderConfig | undefined {
    return this.providers.find((p) => p.id === id);
  }

  async configuration(provider: OidcProviderConfig): Promise<client.Configuration> {
    let pending = this.discovered.get(provider.id);
    if (!pending) {
      pending = client.discovery(new URL(provider.issuer), provider.clientId, undefined, client.ClientSecretPost(provider.clientSecret), {
        execute: isLocalIssuer(provider.issuer) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      });
      this.discovered.set(provider.id, pending);
      pending.catch(() => this.discovered.delete(provider.id));
    }
    try {
      return await pending;
    } catch {
      throw new OidcRefusal('provider_unreachable', 502);
    }
  }
}

export const redirectUri = (publicUrl: string, providerId: string) => `${publicUrl}/api/auth/oidc/${providerId}/callback`;

/** Only paths of this site, never another origin ("//evil.example" included). */
export const safeReturnTo = (value: string | undefined) => (value && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 500 ? value : '/');

/** Starts a login (or, with `linkUserId`, linking to a signed-in account): the provider's URL and the state for the cookie. */
export async function startLogin(db: Db, clients: OidcClients, publicUrl: string, provider: OidcProviderConfig, options: { linkUserId: string | null; returnTo: string }) {
  const config = await clients.configuration(provider);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  await db.deleteFrom('oidc_login').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('oidc_login')
    .values({ state_hash: hashState(state), provider: provider.id, nonce, code_verifier: codeVerifier, link_user_id: options.linkUserId, return_to: options.returnTo, expires_at: new Date(Date.now() + LOGIN_TTL_MS) })
    .execute();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(publicUrl, provider.id),
    scope: provider.scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: url.href, state };
}

/** What went wrong in openid-client's checks, as a refusal code. */
function classify(err: unknown): OidcRefusal {
  if (err instanceof OidcRefusal) return err;
  if (err instanceof client.ResponseBodyError) return new OidcRefusal(err.error === 'invalid_grant' ? 'code_invalid' : 'id_token_invalid');
  if (err instanceof client.AuthorizationResponseError) return new OidcRefusal('provider_refused');
  const chain: Array<{ message?: string; cause?: unknown; code?: string }> = [];
  for (let e = err as { message?: string; cause?: unknown } | undefined; e && chain.length < 5; e = e.cause as typeof e) chain.push(e);
  const claim = chain.map((e) => (e as { claim?: string }).claim).find(Boolean);
  const text = chain.map((e) => e.message ?? '').join(' ');
  if (claim === 'nonce' || /"nonce"/.test(text)) return new OidcRefusal('nonce_mismatch');
  if (claim === 'iss' || /"iss"/.test(text)) return new OidcRefusal('issuer_mismatch');
  if (/"state"/.test(text)) return new OidcRefusal('state_invalid');
  if (chain.some((e) => e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || e.code === 'ECONNREFUSED') || /fetch failed/.test(text)) return new OidcRefusal('provider_unreachable', 502);
  return new OidcRefusal('id_token_invalid');
}

type UserRow = Selectable<UserTable>;

/**
 * Finishes a login at the callback: the state must be the one this browser started (its cookie) and
 * still unused; then openid-client exchanges the code with the PKCE verifier and validates the ID
 * token (signature, issuer, audience, expiry, nonce). The state is used up whatever happens next.
 */
export async function finishLogin(
  db: Db,
  clients: OidcClients,
  sessions: SessionManager,
  provider: OidcProviderConfig,
  input: { currentUrl: URL; cookieState: string | undefined; oldSessionId: string | null },
): Promise<{ cookie: string; returnTo: string; user: UserRow; linked: boolean }> {
  const state = input.currentUrl.searchParams.get('state');
  if (!state || !input.cookieState || state !== input.cookieState) throw new OidcRefusal('state_invalid');
  const login = await db.deleteFrom('oidc_login').where('state_hash', '=', hashState(state)).returningAll().executeTakeFirst();
  if (!login || login.provider !== provider.id || login.expires_at.getTime() < Date.now()) throw new OidcRefusal('state_invalid');

  const config = await clients.configuration(provider);
  let claims: client.IDToken;
  let idToken: string;
  try {
    const tokens = await client.authorizationCodeGrant(config, input.currentUrl, { pkceCodeVerifier: login.code_verifier, expectedState: state, expectedNonce: login.nonce, idTokenExpected: true });
    claims = tokens.claims()!;
    idToken = tokens.id_token!;
  } catch (err) {
    throw classify(err);
  }

  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email.trim().toLowerCase() : null;
  if (!email) throw new OidcRefusal('email_missing');
  const domain = email.split('@')[1];
  if (provider.allowedDomains.length && !provider.allowedDomains.includes(domain)) throw new OidcRefusal('domain_not_allowed', 403);
  const emailVerified = provider.emailVerified || claims.email_verified === true;

  const { user, linked } = await accountFor(db, provider, { subject: claims.sub, email, emailVerified, claims, linkUserId: login.link_user_id });
  if (input.oldSessionId) await sessions.invalidate(input.oldSessionId);
  const { cookie } = await sessions.create(user.id, { provider: provider.id, idToken });
  return { cookie, returnTo: login.return_to, user, linked };
}

function displayNameFrom(claims: client.IDToken, email: string): string {
  const full = [claims.name, [claims.given_name, claims.family_name].filter((p) => typeof p === 'string' && p).join(' ')].find((n) => typeof n === 'string' && n.trim().length >= 2);
  const name = (typeof full === 'string' ? full : email.split('@')[0]).replace(/\s+/g, ' ').trim().slice(0, 60);
  return name.length >= 2 ? name : `${name}${'_'.repeat(2 - name.length)}`;
}

/** The account this login leads to: linked before, being linked now, the one with this verified e-mail, or a new one. */
async function accountFor(
  db: Db,
  provider: OidcProviderConfig,
  id: { subject: string; email: string; emailVerified: boolean; claims: client.IDToken; linkUserId: string | null },
): Promise<{ user: UserRow; linked: boolean }> {
  try {
    return await db.transaction().execute(async (trx) => {
      const known = await trx.selectFrom('oidc_identity').select('user_id').where('provider', '=', provider.id).where('subject', '=', id.subject).forUpdate().executeTakeFirst();
      let userId: string;
      let linked = false;
      if (known) {
        if (id.linkUserId && known.user_id !== id.linkUserId) throw new OidcRefusal('identity_linked_elsewhere', 409);
        userId = known.user_id;
        await trx.updateTable('oidc_identity').set({ email: id.email, email_verified: id.emailVerified, last_login_at: new Date() }).where('provider', '=', provider.id).where('subject', '=', id.subject).execute();
      } else {
        if (id.linkUserId) {
          userId = id.linkUserId;
        } else {
          const existing = await findUserByEmail(trx, id.email);
          if (existing) {
            // Only an address the provider vouches for may take over an existing account.
            if (!id.emailVerified) throw new OidcRefusal('email_unverified_in_use', 409);
            userId = existing.id;
            await markEmailVerified(trx, userId);
          } else {
            const display = await freeDisplayName(trx, displayNameFrom(id.claims, id.email), provider.label);
            userId = await createAccountFromLogin(trx, { email: id.email, displayName: display.name, displayNameSkeleton: display.skeleton, emailVerified: id.emailVerified });
          }
        }
        await trx.insertInto('oidc_identity').values({ provider: provider.id, subject: id.subject, user_id: userId, email: id.email, email_verified: id.emailVerified }).execute();
        linked = true;
      }
      await syncOrganisations(trx, [userId]);
      const user = await trx.selectFrom('user').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
      return { user, linked };
    });
  } catch (err) {
    // The account already has another identity at this provider (unique user and provider).
    if (isUniqueViolation(err)) throw new OidcRefusal('identity_linked_elsewhere', 409);
    throw err;
  }
}

/** RP-initiated logout: the provider's end-session URL for this session, when the provider offers one. */
export async function endSessionUrl(clients: OidcClients, publicUrl: string, origin: { oidc_provider: string | null; oidc_id_token: string | null } | null): Promise<string | null> {
  if (!origin?.oidc_provider || !origin.oidc_id_token) return null;
  const provider = clients.provider(origin.oidc_provider);
  if (!provider) return null;
  try {
    const config = await clients.configuration(provider);
    if (!config.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(config, { id_token_hint: origin.oidc_id_token, post_logout_redirect_uri: `${publicUrl}/` }).href;
  } catch {
    return null;
  }
}

/** The user's linked organisation logins, with the labels of providers still configured. */
export async function linkedLogins(db: Db, clients: OidcClients, userId: string) {
  const rows = await db.selectFrom('oidc_identity').select(['provider', 'email']).where('user_id', '=', userId).orderBy('provider').execute();
  return rows.map((r) => ({ provider: r.provider, label: clients.provider(r.provider)?.label ?? r.provider, email: r.email }));
}

/**
 * Unlinks a provider from an account, never the last way to log in: without a password the account
 * keeps at least one other linked login (409 last_login_method). 404 when it was not linked.
 */
export async function unlinkProvider(db: Db, userId: string, providerId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('user').select(['id', 'password_hash']).where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
    const identities = await trx.selectFrom('oidc_identity').select('provider').where('user_id', '=', userId).execute();
    if (!identities.some((i) => i.provider === providerId)) throw notFound('linked login');
    if (user.password_hash === null && identities.length <= 1) throw conflict('last_login_method', 'This is your only way to log in: set a password or link another organisation first.');
    await trx.deleteFrom('oidc_identity').where('user_id', '=', userId).where('provider', '=', providerId).execute();
    await syncOrganisations(trx, [userId]);
  });
}

/** An erased account's organisation logins go (the addresses are personal data); it cannot log in any more. */
export async function eraseOidcDataOf(trx: Transaction<Database>, userId: string): Promise<void> {
  await trx.deleteFrom('oidc_identity').where('user_id', '=', userId).execute();
  await trx.deleteFrom('oidc_login').where('link_user_id', '=', userId).execute();
  await trx.updateTable('user_session').set({ oidc_id_token: null }).where('user_id', '=', userId).execute();
}
