// The seam other domains use to tell a user something (video sessions, moderation, ...).
// Owned by server/notifications, which groups, pushes and mails what is written here.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { appendEvent } from '../realtime/outbox';

export interface NewNotification {
  userId: string;
  kind: string;
  threadId?: string | null;
  postId?: string | null;
  actorId?: string | null;
  data?: Record<string, unknown>;
  /** Unread notifications with the same key are merged into one with a count. */
  groupKey?: string | null;
}

/** Stores a notification in the caller's transaction and pushes it on the user's topic. Never to the actor. */
export async function notify(trx: Transaction<Database>, n: NewNotification): Promise<void> {
  if (n.actorId && n.actorId === n.userId) return;
  const row = await trx
    .insertInto('notification')
    .values({
      user_id: n.userId,
      kind: n.kind,
      thread_id: n.threadId ?? null,
      post_id: n.postId ?? null,
      actor_id: n.actorId ?? null,
      data: JSON.stringify(n.data ?? {}),
      group_key: n.groupKey ?? null,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    topic: `user:${n.userId}`,
    type: 'notification.created',
    payload: { id: row.id, kind: n.kind, threadId: n.threadId ?? null, postId: n.postId ?? null, data: n.data ?? {}, createdAt: row.created_at.toISOString() },
    audience: `user:${n.userId}`,
  });
}
