import type { Db } from '../../../server/db';

/**
 * A discussion written straight to the database (the posting limits are not the subject): by the member
 * with `authorEmail` in the channel `channelSlug`, its opening post, and a reply per text in `replies`,
 * a second apart from an hour ago. The texts are the posts' plain text; their HTML is one paragraph.
 */
export async function insertThread(
  db: Db,
  options: { authorEmail: string; channelSlug: string; title: string; opening: string; replies?: string[] },
): Promise<{ id: string; replyIds: string[] }> {
  const replies = options.replies ?? [];
  const author = await db.selectFrom('user').select('id').where('email', '=', options.authorEmail).executeTakeFirstOrThrow();
  const channel = await db.selectFrom('channel').select('id').where('slug', '=', options.channelSlug).executeTakeFirstOrThrow();
  const thread = await db
    .insertInto('thread')
    .values({ channel_id: channel.id, author_id: author.id, title: options.title, kind: 'discussion', reply_count: replies.length })
    .returning('id')
    .executeTakeFirstOrThrow();
  const opening = await db
    .insertInto('post')
    .values({ thread_id: thread.id, author_id: author.id, is_opening: true, body_html: `<p>${options.opening}</p>`, body_text: options.opening })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('thread').set({ first_post_id: opening.id }).where('id', '=', thread.id).execute();
  if (!replies.length) return { id: thread.id, replyIds: [] };
  const base = Date.now() - 3_600_000;
  const rows = await db
    .insertInto('post')
    .values(replies.map((text, i) => ({ thread_id: thread.id, author_id: author.id, body_html: `<p>${text}</p>`, body_text: text, created_at: new Date(base + i * 1000) })))
    .returning('id')
    .execute();
  return { id: thread.id, replyIds: rows.map((r) => r.id) };
}
