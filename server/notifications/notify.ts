// The seam other domains use to tell a user something (replies, video sessions, moderation, ...).
import { type Transaction, sql } from 'kysely';
import type { Database } from '../db/schema';
import { appendEvent } from '../realtime/outbox';
import { unreadCount } from './visibility';

export interface NewNotification {
  userId: string;
  kind: string;
  threadId?: string | null;
  postId?: string | null;
  actorId?: string | null;
  data?: Record<string, unknown>;
  /** Unread notifications with the same key are merged into one with a count ("10 nieuwe reacties op …"). */
  groupKey?: string | null;
}

/**
 * Stores a notification in the caller's transaction (merged into an open group when there is one) and
 * pushes it live on the user's topic. Never to the actor themselves. Mail goes out from the table
 * (email_status = 'pending') — see mail.ts.
 */
export async function notify(trx: Transaction<Database>, n: NewNotification): Promise<void> {
  if (n.actorId && n.actorId === n.userId) return;
  const data = JSON.stringify(n.data ?? {});
  let row: { id: string; count: number; created_at: Date } | undefined;
  if (n.groupKey) {
    row = await trx
      .updateTable('notification')
      .set({ count: sql`count + 1`, updated_at: new Date(), data, post_id: n.postId ?? null, actor_id: n.actorId ?? null, email_status: 'pending' })
      .where('user_id', '=', n.userId)
      .where('group_key', '=', n.groupKey)
      .where('read_at', 'is', null)
      .returning(['id', 'count', 'created_at'])
      .executeTakeFirst();
  }
  row ??= await trx
    .insertInto('notification')
    .values({ user_id: n.userId, kind: n.kind, thread_id: n.threadId ?? null, post_id: n.postId ?? null, actor_id: n.actorId ?? null, data, group_key: n.groupKey ?? null })
    .returning(['id', 'count', 'created_at'])
    .executeTakeFirstOrThrow();
  const unread = await unreadCount(trx, n.userId);
  await appendEvent(trx, {
    topic: `user:${n.userId}`,
    type: 'notification.created',
    payload: {
      notification: { id: row.id, kind: n.kind, threadId: n.threadId ?? null, postId: n.postId ?? null, count: row.count, data: n.data ?? {}, createdAt: row.created_at.toISOString(), read: false },
      unreadCount: unread,
    },
    audience: `user:${n.userId}`,
  });
}
