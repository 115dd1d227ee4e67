// Accounts: sign up, log in, the profile, the password, roles. Plain domain functions; the session
// manager (session.ts) is passed in where a session starts or ends.
import type { Static } from '@sinclair/typebox';
import type { Selectable, Transaction } from 'kysely';
import type { ChangePasswordBody, SetRoleBody, SignupBody, UpdateMeBody } from '../../shared/schemas/accounts';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { isUniqueViolation } from '../db/errors';
import type { UserTable } from '../db/tables/accounts';
import { ApiError, badRequest, conflict, invalidField, notFound } from '../http/errors';
import { recordAction } from '../moderation/audit';
import { type Actor, mayEditOrganisationName } from '../policy';
import { queueAccountMail, recentAccountMails } from './account-mail';
import { announceAuthorChange } from './author-events';
import { syncOrganisations } from '../organisations/organisations';
import { displayNameSkeleton, isReservedDisplayName, normaliseDisplayName } from './display-name';
import { hashPassword, requirePassword, verifyPassword } from './password';
import { requireAcceptablePassword } from './password-rules';
import type { SessionManager } from './session';
import { issueToken, liveToken, markTokenUsed } from './tokens';
import { acceptSecondFactor } from './two-factor';
import { findUserByEmail, findUserById, isErased } from './users';

type UserRow = Selectable<UserTable>;

/** The answer to every sign-up, whether or not the address already has an account. */
export const VERIFICATION_SENT = { status: 'verification_sent' } as const;

/** 409 display_name_taken when the name is reserved or looks like someone else's; the normalised name and its skeleton otherwise. */
async function claimableDisplayName(db: Db | Transaction<Database>, raw: string, exceptUserId?: string): Promise<{ name: string; skeleton: string }> {
  const name = normaliseDisplayName(raw);
  if ([...name].length < 2) throw invalidField('displayName', 'must contain at least 2 visible characters');
  if (isReservedDisplayName(name)) throw conflict('display_name_taken', 'This name is reserved. Choose another name.');
  const skeleton = displayNameSkeleton(name);
  let query = db.selectFrom('user').select('id').where('display_name_skeleton', '=', skeleton);
  if (exceptUserId) query = query.where('id', '!=', exceptUserId);
  if (await query.executeTakeFirst()) throw nameTaken();
  return { name, skeleton };
}
/**
 * A display name for an account made without a form (a first login through an organisation): the
 * name from the claims when nobody has it or a look-alike, else with the organisation after it, then
 * numbered. Never a look-alike of someone else's, never a reserved one.
 */
export async function freeDisplayName(trx: Transaction<Database>, raw: string, qualifier: string): Promise<{ name: string; skeleton: string }> {
  const base = normaliseDisplayName(raw).slice(0, 60);
  const candidates = [base, `${base} (${qualifier})`.slice(0, 80), ...Array.from({ length: 20 }, (_, i) => `${base} (${qualifier} ${i + 2})`.slice(0, 80))];
  for (const name of candidates) {
    if ([...name].length < 2 || isReservedDisplayName(name)) continue;
    const skeleton = displayNameSkeleton(name);
    if (!(await trx.selectFrom('user').select('id').where('display_name_skeleton', '=', skeleton).executeTakeFirst())) return { name, skeleton };
  }
  throw nameTaken();
}
const nameTaken = () => conflict('display_name_taken', 'Someone already uses this name, or one that looks just like it. Choose another name.');

/**
 * Sign-up: never a session, and the same 202 for a new address and a known one. A new address gets
 * an account waiting for verification and a link; a known one gets a mail to its owner instead.
 */
