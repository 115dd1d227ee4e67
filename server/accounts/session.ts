// The only module that touches lucia. Cookie holds a random token; PostgreSQL stores its SHA-256
// as the session id, so a leaked database holds no usable session.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { type Adapter, type Cookie, type DatabaseSession, type DatabaseUser, Lucia, TimeSpan } from 'lucia';
import type { Config } from '../config';
import type { Db } from '../db';
import { executePreparedTakeFirst } from '../db/prepared';
import { requireTwoFactorFor } from '../policy';

export interface SessionUser {
  id: string;
  role: 'member' | 'expert' | 'moderator' | 'admin';
  displayName: string;
  suspendedUntil: Date | null;
  suspensionReason: string | null;
  createdAt: Date;
  /** The role must use two-factor (REQUIRE_2FA) and this account has not set it up: it acts as a member. */
  twoFactorMissing: boolean;
  /** Closed channels the user is a member of (approved, or through their verified organisation). */
  channelIds: string[];
}

export interface ValidSession {
  sessionId: string;
  user: SessionUser;
  /** Set when the expiry slid forward: send it so the browser's cookie slides too. */
  refreshedCookie: string | null;
}

type UserAttributes = { role: SessionUser['role']; display_name: string; suspended_until: Date | null; suspension_reason: string | null; created_at: Date; totp_enabled_at: Date | null; channel_ids: string[] };
type SessionAttributes = { created_at: Date };

