// What a user may still see of their notifications: one rule for the list, the unread count, the live
// push and mail, so the badge never counts something the list does not show.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import { channelVisibleToUserSql, isModeratorSql } from '../policy';

/**
 * For `notification as n` left-joined to `post as p`: a notification about a post is shown while the
 * post is neither hidden nor deleted — except to its author, to moderators and admins, and the
 * "your post was hidden" notice itself.
 */
export const visibleNotification = sql<boolean>`((
  p.id is null
  or n.kind = 'post_hidden'
  or (p.deleted_at is null and (
    p.hidden_at is null
    or p.author_id = n.user_id
    or exists (select 1 from "user" viewer where viewer.id = n.user_id and ${isModeratorSql('viewer')})
  ))
) and (
  -- Nothing from a channel closed to the user (one they left, or a thread moved into one).
  n.thread_id is null
  or exists (select 1 from thread nt where nt.id = n.thread_id and ${channelVisibleToUserSql('nt.channel_id', 'n.user_id')})
))`;

/** Unread notifications the user may see. Works in and outside a transaction. */
export async function unreadCount(db: Kysely<Database>, userId: string): Promise<number> {
  return (await unreadCounts(db, [userId])).get(userId) ?? 0;
}

/** The same for several users in one query: every given user is in the map, with 0 when nothing is unread. */
export async function unreadCounts(db: Kysely<Database>, userIds: string[]): Promise<Map<string, number>> {
  const ids = [...new Set(userIds)];
  const counts = new Map(ids.map((id) => [id, 0]));
  if (!ids.length) return counts;
  const rows = await db
    .selectFrom('notification as n')
    .leftJoin('post as p', 'p.id', 'n.post_id')
    .select(['n.user_id', (eb) => eb.fn.countAll<string>().as('n')])
    // One array parameter, not an IN list of thousands (a reply to a thread with 5,000 watchers).
    .where('n.user_id', '=', sql<string>`any(${ids}::bigint[])`)
    .where('n.read_at', 'is', null)
    .where(visibleNotification)
    .groupBy('n.user_id')
    .execute();
  for (const r of rows) counts.set(r.user_id, Number(r.n));
  return counts;
}
