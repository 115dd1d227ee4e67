import { type Kysely, sql } from 'kysely';

/**
 * Search candidates, newest first, from one GIN index whose keys are "segment_lexeme".
 *
 * 0010 read a segment of 10,000 post ids at a time from a two-column GIN index (segment, vector).
 * GIN keeps the columns' keys apart, so every segment read still walked the words' whole-table
 * posting lists (tens of thousands of entries each) to intersect them with the segment's, and a
 * pair of common words that is rare in the newest segments fell back to a whole-table read whose
 * candidates came in heap order: the oldest matches, not the newest.
 *
 * Here each post is indexed under its lexemes prefixed with its segment number ("99_wijkteam"),
 * with positions kept. A query for segments 97–99 is the word query rewritten per segment and
 * OR-ed ("99_wijkteam & 99_huisart | 98_wijkteam & …"), so the index reads only the short lists of
 * those segments. post_search_candidates reads segments newest first in growing batches until it
 * has what it wants; a rare word costs a handful of reads that each find (almost) nothing, never a
 * pass over the table. No contrib module is needed any more (btree_gin stays installed, unused).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A post's search vector with every lexeme prefixed by its segment; positions and weights kept,
    -- so phrase queries can be checked against the index expression itself.
    create function plein_segment_vector(v tsvector, seg bigint) returns tsvector
      language sql immutable parallel safe strict
      as $$
        select coalesce(string_agg(
                 '''' || replace(replace(seg::text || '_' || u.lexeme, '\\', '\\\\'), '''', '''''') || '''' ||
                 coalesce(':' || array_to_string(array(select p::text || w from unnest(u.positions, u.weights) as x(p, w)), ','), ''),
                 ' '), '')::tsvector
        from unnest(v) u
      $$;

    -- The query for one segment: every lexeme prefixed the same way. Without a negation a phrase is
    -- read as "all of these words" (no positions check in the index); the caller's
    -- search_vector @@ query keeps the phrase exact. Under a negation that would narrow the match,
    -- so there the phrase stays.
    create function plein_segment_query(q tsquery, seg bigint) returns tsquery
      language sql immutable parallel safe strict
      as $$
        with parts as (
          select m[1] as lexeme, m[2] as ops, i
          from regexp_matches(q::text, '''((?:[^'']|'''')*)''|([^'']+)', 'g') with ordinality as r(m, i)
        ), negated as (
          select coalesce(bool_or(position('!' in ops) > 0), false) as has_not from parts
        )
        select coalesce(string_agg(
                 case when lexeme is not null then '''' || seg::text || '_' || lexeme || ''''
                      when (select has_not from negated) then ops
                      else regexp_replace(ops, '<[0-9]*->|<[0-9]+>', '&', 'g') end,
                 '' order by i), '')::tsquery
        from parts
      $$;

    create index post_search_lexeme_idx on post using gin (plein_segment_vector(search_vector, id / 10000));
    drop index if exists post_search_segment_idx;
    drop index if exists post_search_idx;

    drop function post_search_candidates(tsquery, integer, boolean, bigint);
    create function post_search_candidates(query tsquery, wanted integer, with_hidden boolean, by_author bigint)
    returns table (id bigint, thread_id bigint, is_opening boolean, rank real)
    language plpgsql stable
    -- Planner estimates for an OR of prefixed words are rough; a parallel plan costs more to start
    -- than these reads take.
    set max_parallel_workers_per_gather = 0
    as $fn$
    declare
      newest bigint := coalesce((select max(p.id) from post p), 0);
      hi bigint := newest / 10000;       -- the newest segment not read yet
      span bigint := 10000;              -- post ids the next read should cover
      found integer := 0;
      n integer;
      lo bigint;
      segments tsquery;
    begin
      if numnode(query) = 0 then
        return; -- only stop words
      end if;
      if by_author is not null then
        -- One member's posts are few: read them through the author index and match each one.
        return query
          select p.id, p.thread_id, p.is_opening, ts_rank_cd(p.search_vector, query)
          from post p
          where p.author_id = by_author and p.search_vector @@ query
            and p.deleted_at is null and (with_hidden or p.hidden_at is null)
          order by p.id desc
          limit wanted;
        return;
      end if;
      while hi >= 0 and found < wanted loop
        -- Whole segments covering about span ids below what was read (the newest one is seldom full).
        lo := least(hi, greatest(0, round((least(newest, (hi + 1) * 10000 - 1) - span + 1) / 10000.0)::bigint));
        segments := plein_segment_query(query, hi);
        for s in lo..hi - 1 loop
          segments := segments || plein_segment_query(query, s);
        end loop;
        -- "+ 0": a range on the primary key must not look cheaper than the index on the words.
        return query
          select p.id, p.thread_id, p.is_opening, ts_rank_cd(p.search_vector, query)
          from post p
          where plein_segment_vector(p.search_vector, p.id / 10000) @@ segments
            and p.id + 0 >= lo * 10000 and p.id + 0 < (hi + 1) * 10000
            and p.search_vector @@ query
            and p.deleted_at is null and (with_hidden or p.hidden_at is null)
          order by p.id desc
          limit wanted - found;
        get diagnostics n = row_count;
        found := found + n;
        -- The next read: as many ids as the matches so far say are still needed, at most twice the
        -- last one (every match in a read is fetched from the table, so overshooting costs more
        -- than one more read); twice the last one after a read without matches.
        span := case
          when found = 0 then span * 2
          else least(span * 2, ceil((wanted - found)::numeric * (newest - lo * 10000 + 1) / found))::bigint
        end;
        hi := lo - 1;
      end loop;
    end $fn$;

    analyze post;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Back to one whole-table index; candidates newest first without segments (slower, same results).
  await sql`
    drop function post_search_candidates(tsquery, integer, boolean, bigint);
    create index post_search_idx on post using gin (search_vector);
    drop index post_search_lexeme_idx;
    drop function plein_segment_query(tsquery, bigint);
    drop function plein_segment_vector(tsvector, bigint);
    create function post_search_candidates(query tsquery, wanted integer, with_hidden boolean, by_author bigint)
    returns table (id bigint, thread_id bigint, is_opening boolean, rank real)
    language sql stable as $fn$
      select p.id, p.thread_id, p.is_opening, ts_rank_cd(p.search_vector, query)
      from post p
      where p.search_vector @@ query
        and p.deleted_at is null and (with_hidden or p.hidden_at is null) and (by_author is null or p.author_id = by_author)
      order by p.id desc
      limit wanted
    $fn$;
  `.execute(db);
}
