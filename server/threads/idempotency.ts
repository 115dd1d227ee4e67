import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { isUniqueViolation } from '../db/errors';
import { ApiError, badRequest } from '../http/errors';

export type IdempotentResultType = 'thread' | 'post';

/** The request's Idempotency-Key header, validated (printable, at most 200 characters). */
function idempotencyKey(request: FastifyRequest): string | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1–200 printable characters.', { 'idempotency-key': 'must be 1–200 printable characters' });
  }
  return key;
}

const reused = () => new ApiError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used for another kind of request.');

/**
 * The id created earlier with this user's key, or null when the key is new. A key used for the
 * other kind of request (a thread key on a reply) is a client bug: 409.
 */
async function findIdempotentResult(db: Db, userId: string, key: string, type: IdempotentResultType): Promise<string | null> {
  const row = await db
    .selectFrom('idempotency_key')
    .select(['result_id', 'result_type'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return null;
  if (row.result_type !== type) throw reused();
  return row.result_id;
}

/** Records the result in the creating transaction; a concurrent duplicate fails on the primary key. */
async function recordIdempotentResult(trx: Transaction<Database>, userId: string, key: string, type: IdempotentResultType, id: string) {
  await trx.insertInto('idempotency_key').values({ user_id: userId, key, result_type: type, result_id: id }).execute();
}

/** Remembers the created id under the request's key, in the creating transaction (nothing without a key). */
export type RememberResult = (trx: Transaction<Database>, id: string) => Promise<void>;

/**
 * The Idempotency-Key flow of a create route: an earlier result for the request's key is replayed;
 * otherwise `create` runs (it validates, writes, calls `remember` in its transaction and answers).
 * A simultaneous duplicate that committed first fails ours on the primary key: its result is
 * replayed instead.
 */
export async function createIdempotently<T>(
  db: Db,
  request: FastifyRequest,
  userId: string,
  type: IdempotentResultType,
  steps: { create: (remember: RememberResult) => Promise<T>; replay: (id: string) => Promise<T> },
): Promise<T> {
  const key = idempotencyKey(request);
  if (key) {
    const existing = await findIdempotentResult(db, userId, key, type);
    if (existing) return steps.replay(existing);
  }
  const remember: RememberResult = async (trx, id) => {
    if (key) await recordIdempotentResult(trx, userId, key, type, id);
  };
  try {
    return await steps.create(remember);
  } catch (err) {
    if (key && isUniqueViolation(err, 'idempotency_key_pkey')) {
      const existing = await findIdempotentResult(db, userId, key, type);
      if (existing) return steps.replay(existing);
    }
    throw err;
  }
}
