// Dutch full-text search over titles, tags, opening posts and replies, results grouped per thread;
// and similar questions for a title being typed. Hidden posts are found only by those the policy lets.
import { type Static, Type } from '@sinclair/typebox';
import { type RawBuilder, sql } from 'kysely';
import { SIGNED_BIGINT_PATTERN, UNSIGNED_BIGINT_PATTERN } from '../../shared/schemas/common';
import type { ThreadSummary } from '../../shared/schemas/forum';
import type { SearchHit, SearchQuery } from '../../shared/schemas/search';
import type { Db } from '../db';
import { type Viewer, mayFindHiddenPosts, visibleChannelSql } from '../policy';
import { executePrepared } from '../db/prepared';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { presentSummary, threadRows } from '../threads/queries';
import { escapeHtml } from '../content/escape';

// Sentinels that cannot occur in user text (control characters are stripped from titles and bodies).
const START = '\u0001';
const STOP = '\u0002';
/** At most this many matching posts are ranked per query: a bound on work for very common words. */
const CANDIDATES = 500;


/**
 * The headline is made from HTML-escaped text (so PostgreSQL's parser keeps `<script>` as visible text
 * instead of dropping it as a tag); only the sentinels become markup: <mark>.
 */
export function markSnippet(escapedHeadline: string): string {
  // Defence in depth: nothing but entities may look like markup here.
  return escapedHeadline.replace(/[<>"']/g, (c) => escapeHtml(c)).split(START).join('<mark>').split(STOP).join('</mark>');
}

/** ts_headline over the HTML-escaped plain text, with sentinel markers around the matches. */
const headline = sql<string>`ts_headline('plein_dutch', replace(replace(replace(replace(replace(p.body_text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'), q.query, ${`StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`})`;

const Cursor = Type.Object({ s: Type.Number({ minimum: -1e6, maximum: 1e6 }), us: Type.String({ pattern: SIGNED_BIGINT_PATTERN }), id: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }) }, { additionalProperties: false });

