import { type Kysely, sql } from 'kysely';

/**
 * Search speed (issue 21) and a cheap, bounded search-document update per reply.
 *
 * - A new post no longer rebuilds its thread's document (0016 aggregated every post of the thread,
 *   quadratic in its length: ~300 ms for a reply to a thread of 500 posts). The new posts' vectors
 *   are appended with the same one-position gap, which gives exactly the document a rebuild would
 *   (the aggregate is a left fold of the same concatenation). Concurrent replies each append to the
 *   newest row version (UPDATE re-reads it under READ COMMITTED), so none is lost. Edits, hiding,
 *   deleting and moving posts still rebuild, now in chunks (no quadratic copying).
 * - The GIN indexes on the thread documents and on the posts no longer use a pending list
 *   (fastupdate): with it, the reply that overflowed the list merged all of it (~1 s for an unlucky
 *   reply) and every search read the whole list sequentially. Each update now costs in proportion
 *   to its own lexemes, always.
 * - title_word: which thread titles hold which word, for "Vergelijkbare vragen" (0016 read and
 *   rechecked every matching thread row per word).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Plain concatenation as an aggregate (each chunk below starts with its own gap).
    create aggregate plein_tsvector_concat_agg(tsvector) (sfunc = tsvector_concat, stype = tsvector, initcond = '');

    -- The same document as in 0016, folded in chunks of 32 posts: equal to the one-by-one fold
    -- (concatenation is associative), without copying the growing document once per post.
    create or replace function plein_thread_doc(tid bigint) returns tsvector
      language plpgsql stable
      as $$
      begin
        return (select t.search_vector || coalesce((
          select plein_tsvector_concat_agg(c.v order by c.chunk) from (
            select n.chunk, plein_tsvector_agg(n.search_vector order by n.id) as v
            from (select p.id, p.search_vector, (row_number() over (order by p.id) - 1) / 32 as chunk
                  from post p where p.thread_id = tid and p.deleted_at is null and p.hidden_at is null) n
            group by n.chunk) c), ''::tsvector)
        from thread t where t.id = tid);
      exception when program_limit_exceeded then
        -- Beyond a tsvector's 1 MB: words without positions (phrases then match as "all words").
        return (select t.search_vector || coalesce((
          select strip(plein_tsvector_agg(strip(p.search_vector))) from post p
          where p.thread_id = tid and p.deleted_at is null and p.hidden_at is null), ''::tsvector)
        from thread t where t.id = tid);
      end $$;

    -- New posts: their vectors appended to the thread's document (hidden or deleted ones add nothing).
    create function plein_thread_docs_after_post_insert() returns trigger
      language plpgsql
      as $$
      declare
        r record;
      begin
        for r in
          select n.thread_id, plein_tsvector_agg(n.search_vector order by n.id) as v
          from changed_posts n
          where n.deleted_at is null and n.hidden_at is null
          group by n.thread_id
          order by n.thread_id
        loop
          begin
            update thread_search_doc d set doc = d.doc || r.v where d.thread_id = r.thread_id;
            if not found then
              perform plein_refresh_thread_docs(array[r.thread_id]);
            end if;
          exception when program_limit_exceeded then
            -- The document is full (1 MB): rebuilt without positions, as plein_thread_doc does.
            perform plein_refresh_thread_docs(array[r.thread_id]);
          end;
        end loop;
        return null;
      end $$;
    drop trigger post_thread_doc_insert on post;
    create trigger post_thread_doc_insert after insert on post referencing new table as changed_posts
      for each statement execute function plein_thread_docs_after_post_insert();

    alter index thread_search_doc_idx set (fastupdate = off);
    select gin_clean_pending_list('thread_search_doc_idx'::regclass);

    -- Post candidates (0011): the same reads, with generic plans and each read's query made without
    -- parsing the query again per segment.
    create or replace function post_search_candidates(query tsquery, wanted integer, with_hidden boolean, by_author bigint)
    returns table (id bigint, thread_id bigint, is_opening boolean, rank real)
    language plpgsql stable
    -- Planner estimates for an OR of prefixed words are rough; a parallel plan costs more to start
    -- than these reads take.
    set max_parallel_workers_per_gather = 0
    -- One plan per statement, kept: the reads differ only in their values, and planning each one
    -- anew (custom plans, which the plan cache otherwise keeps for these) cost more than reading.
    set plan_cache_mode = force_generic_plan
    as $fn$
    declare
      newest bigint := coalesce((select max(p.id) from post p), 0);
      hi bigint := newest / 10000;       -- the newest segment not read yet
      span bigint := 10000;              -- post ids the next read should cover
      found integer := 0;
      n integer;
      lo bigint;
      segments tsquery;
      -- The query for segment -1, as text: each read below puts the segments' numbers in its place
      -- (one string operation per segment instead of parsing the query again for each one).
      template text := plein_segment_query(query, -1)::text;
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
        if position('''''' in template) = 0 then
          -- Every lexeme starts right after a quote (none holds one: the parser never makes one).
          segments := (select string_agg('(' || replace(template, '''-1_', '''' || s || '_') || ')', ' | ' order by s desc)
                       from generate_series(lo, hi) s)::tsquery;
        else
          segments := plein_segment_query(query, hi);
          for s in lo..hi - 1 loop
            segments := segments || plein_segment_query(query, s);
          end loop;
        end if;
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

    -- Thread titles by word ------------------------------------------------------------------------
    create table title_word (
      lexeme text not null,
      thread_id bigint not null references thread (id) on delete cascade,
      primary key (lexeme, thread_id)
    );
    create index title_word_thread_idx on title_word (thread_id);

    create function plein_title_words_after_insert() returns trigger
      language plpgsql
      as $$
      begin
        insert into title_word (lexeme, thread_id)
          select l, n.id from new_threads n, unnest(tsvector_to_array(ts_filter(n.search_vector, '{a}'))) l
          order by 1, 2
        on conflict do nothing;
        return null;
      end $$;
    create trigger thread_title_word_insert after insert on thread referencing new table as new_threads
      for each statement execute function plein_title_words_after_insert();

    create function plein_title_words_after_update() returns trigger
      language plpgsql
      as $$
      begin
        delete from title_word where thread_id = new.id
          and lexeme <> all (tsvector_to_array(ts_filter(new.search_vector, '{a}')));
        insert into title_word (lexeme, thread_id)
          select l, new.id from unnest(tsvector_to_array(ts_filter(new.search_vector, '{a}'))) l
        on conflict do nothing;
        return null;
      end $$;
    create trigger thread_title_word_update after update of title on thread
      for each row when (old.title is distinct from new.title)
      execute function plein_title_words_after_update();

    insert into title_word (lexeme, thread_id)
      select l, t.id from thread t, unnest(tsvector_to_array(ts_filter(t.search_vector, '{a}'))) l order by 1, 2;
    analyze title_word;
  `.execute(db);
  // Posts' index: the same reasoning as the thread documents'; present since 0011 (absent only on a
  // database that never ran it).
  await sql`
    do $$
    begin
      if to_regclass('post_search_lexeme_idx') is not null then
        alter index post_search_lexeme_idx set (fastupdate = off);
        perform gin_clean_pending_list('post_search_lexeme_idx'::regclass);
      end if;
    end $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger thread_title_word_update on thread; drop trigger thread_title_word_insert on thread;
    drop function plein_title_words_after_update(); drop function plein_title_words_after_insert();
    drop table title_word;
    alter index thread_search_doc_idx reset (fastupdate);
    drop trigger post_thread_doc_insert on post;
    create trigger post_thread_doc_insert after insert on post referencing new table as changed_posts
      for each statement execute function plein_thread_docs_after_posts();
    drop function plein_thread_docs_after_post_insert();
    create or replace function plein_thread_doc(tid bigint) returns tsvector
      language plpgsql stable
      as $$
      begin
        return (select t.search_vector || coalesce((
          select plein_tsvector_agg(p.search_vector order by p.id) from post p
          where p.thread_id = tid and p.deleted_at is null and p.hidden_at is null), ''::tsvector)
        from thread t where t.id = tid);
      exception when program_limit_exceeded then
        return (select t.search_vector || coalesce((
          select strip(plein_tsvector_agg(strip(p.search_vector))) from post p
          where p.thread_id = tid and p.deleted_at is null and p.hidden_at is null), ''::tsvector)
        from thread t where t.id = tid);
      end $$;
    drop aggregate plein_tsvector_concat_agg(tsvector);
    create or replace function post_search_candidates(query tsquery, wanted integer, with_hidden boolean, by_author bigint)
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
  `.execute(db);
  await sql`
    do $$
    begin
      if to_regclass('post_search_lexeme_idx') is not null then
        alter index post_search_lexeme_idx reset (fastupdate);
      end if;
    end $$;
  `.execute(db);
}
