// Single-use tokens for mail links and the pending two-factor login. The token goes to the user;
// only its SHA-256 is stored, so a leaked database holds no usable link.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { AccountTokenTable } from '../db/tables/accounts';
import { badRequest } from '../http/errors';
import { hashToken } from './session';

export type TokenKind = AccountTokenTable['kind'];

export const TOKEN_LIFETIME_MS: Record<TokenKind, number> = {
  verify_email: 24 * 3600_000,
  password_reset: 3600_000,
  login_2fa: 5 * 60_000,
};

/** A new token of this kind for the user; earlier unused ones of the kind stop working. */
export async function issueToken(trx: Transaction<Database>, userId: string, kind: TokenKind, email: string | null = null): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await trx.updateTable('account_token').set({ used_at: new Date() }).where('user_id', '=', userId).where('kind', '=', kind).where('used_at', 'is', null).execute();
  await trx
    .insertInto('account_token')
    .values({ user_id: userId, kind, token_hash: hashToken(token), email, expires_at: new Date(Date.now() + TOKEN_LIFETIME_MS[kind]) })
    .execute();
  return token;
}

const invalid = () => badRequest('invalid_token', 'This link is not valid (any more). Ask for a new one.');

/** The live token row (row-locked for the transaction), or 400 invalid_token for an expired, used or forged one. */
export async function liveToken(executor: Kysely<Database> | Transaction<Database>, kind: TokenKind, token: string | undefined, lock = true) {
  if (!token || token.length > 200) throw invalid();
  let query = executor.selectFrom('account_token').selectAll().where('token_hash', '=', hashToken(token)).where('kind', '=', kind);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row || row.used_at !== null || row.expires_at.getTime() <= Date.now()) throw invalid();
  return row;
}

export async function markTokenUsed(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.updateTable('account_token').set({ used_at: new Date() }).where('id', '=', id).execute();
}