export async function signUp(db: Db, config: Config, input: Static<typeof SignupBody>): Promise<typeof VERIFICATION_SENT> {
  const email = input.email.trim();
  const { name, skeleton } = await claimableDisplayName(db, input.displayName);
  requireAcceptablePassword(input.password, { email, displayName: name });
  const passwordHash = await hashPassword(input.password);
  try {
    await db.transaction().execute(async (trx) => {
      const existing = await findUserByEmail(trx, email);
      if (existing) {
        if ((await recentAccountMails(trx, existing.id, ['signup_existing'])) < config.rateLimits.accountMailsPerHour) {
          await queueAccountMail(trx, config, { userId: existing.id, email: existing.email, name: existing.display_name }, 'signup_existing');
        }
        return;
      }
      const user = await trx
        .insertInto('user')
        .values({ email, display_name: name, display_name_skeleton: skeleton, password_hash: passwordHash, avatar_key: null, suspended_until: null, suspension_reason: null, email_verified_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      const token = await issueToken(trx, user.id, 'verify_email', user.email);
      await queueAccountMail(trx, config, { userId: user.id, email: user.email, name: user.display_name }, 'verify_email', token);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'user_display_name_skeleton_idx')) throw nameTaken();
    // Signed up twice at once: the other request made the account and sent the mail.
    if (isUniqueViolation(err, 'user_email_lower_idx')) return VERIFICATION_SENT;
    throw err;
  }
  return VERIFICATION_SENT;
}

/** The link from the mail: the address is verified (a changed one takes effect now) and a session starts. */
export async function verifyEmail(db: Db, sessions: SessionManager, token: string): Promise<{ user: UserRow; cookie: string | null }> {
  const user = await db.transaction().execute(async (trx) => {
    const row = await liveToken(trx, 'verify_email', token);
    await markTokenUsed(trx, row.id);
    const changes = { email_verified_at: new Date(), updated_at: new Date(), ...(row.email ? { email: row.email } : {}) };
    try {
      await trx.updateTable('user').set(changes).where('id', '=', row.user_id).execute();
    } catch (err) {
      if (isUniqueViolation(err, 'user_email_lower_idx')) throw conflict('email_taken', 'Another account uses this address by now.');
      throw err;
    }
    // A verified address in an organisation's domain gives its "geverifieerd" mark.
    await syncOrganisations(trx, [row.user_id]);
    return trx.selectFrom('user').selectAll().where('id', '=', row.user_id).executeTakeFirstOrThrow();
  });
  // With two-factor on, the link verifies the address but does not sign in: that takes the second factor.
  if (user.totp_enabled_at) return { user, cookie: null };
  const { cookie } = await sessions.create(user.id);
  return { user, cookie };
}

/** "Stuur de bevestiging opnieuw": a new link for an unverified account; nothing (and the same answer) otherwise. */
export async function resendVerification(db: Db, config: Config, email: string): Promise<void> {
  const user = await findUserByEmail(db, email);
  if (!user || user.email_verified_at || isErased(user.email)) return;
  await sendVerification(db, config, user);
}

async function sendVerification(db: Db, config: Config, user: UserRow): Promise<boolean> {
  if ((await recentAccountMails(db, user.id, ['verify_email'])) >= config.rateLimits.accountMailsPerHour) return false;
  await db.transaction().execute(async (trx) => {
    const token = await issueToken(trx, user.id, 'verify_email', user.email);
    await queueAccountMail(trx, config, { userId: user.id, email: user.email, name: user.display_name }, 'verify_email', token);
  });
  return true;
}

/** An admin sends the verification link again (Beheer page). 409 when the address is verified already. */
export async function adminResendVerification(db: Db, config: Config, _admin: Actor, userId: string): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user || isErased(user.email)) throw notFound('user');
  if (user.email_verified_at) throw conflict('already_verified', 'This address has been verified already.');
  if (!(await sendVerification(db, config, user))) throw new ApiError(429, 'rate_limited', 'Several mails went to this address in the last hour. Try again later.');
}

/**
 * A new address for my account takes effect once verified: the link goes to the new address and
 * the old one stays until it is used. An address another account has gets the same answer and no link.
 */
export async function requestEmailChange(db: Db, config: Config, me: Actor, email: string, password: string): Promise<void> {
  const user = await requirePassword(db, me.id, password, 'password');
  const address = email.trim();
  if (await findUserByEmail(db, address)) return;
  if ((await recentAccountMails(db, user.id, ['verify_email'])) >= config.rateLimits.accountMailsPerHour) throw new ApiError(429, 'rate_limited', 'Several mails went out for this account in the last hour. Try again later.');
  await db.transaction().execute(async (trx) => {
    const token = await issueToken(trx, user.id, 'verify_email', address);
    await queueAccountMail(trx, config, { userId: user.id, email: address, name: user.display_name }, 'verify_email', token);
  });
}

/** "Wachtwoord vergeten?": a link for a known address (within the per-account limit); nothing for an unknown one. The same answer either way. */
export async function requestPasswordReset(db: Db, config: Config, email: string): Promise<void> {
  const user = await findUserByEmail(db, email);
  if (!user || isErased(user.email)) return;
  if ((await recentAccountMails(db, user.id, ['password_reset'])) >= config.rateLimits.accountMailsPerHour) return;
  await db.transaction().execute(async (trx) => {
    const token = await issueToken(trx, user.id, 'password_reset');
    await queueAccountMail(trx, config, { userId: user.id, email: user.email, name: user.display_name }, 'password_reset', token);
  });
}

