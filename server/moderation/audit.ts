import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';

export interface AuditRecord {
  actorId: string;
  action: string;
  targetType: 'thread' | 'post' | 'user' | 'report';
  targetId: string;
  reason?: string;
  data?: Record<string, unknown>;
}

/** Writes one audit row in the caller's transaction: the action and its record stand or fall together. */
export async function recordAction(trx: Transaction<Database>, a: AuditRecord): Promise<void> {
  await trx
    .insertInto('moderation_action')
    .values({ actor_id: a.actorId, action: a.action, target_type: a.targetType, target_id: a.targetId, reason: a.reason ?? '', data: JSON.stringify(a.data ?? {}) })
    .execute();
}
