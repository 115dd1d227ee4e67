// Two-factor sign-in: TOTP (RFC 6238, otplib) and single-use recovery codes, stored hashed.
import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { Transaction } from 'kysely';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { ApiError, conflict, invalidField } from '../http/errors';
import { recordAction } from '../moderation/audit';
import type { Actor } from '../policy';
import { requirePassword } from './password';
import { findUserById } from './users';

const RECOVERY_CODES = 10;
/** One 30-second step either side: a phone clock a little off still works. */
const TOLERANCE_S = 30;

const hashCode = (code: string) => createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex');

function newRecoveryCode(): string {
  // 10 characters from a set without look-alikes, shown as xxxxx-xxxxx.
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Starts (or restarts) setting up: a new secret, not yet in use. 409 when two-factor is already on. */
export async function beginTwoFactorSetup(db: Db, me: Actor, issuer: string): Promise<{ secret: string; otpauthUrl: string }> {
  const user = await findUserById(db, me.id);
  if (!user) throw new ApiError(404, 'not_found', 'This user does not exist.');
  if (user.totp_enabled_at) throw conflict('two_factor_enabled', 'Two-factor sign-in is already on.');
  const secret = generateSecret();
  await db.updateTable('user').set({ totp_secret: secret, updated_at: new Date() }).where('id', '=', me.id).execute();
  return { secret, otpauthUrl: generateURI({ issuer, label: user.email, secret }) };
}

/** The time step of a valid code newer than the last one used, or null. */
async function acceptedStep(secret: string, code: string, lastStep: string | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({ secret, token: code, epochTolerance: TOLERANCE_S, ...(lastStep !== null ? { afterTimeStep: Number(lastStep) } : {}) }).catch(() => null);
  return result?.valid ? ((result as { timeStep?: number }).timeStep ?? null) : null;
}

/** Turns two-factor on with a first code from the app; answers the recovery codes (shown once). */
export async function enableTwoFactor(db: Db, me: Actor, code: string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('user').select(['totp_secret', 'totp_enabled_at', 'totp_last_step']).where('id', '=', me.id).forUpdate().executeTakeFirstOrThrow();
    if (user.totp_enabled_at) throw conflict('two_factor_enabled', 'Two-factor sign-in is already on.');
    if (!user.totp_secret) throw conflict('two_factor_not_set_up', 'Start setting up two-factor sign-in first.');
    const step = await acceptedStep(user.totp_secret, code.trim(), user.totp_last_step);
    if (step === null) throw new ApiError(400, 'invalid_code', 'This code is not correct. Check the time on your phone and try the newest code.', { code: 'is not correct' });
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await trx.updateTable('user').set({ totp_enabled_at: new Date(), totp_last_step: String(step), updated_at: new Date() }).where('id', '=', me.id).execute();
    await trx.deleteFrom('recovery_code').where('user_id', '=', me.id).execute();
    await trx.insertInto('recovery_code').values(codes.map((c) => ({ user_id: me.id, code_hash: hashCode(c) }))).execute();
    return codes;
  });
}

/**
 * Checks a second factor in the caller's transaction: a TOTP code not used before, or an unused
 * recovery code (then used up). True when accepted.
 */
export async function acceptSecondFactor(trx: Transaction<Database>, userId: string, code: string): Promise<boolean> {
  const user = await trx.selectFrom('user').select(['totp_secret', 'totp_enabled_at', 'totp_last_step']).where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
  if (!user.totp_enabled_at || !user.totp_secret) return false;
  const given = code.trim();
  const step = await acceptedStep(user.totp_secret, given, user.totp_last_step);
  if (step !== null) {
    await trx.updateTable('user').set({ totp_last_step: String(step) }).where('id', '=', userId).execute();
    return true;
  }
  const used = await trx
    .updateTable('recovery_code')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashCode(given))
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return !!used;
}

/** Turns two-factor off: the password and a current code (or a recovery code) confirm it. */
export async function disableTwoFactor(db: Db, me: Actor, password: string, code: string): Promise<void> {
  await requirePassword(db, me.id, password, 'password');
  await db.transaction().execute(async (trx) => {
    if (!(await acceptSecondFactor(trx, me.id, code))) throw invalidField('code', 'is not correct');
    await clearTwoFactor(trx, me.id);
  });
}

async function clearTwoFactor(trx: Transaction<Database>, userId: string): Promise<void> {
  await trx.updateTable('user').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: new Date() }).where('id', '=', userId).execute();
  await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
}

/** An admin turns someone's two-factor off (a lost phone); in the audit log. */
export async function resetTwoFactor(db: Db, admin: Actor, userId: string, reason?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('user').select(['id', 'totp_secret']).where('id', '=', userId).forUpdate().executeTakeFirst();
    if (!user) throw new ApiError(404, 'not_found', 'This user does not exist.');
    await clearTwoFactor(trx, userId);
    await recordAction(trx, { actorId: admin.id, action: 'reset_2fa', targetType: 'user', targetId: userId, reason: reason?.trim() });
  });
}

/** Unused recovery codes left (shown on the settings page). */
export async function recoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom('recovery_code').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}