/** One page of search hits for `viewer`. */
export async function searchThreads(db: Db, viewer: Viewer, q: Static<typeof SearchQuery>): Promise<{ items: Static<typeof SearchHit>[]; nextCursor: string | null }> {
  const limit = q.limit ?? 20;
  const after = decodeCursor(Cursor, q.cursor);
  const mod = mayFindHiddenPosts(viewer);
  const query = sql`websearch_to_tsquery('plein_dutch', ${q.q})`;
  // Threads in channels closed to the viewer are never candidates: the filter sits with the others,
  // so a page is always full of hits the viewer may see.
  // Asked first so that a forum without closed channels keeps the fast first page (no thread filter).
  const someChannelClosed = !mod && !!(await db.selectFrom('channel as vis').select('vis.id').where((eb) => eb.not(visibleChannelSql(viewer, 'vis'))).limit(1).executeTakeFirst());
  const threadFilters = [
    someChannelClosed ? sql`and exists (select 1 from channel vis where vis.id = t.channel_id and ${visibleChannelSql(viewer, 'vis')})` : null,
    q.channel ? sql`and t.channel_id = (select c.id from channel c where c.slug = ${q.channel})` : null,
    q.tag ? sql`and exists (select 1 from thread_tag tt where tt.thread_id = t.id and tt.tag = ${q.tag.trim().toLowerCase()})` : null,
    q.kind ? sql`and t.kind = ${q.kind}` : null,
    q.unanswered ? sql`and t.kind = 'question' and t.reply_count = 0` : null,
    q.hasAttachments
      ? sql`and exists (select 1 from post ap where ap.thread_id = t.id and ap.attachment_count > 0 and ap.deleted_at is null ${mod ? sql`` : sql`and ap.hidden_at is null`})`
      : null,
    q.from ? sql`and t.created_at >= ${q.from}::date` : null,
    q.to ? sql`and t.created_at < ${q.to}::date + 1` : null,
  ].filter((f): f is RawBuilder<unknown> => f !== null);
  // The first page without thread filters needs only the best (limit + 1) threads found through a
  // post alone, and those tied with the last of them: any other has limit + 1 threads above it.
  // Filters or a cursor can remove threads above it, so then every candidate thread is looked up.
  const postOnly =
    !after && threadFilters.length === 0
      ? sql`select thread_id from post_only where rank >= coalesce((select rank from post_only order by rank desc offset ${limit} limit 1), 0)`
      : sql`select thread_id from post_only`;
  const threadAuthor = q.author ? sql`and t.author_id = ${q.author}` : sql``;
  const keyset = after
    ? sql`where (score, lat_us, id) < (${after.s}::float8, ${after.us}::bigint, ${after.id}::bigint)`
    : sql``;

  // A title hit must also survive -exclusions in the opening post ("wijkteam -huisarts" leaves out a
  // question whose title says wijkteam and whose Toelichting says huisarts). Without a "-" no term
  // is negated, and more words can only keep a match, so the opening post need not be read.
  const exclusionCheck = /(^|\s)-/.test(q.q)
    ? sql`and (select (t.search_vector || case when op.hidden_at is null ${mod ? sql`or true` : sql``} then op.search_vector else ''::tsvector end) @@ q.query from post op where op.id = t.first_post_id)`
    : sql``;
  interface Hit {
    id: string;
    score: number;
    lat_us: string;
    post_id: string | null;
    post_is_opening: boolean | null;
    post_created_at: Date | null;
    post_hidden_at: Date | null;
    post_author_name: string | null;
    headline: string | null;
  }
  // The page's threads in score order, each with its best post (or its opening post) and that
  // post's snippet, made for the page's rows only.
  const hits = sql<Hit>`(
    with q as (select ${query} as query),
    -- The newest CANDIDATES matching posts, ranked (migrations/0011_search_segment_lexemes.ts).
    post_hits as (
      select c.* from q, post_search_candidates(q.query, ${CANDIDATES}, ${mod}, ${q.author ?? null}::bigint) c
    ),
    best_post as (
      select distinct on (thread_id) thread_id, id, is_opening, rank from post_hits order by thread_id, rank desc, id
    ),
    -- Title hits carry what scoring and the filters need, so only threads found through a post
    -- alone are looked up again (by primary key, never a pass over every thread).
    thread_hits as (
      select t.id, ts_rank_cd(t.search_vector, q.query) as rank, t.last_activity_at, t.channel_id, t.kind, t.reply_count, t.created_at
      from thread t, q
      where t.search_vector @@ q.query ${threadAuthor} ${exclusionCheck}
    ),
    post_only as (
      select thread_id, rank from best_post where thread_id not in (select id from thread_hits)
    ),
    hits as (
      select * from thread_hits
      union all
      select t.id, null::real, t.last_activity_at, t.channel_id, t.kind, t.reply_count, t.created_at
      from thread t
      where t.id = any(array(${postOnly}))
    ),
    scored as (
      select t.id,
             (coalesce(t.rank, 0) * 2 + coalesce(bp.rank, 0))::float8 as score,
             (extract(epoch from t.last_activity_at) * 1000000)::bigint as lat_us,
             bp.id as best_post_id, bp.is_opening as best_is_opening
      from hits t
      left join best_post bp on bp.thread_id = t.id
      where true ${threadFilters.length ? sql.join(threadFilters, sql` `) : sql``}
    )
    select s.id, s.score, s.lat_us,
           p.id as post_id, p.is_opening as post_is_opening, p.created_at as post_created_at, p.hidden_at as post_hidden_at,
           pu.display_name as post_author_name,
           case when p.id is not null then ${headline} end as headline
    from (select * from scored ${keyset} order by score desc, lat_us desc, id desc limit ${limit + 1}) s
    cross join q
    join thread ft on ft.id = s.id
    left join post p on p.id = coalesce(s.best_post_id, ft.first_post_id)
    left join "user" pu on pu.id = p.author_id
  )`;
  // One statement to the end, prepared per combination of filters: nothing in its plan depends on
  // the words any more (candidates come from post_search_candidates), and planning it cost more
  // than a third of a one-word search.
  const rows = await executePrepared(
    db,
    threadRows(db)
      .innerJoin(hits.as('s'), 's.id', 't.id')
      .select(['s.score', 's.lat_us', 's.post_id', 's.post_is_opening', 's.post_created_at', 's.post_hidden_at', 's.post_author_name', 's.headline'])
      .orderBy('s.score', 'desc')
      .orderBy('s.lat_us', 'desc')
      .orderBy('s.id', 'desc'),
  );

  const page = rows.slice(0, limit);
  const items = page.map((r) => {
    const showBody = r.post_id !== null && (r.post_hidden_at === null || mod);
    return {
      thread: presentSummary(r, ''),
      ...(showBody && !r.post_is_opening ? { post: { id: r.post_id!, authorName: r.post_author_name ?? '', createdAt: r.post_created_at!.toISOString() } } : {}),
      snippet: showBody ? markSnippet(r.headline ?? '') : '',
    };
  });
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit ? encodeCursor({ s: last.score, us: String(last.lat_us), id: last.id }) : null };
}

/** Up to five threads whose titles share the most words with `title` ("Vergelijkbare vragen"). */
export async function similarThreads(db: Db, viewer: Viewer, title: string): Promise<ThreadSummary[]> {
  // Any of the title's words may match (websearch "or" never raises a syntax error); best titles first.
  // ts_rank, not ts_rank_cd: it counts how many of the typed words a title has, which is what makes a
  // question similar, and over an OR of words it costs a third of the cover-density rank.
  const words = title.replace(/["()-]/g, ' ').split(/\s+/).filter((w) => w && w.toLowerCase() !== 'or');
  const query = sql`websearch_to_tsquery('plein_dutch', ${words.join(' or ')})`;
  // Rank on the thread table alone, then join channel and author for the five that win.
  const rows = await threadRows(db)
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('thread as s')
          .select(['s.id', sql<number>`ts_rank(s.search_vector, ${query})`.as('rank')])
          .where(sql<boolean>`s.search_vector @@ ${query}`)
          .where((eb) => eb.exists(eb.selectFrom('channel as vis').select('vis.id').whereRef('vis.id', '=', 's.channel_id').where(visibleChannelSql(viewer, 'vis'))))
          .orderBy('rank', 'desc')
          .orderBy('s.last_activity_at', 'desc')
          .limit(5)
          .as('r'),
      (join) => join.onRef('r.id', '=', 't.id'),
    )
    .orderBy('r.rank', 'desc')
    .orderBy('t.last_activity_at', 'desc')
    .execute();
  return rows.map((r) => presentSummary(r, ''));
}
