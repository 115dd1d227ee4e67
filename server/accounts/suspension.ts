// The suspension columns of an account: moderation decides, the accounts domain writes them.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { notFound } from '../http/errors';

/** The account's role and suspension, row-locked for the rest of the transaction; 404 when there is none. */
export async function lockAccountForSuspension(trx: Transaction<Database>, userId: string) {
  const user = await trx.selectFrom('user').select(['id', 'role', 'suspended_until', 'suspension_reason']).where('id', '=', userId).forUpdate().executeTakeFirst();
  if (!user) throw notFound('user');
  return user;
}

/** Suspends the account until `until` with a reason, or lifts the suspension (null). */
export async function setSuspension(trx: Transaction<Database>, userId: string, suspension: { until: Date; reason: string } | null): Promise<void> {
  await trx
    .updateTable('user')
    .set({ suspended_until: suspension?.until ?? null, suspension_reason: suspension?.reason ?? null, updated_at: new Date() })
    .where('id', '=', userId)
    .execute();
}