/** The reset link with a new password: set it, end every session, mail the owner. The link proves the address too. */
export async function confirmPasswordReset(db: Db, config: Config, sessions: SessionManager, token: string, password: string): Promise<void> {
  const row = await liveToken(db, 'password_reset', token, false);
  const user = await findUserById(db, row.user_id);
  if (!user) throw badRequest('invalid_token', 'This link is not valid (any more). Ask for a new one.');
  requireAcceptablePassword(password, { email: user.email, displayName: user.display_name });
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const live = await liveToken(trx, 'password_reset', token); // still unused now that it is locked
    await markTokenUsed(trx, live.id);
    await trx
      .updateTable('user')
      .set({ password_hash: passwordHash, email_verified_at: user.email_verified_at ?? new Date(), updated_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    await trx.deleteFrom('user_session').where('user_id', '=', user.id).execute();
    await trx.deleteFrom('login_failure').where('user_id', '=', user.id).execute();
    await queueAccountMail(trx, config, { userId: user.id, email: user.email, name: user.display_name }, 'password_changed');
  });
  void sessions; // every session ended in the transaction above (the row delete is what lucia does too)
}

const LOGIN_WINDOW_MS = 15 * 60_000;

/** Failed logins of the account in the window, and when the oldest one leaves it. */
async function recentFailures(db: Db, userId: string): Promise<{ count: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('login_failure')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('at').as('oldest')])
    .where('user_id', '=', userId)
    .where('at', '>', new Date(Date.now() - LOGIN_WINDOW_MS))
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldest: row.oldest ? new Date(row.oldest as unknown as string) : null };
}

export async function recordLoginFailure(db: Db, userId: string): Promise<void> {
  await db.insertInto('login_failure').values({ user_id: userId }).execute();
  // Old rows mean nothing any more.
  await db.deleteFrom('login_failure').where('user_id', '=', userId).where('at', '<', new Date(Date.now() - LOGIN_WINDOW_MS)).execute();
}

/** 429 when the account had too many failed logins in the last 15 minutes (whatever the addresses they came from). */
async function requireLoginAllowed(db: Db, config: Config, userId: string): Promise<void> {
  const { count, oldest } = await recentFailures(db, userId);
  if (count < config.rateLimits.loginFailuresPerAccount) return;
  const retryAfter = Math.max(1, Math.ceil(((oldest?.getTime() ?? Date.now()) + LOGIN_WINDOW_MS - Date.now()) / 1000));
  throw new ApiError(429, 'rate_limited', `Too many failed attempts for this account. Try again in ${Math.ceil(retryAfter / 60)} minutes.`, undefined, retryAfter);
}

export type LoginResult = { kind: 'session'; user: UserRow; cookie: string } | { kind: 'two_factor'; pendingToken: string };

/** Checks e-mail and password; ends the caller's old session and starts a new one, or a pending two-factor login. */
export async function logIn(db: Db, config: Config, sessions: SessionManager, email: string, password: string, oldSessionId: string | null): Promise<LoginResult> {
  const user = await findUserByEmail(db, email);
  if (user) await requireLoginAllowed(db, config, user.id);
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || !ok) {
    if (user) await recordLoginFailure(db, user.id);
    throw new ApiError(401, 'invalid_credentials', 'Email address or password is incorrect.');
  }
  if (!user.email_verified_at) throw new ApiError(403, 'email_unverified', 'Confirm your e-mail address first: use the link in the mail we sent you.');
  if (oldSessionId) await sessions.invalidate(oldSessionId);
  if (user.totp_enabled_at) {
    const pendingToken = await db.transaction().execute((trx) => issueToken(trx, user.id, 'login_2fa'));
    return { kind: 'two_factor', pendingToken };
  }
  await db.deleteFrom('login_failure').where('user_id', '=', user.id).execute();
  const { cookie } = await sessions.create(user.id);
  return { kind: 'session', user, cookie };
}

const MAX_CODE_ATTEMPTS = 5;

/** The second step of a login: a TOTP or recovery code with the pending token. 401 for a wrong or replayed code. */
export async function completeTwoFactorLogin(db: Db, config: Config, sessions: SessionManager, pendingToken: string | undefined, code: string): Promise<{ user: UserRow; cookie: string }> {
  const wrong = () => new ApiError(401, 'invalid_code', 'This code is not correct (or was used already).');
  const expired = () => new ApiError(401, 'two_factor_expired', 'Log in again: the sign-in has expired.');
  let userId: string;
  try {
    userId = (await liveToken(db, 'login_2fa', pendingToken, false)).user_id;
  } catch {
    throw expired();
  }
  await requireLoginAllowed(db, config, userId);
  const accepted = await db.transaction().execute(async (trx) => {
    const row = await liveToken(trx, 'login_2fa', pendingToken).catch(() => null);
    if (!row || row.attempts >= MAX_CODE_ATTEMPTS) return 'expired' as const;
    if (await acceptSecondFactor(trx, row.user_id, code)) {
      await markTokenUsed(trx, row.id);
      return 'ok' as const;
    }
    await trx.updateTable('account_token').set({ attempts: row.attempts + 1 }).where('id', '=', row.id).execute();
    return 'wrong' as const;
  });
  if (accepted === 'expired') throw expired();
  if (accepted === 'wrong') {
    await recordLoginFailure(db, userId);
    throw wrong();
  }
  await db.deleteFrom('login_failure').where('user_id', '=', userId).execute();
  const user = (await findUserById(db, userId))!;
  const { cookie } = await sessions.create(userId);
  return { user, cookie };
}

