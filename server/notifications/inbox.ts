// The bell: my notifications, newest first, with the unread count, and marking them read. Only what I
// may still see is listed (visibility.ts), so the count never includes what the list leaves out.
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { UNSIGNED_BIGINT_PATTERN } from '../../shared/schemas/common';
import type { Notification } from '../../shared/schemas/notifications';
import type { Db } from '../db';
import { decodeCursor, encodeCursor } from '../http/cursor';
import type { Actor } from '../policy';
import { describeNotification } from './mail';
import { unreadCount, visibleNotification } from './visibility';

const Cursor = Type.Object({ us: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }), id: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }) }, { additionalProperties: false });

/** One page of my notifications with the unread count. */
export async function listNotifications(db: Db, user: Actor, query: { cursor?: string; limit?: number }): Promise<{ items: Notification[]; nextCursor: string | null; unreadCount: number }> {
  const limit = query.limit ?? 30;
  const after = decodeCursor(Cursor, query.cursor);
  // What the user may no longer see (a post hidden or deleted since) is left out, except their own.
  let q = db
    .selectFrom('notification as n')
    .leftJoin('post as p', 'p.id', 'n.post_id')
    .select(['n.id', 'n.kind', 'n.thread_id', 'n.post_id', 'n.count', 'n.data', 'n.read_at', 'n.created_at', 'n.updated_at', sql<string>`(extract(epoch from n.updated_at) * 1000000)::bigint::text`.as('us')])
    .where('n.user_id', '=', user.id)
    .where(visibleNotification)
    .orderBy('n.updated_at', 'desc')
    .orderBy('n.id', 'desc')
    .limit(limit + 1);
  if (after) q = q.where(sql<boolean>`(n.updated_at, n.id) < (timestamptz 'epoch' + ${after.us}::bigint * interval '1 microsecond', ${after.id}::bigint)`);
  const [rows, unread] = await Promise.all([q.execute(), unreadCount(db, user.id)]);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      threadId: r.thread_id,
      postId: r.post_id,
      count: r.count,
      text: describeNotification(r.kind, r.count, r.data),
      data: r.data,
      read: r.read_at !== null,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    })),
    nextCursor: rows.length > limit ? encodeCursor({ us: page[page.length - 1].us, id: page[page.length - 1].id }) : null,
    unreadCount: unread,
  };
}

/** Marks some (`ids`) or all of my notifications read; the unread count after. */
export async function markRead(db: Db, user: Actor, which: { ids: string[] } | { all: true }): Promise<number> {
  let q = db.updateTable('notification').set({ read_at: new Date() }).where('user_id', '=', user.id).where('read_at', 'is', null);
  if ('ids' in which) q = q.where('id', 'in', which.ids);
  await q.execute();
  return unreadCount(db, user.id);
}
