import { hash, verify } from '@node-rs/argon2';
import { NewPassword } from '../../shared/schemas/accounts';
import type { Db } from '../db';
import { ApiError } from '../http/errors';
import { findUserById } from './users';

// argon2id with the parameters of the OWASP minimum (set explicitly, not left to library defaults).
// `algorithm: 2` is Algorithm.Argon2id (an ambient const enum, not importable under isolatedModules).
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * Why `password` cannot be a new password, or null when it can: the lengths of the NewPassword schema
 * the API checks sign-up and password changes against, counted in characters (code points) as its
 * validator counts them. For places the schema does not guard, such as scripts/create-admin.ts.
 */
export function newPasswordProblem(password: string): string | null {
  const length = [...password].length;
  const { minLength, maxLength } = NewPassword;
  return length < minLength! || length > maxLength! ? `must be ${minLength} to ${maxLength} characters` : null;
}

// Verified against when the email is unknown, so both failures take the same time.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    dummyHash ??= hashPassword('plein-timing-equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/**
 * The signed-in user's row when `given` is their password; otherwise 400 validation_failed with `field`
 * marked incorrect. For actions a password confirms: changing it, erasing the account.
 */
export async function requirePassword(db: Db, userId: string, given: string, field: 'password' | 'currentPassword') {
  const user = await findUserById(db, userId);
  if (!user || !(await verifyPassword(user.password_hash, given))) {
    throw new ApiError(400, 'validation_failed', `The ${field === 'currentPassword' ? 'current ' : ''}password is incorrect.`, { [field]: 'is incorrect' });
  }
  return user;
}
