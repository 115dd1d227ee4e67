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
import { excerpt } from '../content/sanitize';
import { invalidField } from '../http/errors';

// Sentinels that cannot occur in user text (control characters are stripped from titles and bodies).
const START = '\u0001';
const STOP = '\u0002';
/** At most this many matching posts are ranked per query: a bound on work for very common words. */
const CANDIDATES = 200;
/** At most this many threads are found through words spread over their parts (newest first). */
const SPREAD_CANDIDATES = 100;
/** Handout text is long; its snippet is made from the first part only (a bound on work per hit). */
const HANDOUT_SNIPPET_CHARS = 60_000;

/**
 * The headline is made from HTML-escaped text (so PostgreSQL's parser keeps `<script>` as visible text
 * instead of dropping it as a tag); only the sentinels become markup: <mark>, always balanced (a
 * sentinel that was in the text itself, from data stored before control characters were stripped,
 * can never open a mark that is not closed, or close one that is not open).
 */
export function markSnippet(escapedHeadline: string): string {
  // Defence in depth: nothing but entities may look like markup here.
  const text = escapedHeadline.replace(/[<>"']/g, (c) => escapeHtml(c));
  let out = '';
  let open = false;
  for (const ch of text) {
    if (ch === START) {
      if (!open) out += '<mark>';
      open = true;
    } else if (ch === STOP) {
      if (open) out += '</mark>';
      open = false;
    } else if (ch < ' ' && ch !== '\n' && ch !== '\t') {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return open ? `${out}</mark>` : out;
}

/** HTML-escapes a text column in SQL, so PostgreSQL's headline parser keeps `<script>` as visible text. */
const escapedSql = (column: RawBuilder<unknown>) =>
  sql`replace(replace(replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')`;
const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
/** ts_headline over the HTML-escaped plain text, with sentinel markers around the matches. */
const headlineOf = (column: RawBuilder<unknown>, query: RawBuilder<unknown>) => sql<string>`ts_headline('plein_dutch', ${escapedSql(column)}, ${query}, ${HEADLINE_OPTIONS})`;

/** The query with the synonym rules applied (search_synonym_rule; no reindex when they change). */
export const expandedQuery = (text: string) => sql`plein_expand_query(websearch_to_tsquery('plein_dutch', ${text}))`;

/**
 * What a search needs from its text (plein_parse_search, migration 0019): the query with synonyms
 * applied, its loose and any-word forms, whether it has several words, the segment template; made
 * under synonym generation `generation`.
 */
interface ParsedQuery {
  generation: string;
  query: string;
  loose: string;
  any_word: string;
  several: boolean;
  template: string;
}
/** Parsed queries by text, this process's (a bound on memory: the oldest go first). */
const PARSED_MAX = 5000;
const parsedQueries = new Map<string, ParsedQuery>();

/** Forgets every parsed query (the synonyms changed). */
export function forgetParsedQueries(): void {
  parsedQueries.clear();
}

async function parsedQuery(db: Db, text: string): Promise<ParsedQuery> {
  const known = parsedQueries.get(text);
  if (known) return known;
  const { rows } = await sql<ParsedQuery>`
    select p.generation::text as generation, p.query::text as query, p.loose::text as loose, p.any_word::text as any_word, p.several, p.template
    from plein_parse_search(${text}) p`.execute(db);
  const parsed = rows[0];
  if (parsedQueries.size >= PARSED_MAX) parsedQueries.delete(parsedQueries.keys().next().value as string);
  parsedQueries.set(text, parsed);
  return parsed;
}

/**
 * The parsed query as the statement's q: the one this process keeps when the synonyms are still
 * those it was made under (search_synonym_state), else parsed anew in the statement (stale).
 */
const parsedQuerySql = (text: string, p: ParsedQuery) => sql`
  select case when f.fresh then ${p.query}::tsquery else (f.p).query end as query,
         case when f.fresh then ${p.loose}::tsquery else (f.p).loose end as loose,
         case when f.fresh then ${p.any_word}::tsquery else (f.p).any_word end as any_word,
         case when f.fresh then ${p.several}::boolean else (f.p).several end as several,
         case when f.fresh then ${p.template}::text else (f.p).template end as template,
         not f.fresh as stale
  from (select g.fresh, case when g.fresh then null else plein_parse_search(${text}) end as p
        from (select coalesce((select ss.generation = ${p.generation}::bigint from search_synonym_state ss where ss.id), false) as fresh offset 0) g
        offset 0) f`;

const Cursor = Type.Object({ s: Type.Number({ minimum: -1e6, maximum: 1e6 }), us: Type.String({ pattern: SIGNED_BIGINT_PATTERN }), id: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }) }, { additionalProperties: false });

type SearchPage = { items: Static<typeof SearchHit>[]; nextCursor: string | null };

/**
 * Threads in channels closed to the viewer are never listed: the filter sits with the others, so a
 * page is always full of threads the viewer may see. One array of closed channels per statement.
 */
function closedChannelFilter(viewer: Viewer, mod: boolean): RawBuilder<unknown>[] {
  return mod ? [] : [sql`and t.channel_id <> all(array(select vis.id from channel vis where not ${visibleChannelSql(viewer, 'vis')}))`];
}

/** Filters on the thread `t`, shared by searching and browsing. */
function threadFilterSql(q: Static<typeof SearchQuery>, mod: boolean): RawBuilder<unknown>[] {
  return [
    q.channel ? sql`and t.channel_id = (select c.id from channel c where c.slug = ${q.channel})` : null,
    q.tag ? sql`and exists (select 1 from thread_tag tt where tt.thread_id = t.id and tt.tag = ${q.tag.trim().toLowerCase()})` : null,
    q.kind ? sql`and t.kind = ${q.kind}` : null,
    q.unanswered ? sql`and t.kind = 'question' and t.accepted_post_id is null` : null,
    q.hasAttachments
      ? sql`and exists (select 1 from post ap where ap.thread_id = t.id and ap.attachment_count > 0 and ap.deleted_at is null ${mod ? sql`` : sql`and ap.hidden_at is null`})`
      : null,
    q.from ? sql`and t.created_at >= ${q.from}::date` : null,
    q.to ? sql`and t.created_at < ${q.to}::date + 1` : null,
  ].filter((f): f is RawBuilder<unknown> => f !== null);
}

/**
 * The newest CANDIDATES visible posts that hold the query and whose thread passes the filters (and is
 * in a channel open to the viewer), ranked: segment by segment, newest first, each post's thread
 * checked as it is read (cf. post_search_candidates, migration 0020, which knows no filters). Needs
 * the statement's `q` and `closed`.
 */
function filteredCandidatesSql(threadFilters: RawBuilder<unknown>[], mod: boolean, onlyHandouts: boolean): RawBuilder<unknown> {
  return sql`
      select c.id, c.thread_id, c.is_opening, ts_rank(c.search_vector, q.query) as rank
      from q
      cross join generate_series((select coalesce(max(np.id), 0) from post np) / 10000, 0, -1) s
      cross join lateral (
        select p.id, p.thread_id, p.is_opening, p.search_vector
        from post p
        join thread t on t.id = p.thread_id
        where plein_segment_vector(p.search_vector, p.id / 10000)
                @@ (case when position('''''' in q.template) > 0 then plein_segment_query(q.query, s)
                         else replace(q.template, '''-1_', '''' || s || '_')::tsquery end)
          and p.id + 0 >= s * 10000 and p.id + 0 < (s + 1) * 10000
          and p.search_vector @@ q.query
          and p.deleted_at is null ${mod ? sql`` : sql`and p.hidden_at is null`}
          and t.channel_id <> all((select ids from closed)::bigint[])
          ${sql.join(threadFilters, sql` `)}
        order by p.id desc
        limit ${CANDIDATES}
      ) c
      where numnode(q.query) > 0 ${onlyHandouts ? sql`and false` : sql``}
      limit ${CANDIDATES}`;
}

/**
 * One page of search hits for `viewer`. A thread matches when one of its parts holds the query
 * (title and tags, a post, a handout) or when its title, tags and visible posts hold it together
 * (thread_search_doc, migration 0016). Without words, a filter lists threads newest first.
 */
export async function searchThreads(db: Db, viewer: Viewer, q: Static<typeof SearchQuery>): Promise<SearchPage> {
  if (q.q === undefined) {
    if (!q.author && !q.tag && !q.channel) throw invalidField('q', 'give words to search for, or a filter: author, tag or channel');
    return browseThreads(db, viewer, q);
  }
  const limit = q.limit ?? 20;
  const after = decodeCursor(Cursor, q.cursor);
  const mod = mayFindHiddenPosts(viewer);
  const onlyHandouts = q.inAttachments === true;
  const threadFilters = threadFilterSql(q, mod);
  const parsed = await parsedQuery(db, q.q);
  const threadAuthor = q.author ? sql`and t.author_id = ${q.author}` : sql``;
  const keyset = after ? sql`where (score, lat_us, id) < (${after.s}::float8, ${after.us}::bigint, ${after.id}::bigint)` : sql``;
  // "-woord" leaves out every thread whose title, tags or visible posts hold it, wherever the
  // positive words were found (a handout hit is judged on the handout alone).
  const negated = /(^|\s)-/.test(q.q);
  const exclusionCheck = negated ? sql`and (g.only_handout or (select d.doc @@ q.query from thread_search_doc d where d.thread_id = g.thread_id))` : sql``;
  const off = (skip: boolean) => (skip ? sql`and false` : sql``);
  // Threads in channels closed to the viewer are never candidates: the filter sits with the others,
  // so a page is always full of hits the viewer may see. Without closed channels (most forums) the
  // first page is pruned as below; the check is part of the statement (no query of its own).
  const pruneable = !after && threadFilters.length === 0 && !negated;
  // With a filter on threads, the newest posts that pass it: the newest of all matches could all be
  // elsewhere (a channel's older answers would never be found).
  const filteredCandidates = threadFilters.length > 0 && !q.author;
  interface Hit {
    id: string;
    score: number;
    lat_us: string;
    stale: boolean;
    post_id: string | null;
    post_is_opening: boolean | null;
    post_created_at: Date | null;
    post_hidden_at: Date | null;
    post_author_name: string | null;
    attachment_id: string | null;
    attachment_filename: string | null;
    headline: string | null;
  }
  const hits = sql<Hit>`(
    with q as (
      ${parsedQuerySql(q.q, parsed)}
    ),
    -- The channels closed to the viewer (none for moderators).
    closed as (
      ${mod ? sql`select '{}'::bigint[] as ids` : sql`select coalesce(array_agg(vis.id), '{}') as ids from channel vis where not ${visibleChannelSql(viewer, 'vis')}`}
    ),
    -- The newest CANDIDATES posts that hold the query, ranked (post_search_candidates, migrations 0011
    -- and 0020); with a filter on threads, the newest that pass it.
    post_hits as (
      ${filteredCandidates ? filteredCandidatesSql(threadFilters, mod, onlyHandouts) : sql`select c.* from q, post_search_candidates(q.query, ${CANDIDATES}, ${mod}, ${q.author ?? null}::bigint, q.template) c where true ${off(onlyHandouts)}`}
    ),
    best_post as (
      select distinct on (thread_id) thread_id, id, rank from post_hits order by thread_id, rank desc, id
    ),
    title_hits as (
      select t.id as thread_id, ts_rank(t.search_vector, q.query) as rank, t.last_activity_at as lat
      from thread t, q
      where t.search_vector @@ q.query ${threadAuthor} ${off(onlyHandouts)}
    ),
    -- Words spread over title, tags and visible posts, newest threads first (migration 0016);
    -- asked only for two typed words or more.
    spread_hits as (
      select s.thread_id from q, plein_spread_threads(q.query, q.loose, ${SPREAD_CANDIDATES}) as s(thread_id)
      where q.several ${off(!!q.author || onlyHandouts)}
    ),
    -- Handouts: the text of attachments on posts the viewer may see.
    handout_hits as (
      select distinct on (h.thread_id) h.thread_id, h.attachment_id, h.rank
      from (
        select p.thread_id, a.id as attachment_id, ts_rank(x.search_vector, q.query) as rank
        from q, attachment_text x
        join attachment a on a.id = x.attachment_id
        join post p on p.id = a.post_id
        where x.search_vector @@ q.query and x.status = 'done'
          and p.deleted_at is null ${mod ? sql`` : sql`and p.hidden_at is null`} ${q.author ? sql`and p.author_id = ${q.author}` : sql``}
        order by a.id desc
        limit ${CANDIDATES}
      ) h
      order by h.thread_id, h.rank desc, h.attachment_id
    ),
    found as (
      select thread_id, rank as title_rank, null::real as post_rank, false as spread, null::real as handout_rank, lat from title_hits
      union all select thread_id, null, rank, false, null, null from best_post
      union all select thread_id, null, null, true, null, null from spread_hits
      union all select thread_id, null, null, false, rank, null from handout_hits
    ),
    all_found as (
      select thread_id, max(title_rank) as title_rank, max(post_rank) as post_rank, bool_or(spread) as spread, max(handout_rank) as handout_rank,
             max(lat) as lat,
             (max(title_rank) is null and max(post_rank) is null and not bool_or(spread)) as only_handout
      from found group by thread_id
    ),
    -- Every thread's score, from what found it; a thread found only through words spread over it
    -- scores its title and tag words (its thread row read for those few, at most SPREAD_CANDIDATES).
    prescored as (
      select a.*,
             (coalesce(a.title_rank, 0) * 2 + coalesce(a.post_rank, 0) + coalesce(a.handout_rank, 0) * 0.5
              + case when a.title_rank is null and a.post_rank is null and a.spread
                     then (select ts_rank(st.search_vector, q.any_word) from thread st where st.id = a.thread_id) + 0.001 else 0 end)::float8 as score
      from all_found a cross join q
    ),
    -- On a first page without filters (which could remove threads above it), a thread that sorts
    -- below the (limit + 1)-th best has limit + 1 threads above it: its thread row is not read. The
    -- order is (score, last activity, id); last activity is known here for title hits only (their
    -- rows were read to rank them), so the cut compares what is known and keeps the unknown.
    cutoff as (
      select b.score, b.lat, b.thread_id from prescored b
      order by b.score desc, b.lat desc nulls last, b.thread_id desc offset ${limit} limit 1
    ),
    grouped as (
      select p.* from prescored p
      ${
        pruneable
          ? sql`left join cutoff c on true
      where c.score is null or cardinality((select ids from closed)) > 0 or p.score > c.score
         or (p.score = c.score and (p.lat is null or c.lat is null or (p.lat, p.thread_id) >= (c.lat, c.thread_id)))`
          : sql``
      }
    ),
    scored as (
      select t.id, t.first_post_id, g.score,
             (extract(epoch from t.last_activity_at) * 1000000)::bigint as lat_us,
             (g.title_rank is null and g.post_rank is null and g.spread) as spread_only,
             (g.only_handout or ${onlyHandouts}) as show_handout
      from grouped g
      cross join q
      join thread t on t.id = g.thread_id
      where t.channel_id <> all((select ids from closed)::bigint[]) ${exclusionCheck} ${threadFilters.length ? sql.join(threadFilters, sql` `) : sql``}
    ),
    page as (
      select * from scored ${keyset} order by score desc, lat_us desc, id desc limit ${limit + 1}
    )
    select s.id, s.score, s.lat_us, q.stale,
           p.id as post_id, p.is_opening as post_is_opening, p.created_at as post_created_at, p.hidden_at as post_hidden_at,
           pu.display_name as post_author_name,
           ha.id as attachment_id, ha.filename as attachment_filename,
           case when ha.id is not null then ${headlineOf(sql`left(hx.body, ${HANDOUT_SNIPPET_CHARS})`, sql`q.query`)}
                when s.spread_only and p.id is not null then ${headlineOf(sql`p.body_text`, sql`q.any_word`)}
                when p.id is not null then ${headlineOf(sql`p.body_text`, sql`q.query`)} end as headline
    from page s
    cross join q
    left join handout_hits hh on s.show_handout and hh.thread_id = s.id
    left join attachment ha on ha.id = hh.attachment_id
    left join attachment_text hx on hx.attachment_id = hh.attachment_id
    left join best_post bp on bp.thread_id = s.id
    -- A thread found through spread words shows the visible post that holds most of them.
    left join lateral (
      select sp.id from post sp
      where s.spread_only and sp.thread_id = s.id and sp.search_vector @@ q.any_word
        and sp.deleted_at is null and sp.hidden_at is null
      order by ts_rank(sp.search_vector, q.any_word) desc, sp.id
      limit 1
    ) spread_post on true
    left join post p on hh.thread_id is null and p.id = coalesce(bp.id, spread_post.id, s.first_post_id)
    left join "user" pu on pu.id = p.author_id
  )`;
  // One statement to the end, prepared per combination of filters: nothing in its plan depends on
  // the words (candidates come from post_search_candidates); planning cost over a third of a search.
  const rows = await executePrepared(
    db,
    threadRows(db)
      .innerJoin(hits.as('s'), 's.id', 't.id')
      .select(['s.score', 's.lat_us', 's.stale', 's.post_id', 's.post_is_opening', 's.post_created_at', 's.post_hidden_at', 's.post_author_name', 's.attachment_id', 's.attachment_filename', 's.headline'])
      .orderBy('s.score', 'desc')
      .orderBy('s.lat_us', 'desc')
      .orderBy('s.id', 'desc'),
  );

  // The synonyms changed since these queries were parsed (here or in another instance).
  if (rows.length && rows[0].stale) forgetParsedQueries();
  const page = rows.slice(0, limit);
  const items = page.map((r) => {
    if (r.attachment_id !== null) {
      return { thread: presentSummary(r, ''), attachment: { id: r.attachment_id, filename: r.attachment_filename ?? '' }, snippet: markSnippet(r.headline ?? '') };
    }
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

const BrowseCursor = Type.Object({ k: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }) }, { additionalProperties: false });

/**
 * Without words: a member's posts (author), or the threads of a tag or channel, newest first. The
 * snippet is the start of the post, escaped, without marks.
 */
async function browseThreads(db: Db, viewer: Viewer, q: Static<typeof SearchQuery>): Promise<SearchPage> {
  const limit = q.limit ?? 20;
  const after = decodeCursor(BrowseCursor, q.cursor);
  const mod = mayFindHiddenPosts(viewer);
  const threadFilters = [...closedChannelFilter(viewer, mod), ...threadFilterSql(q, mod)];
  const filters = threadFilters.length ? sql.join(threadFilters, sql` `) : sql``;
  interface Row {
    id: string;
    k: string;
    post_id: string | null;
    post_is_opening: boolean | null;
    post_created_at: Date | null;
    post_hidden_at: Date | null;
    post_author_name: string | null;
    body_text: string | null;
  }
  const rows = q.author
    ? // The member's posts newest first, each with its thread.
      sql<Row>`(
        select t.id, p.id::text as k, p.id as post_id, p.is_opening as post_is_opening, p.created_at as post_created_at,
               p.hidden_at as post_hidden_at, u.display_name as post_author_name, p.body_text
        from post p
        join thread t on t.id = p.thread_id
        join "user" u on u.id = p.author_id
        where p.author_id = ${q.author} and p.deleted_at is null ${mod ? sql`` : sql`and p.hidden_at is null`}
          ${after ? sql`and p.id < ${after.k}::bigint` : sql``} ${filters}
        order by p.id desc
        limit ${limit + 1}
      )`
    : // Threads newest first, with their opening post.
      sql<Row>`(
        select t.id, t.id::text as k, p.id as post_id, true as post_is_opening, p.created_at as post_created_at,
               p.hidden_at as post_hidden_at, null::text as post_author_name, p.body_text
        from thread t
        left join post p on p.id = t.first_post_id
        where true ${after ? sql`and t.id < ${after.k}::bigint` : sql``} ${filters}
        order by t.id desc
        limit ${limit + 1}
      )`;
  const found = await threadRows(db)
    .innerJoin(rows.as('s'), 's.id', 't.id')
    .select(['s.k', 's.post_id', 's.post_is_opening', 's.post_created_at', 's.post_hidden_at', 's.post_author_name', 's.body_text'])
    .orderBy(sql`s.k::bigint`, 'desc')
    .execute();
  const page = found.slice(0, limit);
  const items = page.map((r) => {
    const showBody = r.post_id !== null && (r.post_hidden_at === null || mod);
    return {
      thread: presentSummary(r, ''),
      ...(showBody && !r.post_is_opening ? { post: { id: r.post_id!, authorName: r.post_author_name ?? '', createdAt: r.post_created_at!.toISOString() } } : {}),
      snippet: showBody ? escapeHtml(excerpt(r.body_text ?? '', 200)) : '',
    };
  });
  return { items, nextCursor: found.length > limit ? encodeCursor({ k: page[page.length - 1].k }) : null };
}

/**
 * Up to five threads whose titles share the typed title's content words, weighted by rarity ("Vergelijkbare
 * vragen"). A word's weight is ln((N + 1) / (titles with it + 0.5)): a word in every title ("vraag")
 * counts for almost nothing, a rare one for much. A suggestion must share at least half the weight of
 * a word that is in √(N + 1) titles (so one common word such as "regio" never makes a suggestion on
 * its own) and at least a quarter (SIMILAR_SHARE) of the best suggestion's weight.
 */
export const SIMILAR_SHARE = 0.25;
export async function similarThreads(db: Db, viewer: Viewer, title: string): Promise<ThreadSummary[]> {
  const ranked = sql<{ id: string; score: number }>`(
    with total as (
      -- float8 throughout: numeric sums and comparisons over every title found cost more than the look-up.
      select (coalesce((select threads from title_lexeme where lexeme = ''), 0) + 1)::float8 as n
    ),
    words as (
      select w.lexeme, coalesce(tl.threads, 0) as titles, ln(total.n / (coalesce(tl.threads, 0) + 0.5)) as weight
      from unnest(tsvector_to_array(to_tsvector('plein_dutch', ${title}))) as w(lexeme)
      cross join total
      left join title_lexeme tl on tl.lexeme = w.lexeme
      where w.lexeme <> ''
    ),
    -- Only words that some title has, and not the ones most titles have, look up threads.
    candidates as (
      select lexeme, weight from words, total where titles > 0 and titles <= greatest(20, total.n / 5)
    ),
    -- When all of them together cannot reach the threshold below, no title is read at all.
    lookup as (
      select * from candidates where (select sum(weight) from candidates) >= 0.5 * (select ln(n) from total)
    ),
    -- Which titles hold which word (title_word, migration 0018): read from one index, no thread rows.
    shared as (
      select w.thread_id as id, sum(l.weight) as score
      from lookup l
      join title_word w on w.lexeme = l.lexeme
      group by w.thread_id
    )
    select s.id, s.score::float8 as score
    from (select *, max(score) over () as best from shared) s
    join thread t on t.id = s.id
    join channel vis on vis.id = t.channel_id and ${visibleChannelSql(viewer, 'vis')}
    where s.score >= 0.5 * (select ln(n) from total) and s.score >= ${SIMILAR_SHARE} * s.best
    order by s.score desc, t.last_activity_at desc
    limit 5
  )`;
  // Asked at every few keystrokes: prepared, so the statement is planned once per connection.
  const rows = await executePrepared(
    db,
    threadRows(db).innerJoin(ranked.as('r'), 'r.id', 't.id').select('r.score').orderBy('r.score', 'desc').orderBy('t.last_activity_at', 'desc'),
  );
  return rows.map((r) => presentSummary(r, ''));
}
