import type { Static } from '@sinclair/typebox';
import type { Transaction } from 'kysely';
import { IdCursor } from '../../shared/schemas/common';
import type { AuditEntry, AuditQuery } from '../../shared/schemas/moderation';
import { authorColumnsOf, toAuthor } from '../accounts/present';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { type Actor, isModerator } from '../policy';

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

/** The audit log, newest first, filterable; keyset pagination. There is no function to change it. */
export async function listAuditLog(db: Db, _mod: Actor, q: Static<typeof AuditQuery>): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const after = decodeCursor(IdCursor, q.cursor);
  let query = db
    .selectFrom('moderation_action as m')
    .innerJoin('user as u', 'u.id', 'm.actor_id')
    .select(['m.id as mid', 'm.action', 'm.target_type', 'm.target_id', 'm.reason', 'm.data', 'm.created_at', ...authorColumnsOf('u')])
    .orderBy('m.id', 'desc')
    .limit(limit + 1);
  if (q.actor) query = query.where('m.actor_id', '=', q.actor);
  if (q.targetType) query = query.where('m.target_type', '=', q.targetType);
  if (q.targetId) query = query.where('m.target_id', '=', q.targetId);
  if (q.action) query = query.where('m.action', '=', q.action);
  if (after) query = query.where('m.id', '<', after.id);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ id: r.mid, actor: toAuthor(r), action: r.action, targetType: r.target_type, targetId: r.target_id, reason: r.reason, data: r.data, createdAt: r.created_at.toISOString() })),
    nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1].mid }) : null,
  };
}
