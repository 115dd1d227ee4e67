// Threads listed to the whole world: the sitemap and the Atom feeds. Only what an anonymous visitor
// may see (the policy's isPublicThreadSql), read by id ranges and indexes so a large forum stays cheap.
import type { Db } from '../db';
import { isPublicThreadSql } from '../policy';
import { excerpt } from '../content/sanitize';

/** Threads per sitemap page (the protocol allows 50,000 URLs and 50 MB). */
export const SITEMAP_PAGE_SIZE = 10_000;

/** The sitemap's pages: thread id ranges of SITEMAP_PAGE_SIZE that hold public threads, with their newest activity. */
export async function sitemapPages(db: Db): Promise<Array<{ page: number; lastModified: Date }>> {
  const rows = await db
    .selectFrom('thread as t')
    .innerJoin('post as op', 'op.id', 't.first_post_id')
    .where(isPublicThreadSql('op'))
    .select((eb) => [eb.fn<string>('div', [eb.ref('t.id'), eb.val(SITEMAP_PAGE_SIZE)]).as('page'), eb.fn.max('t.last_activity_at').as('last')])
    .groupBy('page')
    .orderBy('page')
    .execute();
  return rows.map((r) => ({ page: Number(r.page), lastModified: r.last as Date }));
}

/** The public threads of one sitemap page, by id. */
export async function sitemapThreads(db: Db, page: number): Promise<Array<{ id: string; title: string; lastActivityAt: Date }>> {
  const from = BigInt(page) * BigInt(SITEMAP_PAGE_SIZE);
  const rows = await db
    .selectFrom('thread as t')
    .innerJoin('post as op', 'op.id', 't.first_post_id')
    .where(isPublicThreadSql('op'))
    .where('t.id', '>=', from.toString())
    .where('t.id', '<', (from + BigInt(SITEMAP_PAGE_SIZE)).toString())
    .select(['t.id', 't.title', 't.last_activity_at'])
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, lastActivityAt: r.last_activity_at }));
}

export interface FeedEntry {
  id: string;
  title: string;
  kind: 'question' | 'discussion';
  channelSlug: string;
  channelName: string;
  authorName: string;
  createdAt: Date;
  updatedAt: Date;
  summary: string;
  /** Sanitized HTML of the opening post. */
  body: string;
  tags: string[];
}

export const FEED_SIZE = 30;

const feedRows = (db: Db) =>
  db
    .selectFrom('thread as t')
    .innerJoin('post as op', 'op.id', 't.first_post_id')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .innerJoin('user as u', 'u.id', 't.author_id')
    .where(isPublicThreadSql('op'))
    .select([
      't.id',
      't.title',
      't.kind',
      'c.slug',
      'c.name',
      'u.display_name',
      't.created_at',
      'op.edited_at',
      'op.body_html',
      'op.body_text',
      (eb) => eb.fn.coalesce(eb.selectFrom('thread_tag as tt').select((s) => s.fn.agg<string[]>('array_agg', ['tt.tag']).as('tags')).whereRef('tt.thread_id', '=', 't.id'), eb.val<string[]>([])).as('tags'),
    ]);

function toEntry(r: Awaited<ReturnType<ReturnType<typeof feedRows>['execute']>>[number]): FeedEntry {
  return {
    id: r.id,
    title: r.title,
    kind: r.kind,
    channelSlug: r.slug,
    channelName: r.name,
    authorName: r.display_name,
    createdAt: r.created_at,
    updatedAt: r.edited_at ?? r.created_at,
    summary: excerpt(r.body_text, 300),
    body: r.body_html,
    tags: [...(r.tags ?? [])].sort(),
  };
}

/** The newest public threads of a channel (thread_channel_newest_idx). */
export async function newestThreadsInChannel(db: Db, channelId: string): Promise<FeedEntry[]> {
  return (await feedRows(db).where('t.channel_id', '=', channelId).orderBy('t.id', 'desc').limit(FEED_SIZE).execute()).map(toEntry);
}

/** The newest public threads with a tag (thread_tag_tag_idx). */
export async function newestThreadsWithTag(db: Db, tag: string): Promise<FeedEntry[]> {
  const ids = db.selectFrom('thread_tag').select('thread_id').where('tag', '=', tag).orderBy('thread_id', 'desc').limit(FEED_SIZE * 2);
  return (await feedRows(db).where('t.id', 'in', ids).orderBy('t.id', 'desc').limit(FEED_SIZE).execute()).map(toEntry);
}
