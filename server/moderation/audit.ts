import type { Transaction } from 'kysely';
import { isModerator } from '../policy';
import type { Actor } from '../policy';
import type { Database } from '../db/schema';

export interface AuditRecord {
  actorId: string;
  action: string;
  targetType: 'thread' | 'post' | 'user' | 'report' | 'channel' | 'video_session';
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

/**
 * For other domains: logs what a moderator or admin does to someone else's content (editing or
 * deleting another member's post, cancelling another organiser's session, ...), in the caller's
 * transaction. Members acting on their own things are not moderating: nothing is written then.
 */
export async function recordIfModerating(
  trx: Transaction<Database>,
  actor: Actor,
  ownerId: string | null,
  record: Omit<AuditRecord, 'actorId'>,
): Promise<boolean> {
  if (ownerId === actor.id || !isModerator(actor)) return false;
  await recordAction(trx, { ...record, actorId: actor.id });
  return true;
}
