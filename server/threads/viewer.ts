// Per-reader parts of the thread pages, kept apart from the public thread and post data so they can
// be laid over a page that is the same for every reader (a cached one): which posts the reader
// marked "nuttig", where they last read, and how many replies are new to them in a channel list.
import type { Post, Reading, Thread, ThreadSummary } from '../../shared/schemas/forum';
import { sql } from 'kysely';
import type { Db } from '../db';
import { executePreparedTakeFirst } from '../db/prepared';
import { invalidField, notFound } from '../http/errors';
import { type Actor, type Viewer, maySeeChannel } from '../policy';

/** The posts among `postIds` that `viewer` marked "nuttig" (none for visitors). */
export async function myAppreciations(db: Db, viewer: Viewer, postIds: string[]): Promise<Set<string>> {
  if (!viewer || !postIds.length) return new Set();
  const rows = await db.selectFrom('post_appreciation').select('post_id').where('user_id', '=', viewer.id).where('post_id', 'in', postIds).execute();
  return new Set(rows.map((r) => r.post_id));
}

/** Posts with `myAppreciation` for a signed-in reader; unchanged for visitors. */
export async function overlayPosts(db: Db, viewer: Viewer, posts: Post[]): Promise<Post[]> {
  if (!viewer) return posts;
  const mine = await myAppreciations(db, viewer, posts.map((p) => p.id));
  return posts.map((p) => ({ ...p, myAppreciation: mine.has(p.id) }));
}

/**
 * The thread page's per-reader overlay in one read: the opening post's and the replies'
 * `myAppreciation`, and where the reader last read (signed-in readers only).
 */
export async function overlayThreadPage<P extends { thread: Thread; replies: { items: Post[]; nextCursor: string | null } }>(
  db: Db,
  viewer: Viewer,
  page: P,
): Promise<P & { reading?: Reading }> {
  if (!viewer) return page;
  // One prepared round trip for both parts: it runs on every signed-in view of a thread.
  const ids = [page.thread.postId, ...page.replies.items.map((p) => p.id)];
  const row = await executePreparedTakeFirst(
    db,
    sql<{ mine: string[] | null; last_read_post_id: string | null }>`
      select
        (select array_agg(a.post_id::text) from post_appreciation a where a.user_id = ${viewer.id} and a.post_id = any(${ids}::bigint[])) as mine,
        (select r.last_read_post_id::text from thread_read r where r.user_id = ${viewer.id} and r.thread_id = ${page.thread.id}) as last_read_post_id
    `,
  );
  const mine = new Set(row?.mine ?? []);
  const read = { last_read_post_id: row?.last_read_post_id ?? null };
  return {
    ...page,
    thread: { ...page.thread, myAppreciation: mine.has(page.thread.postId) },
    replies: { ...page.replies, items: page.replies.items.map((p) => ({ ...p, myAppreciation: mine.has(p.id) })) },
    reading: { lastReadPostId: read?.last_read_post_id ?? null },
  };
}

/** Replies posted since the reader's last read, per thread they read before (absent: never read). */
export async function newRepliesFor(db: Db, viewer: Viewer, threadIds: string[]): Promise<Map<string, number>> {
  if (!viewer || !threadIds.length) return new Map();
  const rows = await db
    .selectFrom('thread_read as r')
    .select((eb) => [
      'r.thread_id',
      eb
        .selectFrom('post as p')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('p.thread_id', '=', 'r.thread_id')
        .whereRef('p.id', '>', 'r.last_read_post_id')
        .where('p.is_opening', '=', false)
        .where('p.deleted_at', 'is', null)
        .as('n'),
    ])
    .where('r.user_id', '=', viewer.id)
    .where('r.thread_id', 'in', threadIds)
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.n ?? 0)]));
}

/** Thread summaries with `newReplies` for the threads the reader read before. */
export async function overlaySummaries<S extends ThreadSummary>(db: Db, viewer: Viewer, items: S[]): Promise<S[]> {
  if (!viewer || !items.length) return items;
  const counts = await newRepliesFor(db, viewer, items.map((t) => t.id));
  return items.map((t) => (counts.has(t.id) ? { ...t, newReplies: counts.get(t.id)! } : t));
}

/**
 * Remembers that `actor` read `thread` up to `postId` (a post of that thread). Only forward: reading
 * an older page again does not make later replies new once more.
 */
export async function markRead(db: Db, actor: Actor, threadId: string, postId: string): Promise<Reading> {
  const thread = await db.selectFrom('thread as t').innerJoin('channel as c', 'c.id', 't.channel_id').select(['t.id', 'c.id as channel_id', 'c.visibility']).where('t.id', '=', threadId).executeTakeFirst();
  // A thread in a channel closed to the reader does not exist for them.
  if (!thread || !maySeeChannel(actor, { id: thread.channel_id, visibility: thread.visibility })) throw notFound('thread');
  const post = await db.selectFrom('post').select('id').where('id', '=', postId).where('thread_id', '=', threadId).executeTakeFirst();
  if (!post) {
    throw invalidField('postId', 'is not a post in this thread');
  }
  const row = await db
    .insertInto('thread_read')
    .values({ user_id: actor.id, thread_id: threadId, last_read_post_id: postId })
    .onConflict((oc) =>
      oc.columns(['user_id', 'thread_id']).doUpdateSet((eb) => ({
        last_read_post_id: eb.fn('greatest', [eb.ref('thread_read.last_read_post_id'), eb.ref('excluded.last_read_post_id')]),
        updated_at: new Date(),
      })),
    )
    .returning('last_read_post_id')
    .executeTakeFirstOrThrow();
  return { lastReadPostId: row.last_read_post_id };
}

/** A member's own reading data, for their data export: posts they found "nuttig" and where they read. */
export async function readerDataOf(db: Db, userId: string) {
  const [appreciations, reading] = await Promise.all([
    db.selectFrom('post_appreciation').select(['post_id', 'created_at']).where('user_id', '=', userId).orderBy('post_id').execute(),
    db.selectFrom('thread_read').select(['thread_id', 'last_read_post_id', 'updated_at']).where('user_id', '=', userId).orderBy('thread_id').execute(),
  ]);
  return { appreciations, reading };
}

/**
 * Forgets a member's reading data when their account is erased: reading positions, and which posts
 * they found "nuttig" (the counts drop with them, so they stay true).
 */
export async function eraseReaderDataOf(trx: Db, userId: string): Promise<void> {
  await trx.deleteFrom('thread_read').where('user_id', '=', userId).execute();
  const gone = await trx.deleteFrom('post_appreciation').where('user_id', '=', userId).returning('post_id').execute();
  if (gone.length) {
    await trx
      .updateTable('post')
      .set((eb) => ({ appreciation_count: eb('appreciation_count', '-', 1) }))
      .where('id', 'in', gone.map((r) => r.post_id))
      .execute();
  }
}
