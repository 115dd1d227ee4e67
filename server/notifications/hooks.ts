// Called by server/threads inside the transaction that creates a thread or reply, so notifications
// and automatic subscriptions stand or fall with the post itself.
import { type Transaction, sql } from 'kysely';
import type { Database } from '../db/schema';
import { mentionedUserIds } from './mentions';
import type { NewEvent } from '../realtime/outbox';
import { type NewNotification, storeNotifications } from './notify';

type Trx = Transaction<Database>;

/**
 * Starting or replying in a thread makes you watch it, unless you muted it: "muted" is the one choice
 * posting never overrides (an earlier "normal" becomes "watching" again when you post).
 */
const autoWatchSql = (userId: string, threadId: string) => sql`
  insert into subscription (user_id, target_type, target_id, level) values (${userId}, 'thread', ${threadId}, 'watching')
  on conflict (user_id, target_type, target_id) do update set level = 'watching', updated_at = now() where subscription.level = 'normal'`;

async function autoWatch(trx: Trx, userId: string, threadId: string): Promise<void> {
  await autoWatchSql(userId, threadId).execute(trx);
}

/** Stores the notices of a new thread; returns their live events, for the caller to append with its own. */
export async function onThreadCreated(trx: Trx, t: { threadId: string; channelId: string; channelSlug: string; authorId: string; title: string; bodyText: string }): Promise<NewEvent[]> {
  await autoWatch(trx, t.authorId, t.threadId);
  // One notice per person: being mentioned says more than "new thread".
  const told = new Set<string>([t.authorId]);
  const recipients: { userId: string; kind: 'mention' | 'new_thread' }[] = [];
  for (const userId of await mentionedUserIds(trx, t.bodyText)) {
    if (told.has(userId)) continue;
    told.add(userId);
    recipients.push({ userId, kind: 'mention' });
  }
  const watchers = await trx
    .selectFrom('subscription')
    .select('user_id')
    .where('target_type', '=', 'channel')
    .where('target_id', '=', t.channelId)
    .where('level', '=', 'watching')
    .execute();
  for (const w of watchers) if (!told.has(w.user_id)) recipients.push({ userId: w.user_id, kind: 'new_thread' });
  if (!recipients.length) return [];
  // Tied to the opening post, so the notice disappears for readers when a moderator hides it.
  const row = await trx
    .selectFrom('thread as t')
    .innerJoin('user as u', 'u.id', 't.author_id')
    .select(['t.first_post_id', 'u.display_name'])
    .where('t.id', '=', t.threadId)
    .executeTakeFirst();
  const postId = row?.first_post_id ?? null;
  const data = { threadTitle: t.title, channelSlug: t.channelSlug, actorName: row?.display_name ?? null };
  return storeNotifications(
    trx,
    recipients.map((r) => ({ ...r, threadId: t.threadId, postId, actorId: t.authorId, data })),
  );
}

/** Stores the notices of a reply; returns their live events, for the caller to append with its own. */
export async function onReplyCreated(
  trx: Trx,
  r: { threadId: string; channelId: string; threadTitle: string; postId: string; authorId: string; authorName: string; quotePostId: string | null; bodyText: string },
): Promise<NewEvent[]> {
  const told = new Set<string>([r.authorId]);
  const out: NewNotification[] = [];
  if (r.quotePostId) {
    const quoted = await trx.selectFrom('post').select('author_id').where('id', '=', r.quotePostId).executeTakeFirst();
    if (quoted && !told.has(quoted.author_id)) {
      told.add(quoted.author_id);
      out.push({ userId: quoted.author_id, kind: 'quote', threadId: r.threadId, postId: r.postId, actorId: r.authorId, data: { threadTitle: r.threadTitle, actorName: r.authorName } });
    }
  }
  for (const userId of await mentionedUserIds(trx, r.bodyText)) {
    if (told.has(userId)) continue;
    told.add(userId);
    out.push({ userId, kind: 'mention', threadId: r.threadId, postId: r.postId, actorId: r.authorId, data: { threadTitle: r.threadTitle, actorName: r.authorName } });
  }
  // Thread watchers, and channel watchers who did not set this thread to normal or muted; in the same
  // statement the author starts watching (autoWatch; the select sees the subscriptions as they were).
  const watchers = await sql<{ user_id: string }>`
    with watch as (${autoWatchSql(r.authorId, r.threadId)})
    select user_id from subscription where target_type = 'thread' and target_id = ${r.threadId} and level = 'watching'
    union
    select s.user_id from subscription s
    where s.target_type = 'channel' and s.target_id = ${r.channelId} and s.level = 'watching'
      and not exists (select 1 from subscription x where x.user_id = s.user_id and x.target_type = 'thread' and x.target_id = ${r.threadId} and x.level in ('normal', 'muted'))
  `.execute(trx);
  for (const w of watchers.rows) {
    if (told.has(w.user_id)) continue;
    out.push({ userId: w.user_id, kind: 'reply', threadId: r.threadId, postId: r.postId, actorId: r.authorId, groupKey: `replies:${r.threadId}`, data: { threadTitle: r.threadTitle, actorName: r.authorName } });
  }
  return storeNotifications(trx, out);
}
