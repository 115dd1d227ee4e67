import { type Kysely, sql } from 'kysely';

/**
 * Search speed, third round (issue 21): post candidates.
 *
 * - Ranked with ts_rank instead of ts_rank_cd. ts_rank_cd clears a 32 kB buffer per query item for
 *   every cover it looks for, so its cost grows with the query's size: for a word with a synonym
 *   phrase ("wijkteam" | "sociaal team", five items) it cost ~1.6 µs per post, and memset was the
 *   largest single cost of a search. ts_rank weighs what matters here (how often the words occur, in
 *   which part: title A, tags B, posts C; for several words how close they are) at a fraction of it.
 * - The newest segments are read one at a time, newest first, and none is read once enough posts
 *   are found. A read over several segments fetched every matching post in all of them: two words
 *   that occur together only in older posts fetched ~1,100 posts to keep 200. Older segments are
 *   still read in spans that double, one index read each (few recent posts hold such words).
 * - The rank is computed only for the posts returned, not for every post fetched.
 *
 * `walk` is how many of the newest segments are read one at a time; 0 gives 0019's reads.
 */
const candidates = (rank: 'ts_rank' | 'ts_rank_cd', walk: number) => `
  create or replace function post_search_candidates(query tsquery, wanted integer, with_hidden boolean, by_author bigint, template text)
  returns table (id bigint, thread_id bigint, is_opening boolean, rank real)
  language plpgsql stable
  set max_parallel_workers_per_gather = 0
  set plan_cache_mode = force_generic_plan
  -- The planner prices each segment read of the walk as a read of the whole table; JIT would
  -- compile the walk at every call (~250 ms).
  set jit = off
  as $fn$
  declare
    hi bigint := coalesce((select max(p.id) from post p), 0) / 10000;
    span bigint := 2;
    quoted boolean := position('''''' in template) > 0;
    found integer := 0;
    n integer;
    lo bigint;
    segments tsquery;
  begin
    if numnode(query) = 0 then
      return; -- only stop words
    end if;
    if by_author is not null then
      return query
        select c.id, c.thread_id, c.is_opening, ${rank}(c.search_vector, query)
        from (select p.id, p.thread_id, p.is_opening, p.search_vector
              from post p
              where p.author_id = by_author and p.search_vector @@ query
                and p.deleted_at is null and (with_hidden or p.hidden_at is null)
              order by p.id desc
              limit wanted) c;
      return;
    end if;
    return query
      select c.id, c.thread_id, c.is_opening, ${rank}(c.search_vector, query)
      from generate_series(hi, greatest(hi - ${walk} + 1, 0), -1) s
      cross join lateral (
        select p.id, p.thread_id, p.is_opening, p.search_vector
        from post p
        where plein_segment_vector(p.search_vector, p.id / 10000)
                @@ (case when quoted then plein_segment_query(query, s)
                         else replace(template, '''-1_', '''' || s || '_')::tsquery end)
          and p.id + 0 >= s * 10000 and p.id + 0 < (s + 1) * 10000
          and p.search_vector @@ query
          and p.deleted_at is null and (with_hidden or p.hidden_at is null)
        order by p.id desc
        limit wanted
      ) c
      limit wanted;
    get diagnostics found = row_count;
    hi := hi - ${walk};
    while hi >= 0 and found < wanted loop
      lo := greatest(0, hi - span + 1);
      if quoted then
        segments := plein_segment_query(query, hi);
        for s in lo..hi - 1 loop
          segments := segments || plein_segment_query(query, s);
        end loop;
      else
        segments := (select string_agg('(' || replace(template, '''-1_', '''' || s || '_') || ')', ' | ' order by s desc)
                     from generate_series(lo, hi) s)::tsquery;
      end if;
      return query
        select c.id, c.thread_id, c.is_opening, ${rank}(c.search_vector, query)
        from (select p.id, p.thread_id, p.is_opening, p.search_vector
              from post p
              where plein_segment_vector(p.search_vector, p.id / 10000) @@ segments
                and p.id + 0 >= lo * 10000 and p.id + 0 < (hi + 1) * 10000
                and p.search_vector @@ query
                and p.deleted_at is null and (with_hidden or p.hidden_at is null)
              order by p.id desc
              limit wanted - found) c;
      get diagnostics n = row_count;
      found := found + n;
      hi := lo - 1;
      span := span * 2;
    end loop;
  end $fn$;`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(candidates('ts_rank', 16)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(candidates('ts_rank_cd', 0)).execute(db);
}