declare module 'lucia' {
  interface Register {
    Lucia: Lucia<{ attributes: SessionAttributes }, { attributes: UserAttributes }>;
    DatabaseUserAttributes: UserAttributes;
    DatabaseSessionAttributes: SessionAttributes;
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function kyselyAdapter(db: Db): Adapter {
  const toSession = (row: { id: string; user_id: string; expires_at: Date; created_at: Date }): DatabaseSession => ({
    id: row.id,
    userId: row.user_id,
    expiresAt: row.expires_at,
    attributes: { created_at: row.created_at },
  });
  return {
    async getSessionAndUser(sessionId) {
      // Runs on every signed-in request: prepared, so it is planned once per connection.
      const row = await executePreparedTakeFirst(
        db,
        db
          .selectFrom('user_session as s')
          .innerJoin('user as u', 'u.id', 's.user_id')
          .select(['s.id', 's.user_id', 's.expires_at', 's.created_at', 'u.role', 'u.display_name', 'u.suspended_until', 'u.suspension_reason', 'u.created_at as user_created_at', 'u.totp_enabled_at'])
          .select(channelIdsOf('u').as('channel_ids'))
          .where('s.id', '=', sessionId),
      );
      if (!row) return [null, null];
      const user: DatabaseUser = {
        id: row.user_id,
        attributes: { role: row.role, display_name: row.display_name, suspended_until: row.suspended_until, suspension_reason: row.suspension_reason, created_at: row.user_created_at, totp_enabled_at: row.totp_enabled_at, channel_ids: row.channel_ids },
      };
      return [toSession(row), user];
    },
    async getUserSessions(userId) {
      const rows = await db.selectFrom('user_session').selectAll().where('user_id', '=', userId).execute();
      return rows.map(toSession);
    },
    async setSession(session) {
      await db
        .insertInto('user_session')
        .values({ id: session.id, user_id: session.userId, expires_at: session.expiresAt, created_at: session.attributes.created_at })
        .execute();
    },
    async updateSessionExpiration(sessionId, expiresAt) {
      await db.updateTable('user_session').set({ expires_at: expiresAt }).where('id', '=', sessionId).execute();
    },
    async deleteSession(sessionId) {
      await db.deleteFrom('user_session').where('id', '=', sessionId).execute();
    },
    async deleteUserSessions(userId) {
      await db.deleteFrom('user_session').where('user_id', '=', userId).execute();
    },
    async deleteExpiredSessions() {
      await db.deleteFrom('user_session').where('expires_at', '<=', new Date()).execute();
    },
  };
}

/** The closed channels user `alias` belongs to: approved memberships and those of their verified organisation. */
export const channelIdsOf = (alias: string) =>
  sql<string[]>`array(select m.channel_id::text from channel_member m where m.user_id = ${sql.ref(`${alias}.id`)}
    union select co.channel_id::text from channel_organisation co where co.organisation_id = ${sql.ref(`${alias}.organisation_id`)} order by 1)`;

/** A role that must use two-step verification and has not set it up (it acts as a member until then). */
export const isTwoFactorMissing = (config: Pick<Config, 'requireTwoFactor'>, role: SessionUser['role'], totpEnabledAt: Date | null) =>
  totpEnabledAt === null && config.requireTwoFactor.includes(role);

/** What the policy needs of a user, as their session carries it, from their row (with channelIdsOf's `channel_ids`). */
export const rightsOf = (
  config: Pick<Config, 'requireTwoFactor'>,
  row: { role: SessionUser['role']; suspended_until: Date | null; totp_enabled_at: Date | null; channel_ids: string[] },
): Pick<SessionUser, 'role' | 'suspendedUntil' | 'twoFactorMissing' | 'channelIds'> => ({
  role: row.role,
  suspendedUntil: row.suspended_until,
  twoFactorMissing: isTwoFactorMissing(config, row.role, row.totp_enabled_at),
  channelIds: row.channel_ids,
});

export type SessionManager = ReturnType<typeof createSessionManager>;

export function createSessionManager(db: Db, config: Config) {
  const secure = config.publicUrl.startsWith('https://');
  const lucia = new Lucia<{ attributes: SessionAttributes }, { attributes: UserAttributes }>(kyselyAdapter(db), {
    sessionExpiresIn: new TimeSpan(config.sessionIdleDays, 'd'),
    sessionCookie: {
      // __Host- requires Secure, path=/ and no Domain: only possible over https.
      name: secure ? '__Host-plein_session' : 'plein_session',
      expires: true,
      attributes: { secure, sameSite: 'lax', path: '/' },
    },
    getSessionAttributes: (attributes) => ({ attributes }),
    getUserAttributes: (attributes) => ({ attributes }),
  });
  const maxAgeMs = config.sessionMaxDays * 24 * 60 * 60 * 1000;
  const publicOrigin = new URL(config.publicUrl).origin;
  const twoFactorMissing = (role: SessionUser['role'], totpEnabledAt: Date | null) => isTwoFactorMissing(config, role, totpEnabledAt);
  requireTwoFactorFor(config.requireTwoFactor);

  /** The sessions among `sessionIds` that still live, with their user's current role and suspension: one query. */
  async function liveSessions(sessionIds: string[]): Promise<Map<string, Pick<SessionUser, 'role' | 'suspendedUntil' | 'twoFactorMissing' | 'channelIds'>>> {
    if (!sessionIds.length) return new Map();
    const rows = await db
      .selectFrom('user_session as s')
      .innerJoin('user as u', 'u.id', 's.user_id')
      .select(['s.id', 'u.role', 'u.suspended_until', 'u.totp_enabled_at'])
      .select(channelIdsOf('u').as('channel_ids'))
      .where(sql<boolean>`s.id = any(${sessionIds}::text[])`) // any number of sockets, one parameter
      .where('s.expires_at', '>', new Date())
      .execute();
    return new Map(rows.map((r) => [r.id, rightsOf(config, r)]));
  }

  return {
    cookieName: lucia.sessionCookieName,

    /** Starts a session; returns the Set-Cookie value carrying the token. `oidc`: the provider it came from and its ID token. */
    async create(userId: string, oidc?: { provider: string; idToken: string }): Promise<{ cookie: string; sessionId: string }> {
      const token = randomBytes(32).toString('base64url');
      const sessionId = hashToken(token);
      await lucia.createSession(userId, { created_at: new Date() }, { sessionId });
      if (oidc) await db.updateTable('user_session').set({ oidc_provider: oidc.provider, oidc_id_token: oidc.idToken }).where('id', '=', sessionId).execute();
      const cookie: Cookie = lucia.createSessionCookie(token);
      return { cookie: cookie.serialize(), sessionId };
    },

    async validate(token: string): Promise<ValidSession | null> {
      if (!token || token.length > 200) return null;
      const sessionId = hashToken(token);
      const { session, user } = await lucia.validateSession(sessionId);
      if (!session || !user) return null;
      if (Date.now() - session.attributes.created_at.getTime() > maxAgeMs) {
        await lucia.invalidateSession(sessionId);
        return null;
      }
      return {
        sessionId,
        user: {
          id: String(user.id),
          role: user.attributes.role,
          displayName: user.attributes.display_name,
          suspendedUntil: user.attributes.suspended_until,
          suspensionReason: user.attributes.suspension_reason,
          createdAt: user.attributes.created_at,
          twoFactorMissing: twoFactorMissing(user.attributes.role, user.attributes.totp_enabled_at),
          channelIds: user.attributes.channel_ids,
        },
        refreshedCookie: session.fresh ? lucia.createSessionCookie(token).serialize() : null,
      };
    },

    /** Is this session still alive? (open websockets re-check this) */
    liveSessions,
    isAlive: async (sessionId: string): Promise<boolean> => (await liveSessions([sessionId])).has(sessionId),

    invalidate: (sessionId: string) => lucia.invalidateSession(sessionId),
    /** The OpenID provider a session came from and its ID token (RP-initiated logout), if any. */
    oidcOrigin: async (sessionId: string) =>
      (await db.selectFrom('user_session').select(['oidc_provider', 'oidc_id_token']).where('id', '=', sessionId).where('oidc_provider', 'is not', null).executeTakeFirst()) ?? null,
    invalidateAllForUser: (userId: string) => lucia.invalidateUserSessions(userId),
    blankCookie: () => lucia.createBlankSessionCookie().serialize(),
    deleteExpired: () => lucia.deleteExpiredSessions(),

    /** CSRF defence for cookie-authenticated writes and websocket handshakes: scheme, host and port must be PUBLIC_URL's. */
    originAllowed(origin: string | undefined): boolean {
      if (!origin) return false;
      try {
        return new URL(origin).origin === publicOrigin;
      } catch {
        return false;
      }
    },
  };
}
