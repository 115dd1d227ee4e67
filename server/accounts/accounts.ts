// Accounts: sign up, log in, the profile, the password, roles. Plain domain functions; the session
// manager (session.ts) is passed in where a session starts or ends.
import type { Static } from '@sinclair/typebox';
import type { Selectable } from 'kysely';
import type { ChangePasswordBody, SetRoleBody, SignupBody, UpdateMeBody } from '../../shared/schemas/accounts';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import type { UserTable } from '../db/tables/accounts';
import { ApiError, conflict, notFound } from '../http/errors';
import { recordAction } from '../moderation/audit';
import { type Actor, mayEditOrganisationName } from '../policy';
import { hashPassword, requirePassword, verifyPassword } from './password';
import type { SessionManager } from './session';
import { findUserByEmail, findUserById } from './users';

type UserRow = Selectable<UserTable>;

/** Creates an account; the new user and the cookie of its first session. */
export async function signUp(db: Db, sessions: SessionManager, input: Static<typeof SignupBody>): Promise<{ user: UserRow; cookie: string }> {
  const passwordHash = await hashPassword(input.password);
  let user: UserRow;
  try {
    user = await db
      .insertInto('user')
      .values({ email: input.email.trim(), display_name: input.displayName.trim(), password_hash: passwordHash, avatar_key: null, suspended_until: null, suspension_reason: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err, 'user_email_lower_idx')) throw conflict('email_taken', 'An account with this email address already exists.');
    throw err;
  }
  const { cookie } = await sessions.create(user.id);
  return { user, cookie };
}

/** Checks e-mail and password; ends the caller's old session and starts a new one. */
export async function logIn(db: Db, sessions: SessionManager, email: string, password: string, oldSessionId: string | null): Promise<{ user: UserRow; cookie: string }> {
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || !ok) throw new ApiError(401, 'invalid_credentials', 'Email address or password is incorrect.');
  if (oldSessionId) await sessions.invalidate(oldSessionId);
  const { cookie } = await sessions.create(user.id);
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
  return db
    .updateTable('user')
    .set({
      ...(b.displayName !== undefined ? { display_name: b.displayName.trim() } : {}),
      ...(b.jobTitle !== undefined ? { job_title: b.jobTitle.trim() } : {}),
      ...(b.organisation !== undefined ? { organisation: b.organisation.trim() } : {}),
      ...(b.bio !== undefined ? { bio: b.bio.trim() } : {}),
      ...(b.locale !== undefined ? { locale: b.locale } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', me.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Changes my password after checking the current one; every session ends and a new one starts. */
export async function changePassword(db: Db, sessions: SessionManager, me: Actor, input: Static<typeof ChangePasswordBody>): Promise<{ user: UserRow; cookie: string }> {
  const user = await requirePassword(db, me.id, input.currentPassword, 'currentPassword');
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
    const updated = await trx.updateTable('user').set({ role: input.role, updated_at: new Date() }).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
    await recordAction(trx, { actorId: admin.id, action: 'set_role', targetType: 'user', targetId: updated.id, reason: input.reason?.trim(), data: { from: before.role, to: updated.role } });
    return updated;
  });
}

export async function publicProfile(db: Db, userId: string): Promise<UserRow> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound('user');
  return user;
}
