import { type Kysely, sql } from 'kysely';

/**
 * Search speed, second round (issue 21).
 *
 * - search_synonym_state: a generation number bumped by every change to search_synonym, in the
 *   same transaction. A server keeps each query's rewritten form (synonyms applied, the loose and
 *   any-word forms, the segment template) with the generation it was made under; a search sends
 *   that form and the generation, and the statement itself falls back to rewriting when the
 *   generation moved on. Rewriting costs ~1–2 ms of every search otherwise (plein_expand_query ran
 *   three times per statement).
 * - post_search_candidates takes the segment template from the caller (made once per query text).
 * - plein_spread_threads first walks the newest threads through the primary key, checking each
 *   document, before it asks the GIN index: for words most threads hold, the index returned every
 *   thread (~20,000 entries, ~5–8 ms) to keep the newest hundred. Same threads: the newest `wanted`
 *   whose document matches.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table search_synonym_state (id boolean primary key default true check (id), generation bigint not null);
    insert into search_synonym_state (id, generation) values (true, 1);
    analyze search_synonym_state;

    create function plein_search_synonym_bump() returns trigger
      language plpgsql
      as $$
      begin
        update search_synonym_state set generation = generation + 1 where id;
        return null;
      end $$;
    create trigger search_synonym_generation after insert or update or delete or truncate on search_synonym
      for each statement execute function plein_search_synonym_bump();

    -- Everything a search needs from its text, at once: see server/search/query.ts (parsedQuery).
    create type plein_parsed_search as (generation bigint, query tsquery, loose tsquery, any_word tsquery, several boolean, template text);
    create function plein_parse_search(text text) returns plein_parsed_search
      language plpgsql stable
      as $$
      declare
        r plein_parsed_search;
      begin
        r.generation := (select s.generation from search_synonym_state s where s.id);
        r.query := plein_expand_query(websearch_to_tsquery('plein_dutch', text));
        r.loose := plein_loose_query(r.query);
        r.any_word := plein_any_word(r.query);
        -- Words spread over a thread only matter for two typed words or more (not counting synonyms).
        r.several := plein_positive_words(websearch_to_tsquery('plein_dutch', text)) > 1;
        r.template := plein_segment_query(r.query, -1)::text;
        return r;
      end $$;

    -- The same candidates as 0018's; the template (plein_segment_query(query, -1)) given by the caller.
    create function post_search_candidates(query tsquery, wanted integer, with_hidden boolean, by_author bigint, template text)
    returns table (id bigint, thread_id bigint, is_opening boolean, rank real)
    language plpgsql stable
    set max_parallel_workers_per_gather = 0
    set plan_cache_mode = force_generic_plan
    as $fn$
    declare
      newest bigint := coalesce((select max(p.id) from post p), 0);
      hi bigint := newest / 10000;
      span bigint := 10000;
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
          select p.id, p.thread_id, p.is_opening, ts_rank_cd(p.search_vector, query)
          from post p
          where p.author_id = by_author and p.search_vector @@ query
            and p.deleted_at is null and (with_hidden or p.hidden_at is null)
          order by p.id desc
          limit wanted;
        return;
      end if;
      while hi >= 0 and found < wanted loop
        lo := least(hi, greatest(0, round((least(newest, (hi + 1) * 10000 - 1) - span + 1) / 10000.0)::bigint));
        if position('''''' in template) = 0 then
          segments := (select string_agg('(' || replace(template, '''-1_', '''' || s || '_') || ')', ' | ' order by s desc)
                       from generate_series(lo, hi) s)::tsquery;
        else
          segments := plein_segment_query(query, hi);
          for s in lo..hi - 1 loop
            segments := segments || plein_segment_query(query, s);
          end loop;
        end if;
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
        span := case
          when found = 0 then span * 2
          else least(span * 2, ceil((wanted - found)::numeric * (newest - lo * 10000 + 1) / found))::bigint
        end;
        hi := lo - 1;
      end loop;
    end $fn$;

    -- The newest threads (ids in (above, hi]) whose document matches q, newest first, through the
    -- primary key: each document is read and checked (no GIN read of the words' whole lists).
    create function plein_spread_newest(q tsquery, above bigint, hi bigint, wanted integer) returns setof bigint
      language plpgsql stable
      set enable_seqscan = off
      set enable_bitmapscan = off
      set enable_indexscan = on
      set max_parallel_workers_per_gather = 0
      as $$
      begin
        return query select d.thread_id from thread_search_doc d
          where d.thread_id > above and d.thread_id <= hi and d.doc @@ q
          order by d.thread_id desc
          limit wanted;
      end $$;

    -- The newest thread with a document, from the primary key's end (under plein_spread_threads'
    -- settings, max() read all 20,000 keys through a bitmap: ~5 ms of every spread search).
    create function plein_newest_thread_doc() returns bigint
      language plpgsql stable
      set enable_indexscan = on
      as $$
      begin
        return coalesce((select max(d.thread_id) from thread_search_doc d), 0);
      end $$;

    create or replace function plein_spread_threads(q tsquery, loose tsquery, wanted integer) returns setof bigint
      language plpgsql stable
      set enable_seqscan = off
      set enable_indexscan = off
      set max_parallel_workers_per_gather = 0
      as $$
      declare
        hi bigint := plein_newest_thread_doc();
        -- The newest threads read one by one first: three documents per wanted thread. Words most
        -- threads hold are answered here; rarer ones cost these few reads more, then the index.
        probe bigint := 3 * wanted;
        span bigint := 500;
        found integer := 0;
        n integer;
      begin
        return query select plein_spread_newest(q, hi - probe, hi, wanted);
        get diagnostics n = row_count;
        found := found + n;
        hi := hi - probe;
        while hi > 0 and found < wanted loop
          if loose::text = q::text then
            -- "+ 0": the range is a filter on what the GIN index returns, never the way in.
            return query select d.thread_id from thread_search_doc d
              where d.doc @@ q and d.thread_id + 0 > hi - span and d.thread_id + 0 <= hi
              order by d.thread_id desc limit wanted - found;
          else
            return query
              select c.thread_id
              from (select d.thread_id, d.doc from thread_search_doc d
                    where d.doc @@ loose and d.thread_id + 0 > hi - span and d.thread_id + 0 <= hi
                    order by d.thread_id desc offset 0) c
              where c.doc @@ q
              limit wanted - found;
          end if;
          get diagnostics n = row_count;
          found := found + n;
          hi := hi - span;
          span := span * 2;
        end loop;
      end $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function plein_spread_threads(q tsquery, loose tsquery, wanted integer) returns setof bigint
      language plpgsql stable
      set enable_seqscan = off
      set enable_indexscan = off
      set max_parallel_workers_per_gather = 0
      as $$
      declare
        hi bigint := coalesce((select max(thread_id) from thread_search_doc), 0);
        span bigint := 500;
        found integer := 0;
        n integer;
      begin
        while hi > 0 and found < wanted loop
          if loose::text = q::text then
            return query select d.thread_id from thread_search_doc d
              where d.doc @@ q and d.thread_id + 0 > hi - span and d.thread_id + 0 <= hi
              order by d.thread_id desc limit wanted - found;
          else
            return query
              select c.thread_id
              from (select d.thread_id, d.doc from thread_search_doc d
                    where d.doc @@ loose and d.thread_id + 0 > hi - span and d.thread_id + 0 <= hi
                    order by d.thread_id desc offset 0) c
              where c.doc @@ q
              limit wanted - found;
          end if;
          get diagnostics n = row_count;
          found := found + n;
          hi := hi - span;
          span := span * 2;
        end loop;
      end $$;
    drop function plein_spread_newest(tsquery, bigint, bigint, integer);
    drop function plein_newest_thread_doc();
    drop function post_search_candidates(tsquery, integer, boolean, bigint, text);
    drop function plein_parse_search(text);
    drop type plein_parsed_search;
    drop trigger search_synonym_generation on search_synonym;
    drop function plein_search_synonym_bump();
    drop table search_synonym_state;
  `.execute(db);
}