export async function myAccount(db: Db, me: Actor): Promise<UserRow> {
  const user = await findUserById(db, me.id);
  if (!user) throw notFound('user');
  return user;
}

/** Updates my profile (never the role). */
export async function updateProfile(db: Db, me: Actor, b: Static<typeof UpdateMeBody>): Promise<UserRow> {
  if (b.organisation !== undefined) {
    const current = await myAccount(db, me);
    if (!mayEditOrganisationName({ organisationId: current.organisation_id }) && b.organisation.trim() !== current.organisation) {
      throw new ApiError(403, 'organisation_verified', 'Your organisation is verified through your e-mail address and cannot be changed here.');
    }
  }
  // The own name sent back unchanged (the settings form sends every field) is no claim: an account
  // that kept a look-alike name from before migration 0012 can still save its profile.
  const current = b.displayName !== undefined ? await findUserById(db, me.id) : undefined;
  const unchanged = current !== undefined && current !== null && normaliseDisplayName(b.displayName ?? '') === current.display_name;
  const display = b.displayName !== undefined && !unchanged ? await claimableDisplayName(db, b.displayName, me.id) : null;
  return db
    .transaction()
    .execute(async (trx) => {
      const row = await trx
        .updateTable('user')
        .set({
          ...(display ? { display_name: display.name, display_name_skeleton: display.skeleton } : {}),
          ...(b.jobTitle !== undefined ? { job_title: b.jobTitle.trim() } : {}),
          ...(b.organisation !== undefined ? { organisation: b.organisation.trim() } : {}),
          ...(b.bio !== undefined ? { bio: b.bio.trim() } : {}),
          ...(b.locale !== undefined ? { locale: b.locale } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', me.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (display || b.jobTitle !== undefined || b.organisation !== undefined) await announceAuthorChange(trx, me.id, me.id);
      return row;
    })
    .catch((err: unknown) => {
      if (isUniqueViolation(err, 'user_display_name_skeleton_idx')) throw nameTaken();
      throw err;
    });
}

/** Changes my password after checking the current one; every session ends and a new one starts. */
export async function changePassword(db: Db, sessions: SessionManager, me: Actor, input: Static<typeof ChangePasswordBody>): Promise<{ user: UserRow; cookie: string }> {
  const user = await requirePassword(db, me.id, input.currentPassword, 'currentPassword');
  try {
    requireAcceptablePassword(input.newPassword, { email: user.email, displayName: user.display_name });
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(400, 'validation_failed', err.message, { newPassword: err.message });
    throw err;
  }
  await db.updateTable('user').set({ password_hash: await hashPassword(input.newPassword), updated_at: new Date() }).where('id', '=', me.id).execute();
  await sessions.invalidateAllForUser(me.id);
  const { cookie } = await sessions.create(me.id);
  return { user, cookie };
}

/** Appoints experts, moderators and admins (admins only, checked by the route); in the audit log. */
export async function setRole(db: Db, admin: Actor, userId: string, input: Static<typeof SetRoleBody>): Promise<UserRow> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('user').select('role').where('id', '=', userId).forUpdate().executeTakeFirst();
    if (!before) throw notFound('user');
    if (before.role === 'admin' && input.role !== 'admin') await requireAnotherAdmin(trx, userId);
    const updated = await trx.updateTable('user').set({ role: input.role, updated_at: new Date() }).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
    await recordAction(trx, { actorId: admin.id, action: 'set_role', targetType: 'user', targetId: updated.id, reason: input.reason?.trim(), data: { from: before.role, to: updated.role } });
    await announceAuthorChange(trx, updated.id, updated.id);
    return updated;
  });
}

/**
 * 409 last_admin unless an admin other than `userId` remains (demoting or deleting the last one
 * would leave nobody to run the forum). Admin rows are locked, so two admins cannot step down at once.
 */
export async function requireAnotherAdmin(trx: Transaction<Database>, userId: string): Promise<void> {
  const admins = await trx.selectFrom('user').select('id').where('role', '=', 'admin').orderBy('id').forUpdate().execute();
  if (!admins.some((a) => a.id !== userId)) throw conflict('last_admin', 'You are the last admin: appoint another admin first.');
}

export async function publicProfile(db: Db, userId: string): Promise<UserRow> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound('user');
  return user;
}
