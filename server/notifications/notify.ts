import { topics } from '../../shared/events';
// The seam other domains use to tell a user something (replies, video sessions, moderation, ...).
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../db/schema';
import { type NewEvent, appendEvents } from '../realtime/outbox';
import { channelVisibleToUserSql } from '../policy';
import { erasedAccount } from '../accounts/users';
import { unreadCounts } from './visibility';

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
  await notifyMany(trx, [n]);
}

/**
 * The same for many recipients in a few set-based statements plus one live event each (fan-out to the watchers
 * of a thread or channel). Grouping is an upsert on the open-group unique index, so two replies posted
 * at the same moment merge instead of one of them failing on the index. The events are appended last:
 * appending locks the event counter until commit, and nothing slow should follow it.
 */
export async function notifyMany(trx: Transaction<Database>, list: NewNotification[]): Promise<void> {
  await appendEvents(trx, await storeNotifications(trx, list));
}

/**
 * notifyMany without the append: stores the notifications and returns their live events, for a
 * caller that appends them together with its own (the event counter is then locked once, at the end
 * of its transaction).
 */
export async function storeNotifications(trx: Transaction<Database>, list: NewNotification[]): Promise<NewEvent[]> {
  const seen = new Set<string>();
  let items = list.filter((n) => {
    if (n.actorId && n.actorId === n.userId) return false;
    if (!n.groupKey) return true;
    const key = `${n.userId}\u0000${n.groupKey}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!items.length) return [];
  items = await withoutUnreachable(trx, items);
  if (!items.length) return [];
  // One array per column (unnest), not a row of parameters per recipient: 7 parameters in all, where
  // 10,000 watchers made 70,000 and passed PostgreSQL's limit of 65,535 per statement.
  const column = <T>(pick: (n: NewNotification) => T) => items.map(pick);
  const rows = await trx
    .insertInto('notification')
    .columns(['user_id', 'kind', 'thread_id', 'post_id', 'actor_id', 'data', 'group_key'])
    .expression(
      sql`select * from unnest(
        ${column((n) => n.userId)}::bigint[], ${column((n) => n.kind)}::text[], ${column((n) => n.threadId ?? null)}::bigint[],
        ${column((n) => n.postId ?? null)}::bigint[], ${column((n) => n.actorId ?? null)}::bigint[],
        ${column((n) => JSON.stringify(n.data ?? {}))}::jsonb[], ${column((n) => n.groupKey ?? null)}::text[])`,
    )
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'group_key'])
        .where(sql<boolean>`read_at is null and group_key is not null`)
        .doUpdateSet({
          count: sql`notification.count + 1`,
          updated_at: sql`clock_timestamp()`,
          data: sql`excluded.data`,
          post_id: sql`excluded.post_id`,
          actor_id: sql`excluded.actor_id`,
          email_status: 'pending',
        }),
    )
    .returning(['id', 'user_id', 'kind', 'thread_id', 'post_id', 'data', 'count', 'created_at', 'updated_at'])
    .execute();
  const unread = await unreadCounts(trx, items.map((n) => n.userId));
  // One batch of events for all recipients: the event lock is taken once, not once per person.
  return rows.map(
    (row): NewEvent => ({
      topic: topics.user(row.user_id),
      type: 'notification.created' as const,
      payload: {
        notification: { id: row.id, kind: row.kind, threadId: row.thread_id, postId: row.post_id, count: row.count, data: row.data, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(), read: false },
        unreadCount: unread.get(row.user_id) ?? 0,
      },
      audience: `user:${row.user_id}`,
    }),
  );
}

/**
 * Leaves out, in one read, notifications to erased accounts and about threads in channels closed to
 * their recipient (no row, no push, no mail).
 */
async function withoutUnreachable(trx: Transaction<Database>, items: NewNotification[]): Promise<NewNotification[]> {
  const { rows } = await sql<{ i: string }>`
    select x.i::text as i
    from unnest(${items.map((n) => n.userId)}::bigint[], ${items.map((n) => n.threadId ?? null)}::bigint[]) with ordinality as x(uid, tid, i)
    join "user" u on u.id = x.uid
    where not ${erasedAccount('u.email')}
      and (x.tid is null or exists (select 1 from thread t where t.id = x.tid and ${channelVisibleToUserSql('t.channel_id', 'x.uid')}))
  `.execute(trx);
  const kept = new Set(rows.map((r) => Number(r.i) - 1));
  return items.filter((_, i) => kept.has(i));
}

/** Everything this domain holds about a user, for their data export (AVG inzageverzoek). */
export async function notificationDataOf(db: Kysely<Database>, userId: string) {
  const [notifications, subscriptions] = await Promise.all([
    db.selectFrom('notification').select(['id', 'kind', 'thread_id', 'data', 'read_at', 'created_at']).where('user_id', '=', userId).orderBy('id').execute(),
    db.selectFrom('subscription').select(['target_type', 'target_id', 'level']).where('user_id', '=', userId).execute(),
  ]);
  return { notifications, subscriptions };
}

/**
 * Forgets a user's notifications, subscriptions and mail setting (their account is erased), and their
 * name in the notices others got about what they did: those now say `erasedName`.
 */
export async function eraseNotificationDataOf(trx: Transaction<Database>, userId: string, erasedName: string): Promise<void> {
  await trx.deleteFrom('notification').where('user_id', '=', userId).execute();
  await trx
    .updateTable('notification')
    .set({ data: sql`jsonb_set(data, '{actorName}', to_jsonb(${erasedName}::text))` })
    .where('actor_id', '=', userId)
    .where(sql<boolean>`data ? 'actorName'`)
    .execute();
  await trx.deleteFrom('subscription').where('user_id', '=', userId).execute();
  await trx.deleteFrom('notification_setting').where('user_id', '=', userId).execute();
}

export type MailFrequency = 'immediately' | 'daily' | 'never';

/** How often a user wants mail ('immediately', batched, when they never chose). */
export async function mailFrequency(db: Kysely<Database>, userId: string): Promise<MailFrequency> {
  const row = await db.selectFrom('notification_setting').select('email_frequency').where('user_id', '=', userId).executeTakeFirst();
  return row?.email_frequency ?? 'immediately';
}

export async function setMailFrequency(db: Kysely<Database>, userId: string, frequency: MailFrequency): Promise<MailFrequency> {
  await db.insertInto('notification_setting').values({ user_id: userId, email_frequency: frequency, last_digest_at: null }).onConflict((oc) => oc.column('user_id').doUpdateSet({ email_frequency: frequency })).execute();
  return frequency;
}
