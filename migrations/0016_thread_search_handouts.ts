import { type Kysely, sql } from 'kysely';

/**
 * Search over whole threads, handouts and the sociaal domein's own words (issue 21).
 *
 * - thread_search_doc: per thread one tsvector of its title and tags (weights A, B) and every
 *   visible post (C), kept by triggers. A thread matches when the words are spread over its parts.
 *   Hidden and deleted posts are left out, so nobody finds a thread by words they may not read.
 * - attachment_text: the text a background job extracted from a handout (or why it could not),
 *   with the extractor's version so a new version extracts again.
 * - search_synonym + search_synonym_rule: groups of equivalent terms (repository list and admins'
 *   additions) and the ts_rewrite rules made from them, applied at query time (no reindex).
 * - title_lexeme: in how many thread titles each word occurs, for "Vergelijkbare vragen" weighted
 *   by rarity.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Concatenation with a one-position gap (a lexeme no query can produce: the parser drops "~"),
    -- so a phrase never runs from the end of one part into the start of the next.
    create function plein_tsvector_gap_concat(a tsvector, b tsvector) returns tsvector
      language sql immutable parallel safe strict
      as $$ select a || '~:1'::tsvector || b $$;
    create aggregate plein_tsvector_agg(tsvector) (sfunc = plein_tsvector_gap_concat, stype = tsvector, initcond = '');
    create aggregate plein_tsquery_or(tsquery) (sfunc = tsquery_or, stype = tsquery);

    -- Every positive word of a query OR-ed (negations left out): "which of these words does it have".
    create function plein_any_word(q tsquery) returns tsquery
      language sql immutable parallel safe strict
      as $$
        select coalesce(
          (select string_agg('''' || m[1] || '''', ' | ')::tsquery
             from regexp_matches(querytree(q), '''((?:[^'']|'''')*)''', 'g') as m),
          q)
      $$;

    -- How many positive words a query has (a thread-level match only matters from two on).
    create function plein_positive_words(q tsquery) returns integer
      language sql immutable parallel safe strict
      as $$ select count(*)::integer from regexp_matches(querytree(q), '''((?:[^'']|'''')*)''', 'g') $$;

    -- The lexemes a query names (negated ones too), for finding the synonym rules that can apply.
    create function plein_query_lexemes(q tsquery) returns text[]
      language sql immutable parallel safe strict
      as $$ select coalesce(array_agg(distinct m[1]), '{}') from regexp_matches(q::text, '''((?:[^'']|'''')*)''', 'g') as m $$;

    -- Phrases read as "all of these words" when nothing is negated: a GIN index answers that exactly,
    -- without reading each row back (the caller checks the real query where it differs).
    create function plein_loose_query(q tsquery) returns tsquery
      language sql immutable parallel safe strict
      as $$
        with parts as (
          select m[1] as lexeme, m[2] as ops, i
          from regexp_matches(q::text, '''((?:[^'']|'''')*)''|([^'']+)', 'g') with ordinality as r(m, i)
        )
        select case when position('!' in q::text) > 0 then q
               else coalesce(string_agg(case when lexeme is not null then '''' || lexeme || '''' else regexp_replace(ops, '<[0-9]*->|<[0-9]+>', '&', 'g') end, '' order by i), '')::tsquery end
        from parts
      $$;

    create table thread_search_doc (
      thread_id bigint primary key references thread (id) on delete cascade,
      doc tsvector not null
    ) with (toast_tuple_target = 128);
    -- Documents live out of line, so a scan over matching threads reads narrow rows.
    alter table thread_search_doc alter column doc set storage external;
    create index thread_search_doc_idx on thread_search_doc using gin (doc);

    -- Threads whose parts hold the query together, newest first. Always through the GIN index: a
    -- filter on the documents would read every one of them out of line (the planner, seeing that
    -- most threads match common words, otherwise walks the primary key backwards and does just
    -- that). Read in ranges of thread ids, newest first and doubling, so common words sort a few
    -- thousand ids, not all. The index answers the loose query exactly; phrases are checked only
    -- on what it returns.
    create function plein_spread_threads(q tsquery, loose tsquery, wanted integer) returns setof bigint
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

    create function plein_thread_doc(tid bigint) returns tsvector
      language plpgsql stable
      as $$
      begin
        return (select t.search_vector || coalesce((
          select plein_tsvector_agg(p.search_vector order by p.id) from post p
          where p.thread_id = tid and p.deleted_at is null and p.hidden_at is null), ''::tsvector)
        from thread t where t.id = tid);
      exception when program_limit_exceeded then
        -- Beyond a tsvector's 1 MB: words without positions (phrases then match as "all words").
        return (select t.search_vector || coalesce((
          select strip(plein_tsvector_agg(strip(p.search_vector))) from post p
          where p.thread_id = tid and p.deleted_at is null and p.hidden_at is null), ''::tsvector)
        from thread t where t.id = tid);
      end $$;

    -- Locks the threads' documents first, so a concurrent reply's post is seen when it is rebuilt
    -- (each statement of a plpgsql function reads a new snapshot under READ COMMITTED).
    create function plein_refresh_thread_docs(ids bigint[]) returns void
      language plpgsql
      as $$
      begin
        perform 1 from thread_search_doc d where d.thread_id = any(ids) order by d.thread_id for update;
        insert into thread_search_doc (thread_id, doc)
          select t.id, plein_thread_doc(t.id) from thread t where t.id = any(ids) order by t.id
        on conflict (thread_id) do update set doc = excluded.doc;
      end $$;

    create function plein_thread_docs_after_posts() returns trigger
      language plpgsql
      as $$
      begin
        perform plein_refresh_thread_docs(array(select distinct thread_id from changed_posts));
        return null;
      end $$;
    create trigger post_thread_doc_insert after insert on post referencing new table as changed_posts
      for each statement execute function plein_thread_docs_after_posts();
    create trigger post_thread_doc_delete after delete on post referencing old table as changed_posts
      for each statement execute function plein_thread_docs_after_posts();

    create function plein_thread_doc_after_post_update() returns trigger
      language plpgsql
      as $$
      begin
        perform plein_refresh_thread_docs(array[new.thread_id, old.thread_id]);
        return null;
      end $$;
    create trigger post_thread_doc_update after update of body_text, hidden_at, deleted_at, thread_id on post
      for each row when (old.body_text is distinct from new.body_text or old.hidden_at is distinct from new.hidden_at
                         or old.deleted_at is distinct from new.deleted_at or old.thread_id is distinct from new.thread_id)
      execute function plein_thread_doc_after_post_update();

    create function plein_thread_docs_after_threads() returns trigger
      language plpgsql
      as $$
      begin
        insert into thread_search_doc (thread_id, doc) select id, search_vector from new_threads
        on conflict (thread_id) do nothing;
        return null;
      end $$;
    create trigger thread_doc_insert after insert on thread referencing new table as new_threads
      for each statement execute function plein_thread_docs_after_threads();

    create function plein_thread_doc_after_thread_update() returns trigger
      language plpgsql
      as $$
      begin
        perform plein_refresh_thread_docs(array[new.id]);
        return null;
      end $$;
    create trigger thread_doc_update after update of title, tags_text on thread
      for each row when (old.search_vector is distinct from new.search_vector)
      execute function plein_thread_doc_after_thread_update();

    insert into thread_search_doc (thread_id, doc) select t.id, plein_thread_doc(t.id) from thread t;

    -- Handout text ---------------------------------------------------------------------------
    create table attachment_text (
      attachment_id bigint primary key references attachment (id) on delete cascade,
      -- 'done': text extracted (possibly empty); 'failed': "niet doorzoekbaar" (see error)
      status text not null check (status in ('done', 'failed')),
      extractor_version text not null,
      body text not null default '',
      pages integer,
      error text,
      extracted_at timestamptz not null default now(),
      search_vector tsvector generated always as (setweight(to_tsvector('plein_dutch'::regconfig, body), 'D')) stored
    );
    create index attachment_text_search_idx on attachment_text using gin (search_vector);
    create index attachment_post_thread_idx on attachment (post_id) where post_id is not null;

    -- Synonyms ----------------------------------------------------------------------------------
    create table search_synonym (
      id bigint generated always as identity primary key,
      terms text[] not null check (cardinality(terms) between 2 and 10),
      -- 'repo': from server/search/synonyms.nl.json (replaced when the file changes); 'admin': added on the Beheer page
      source text not null check (source in ('repo', 'admin')),
      created_by bigint references "user" (id) on delete set null,
      created_at timestamptz not null default now()
    );
    create table search_synonym_source (id boolean primary key default true check (id), sha256 text not null);

    -- Two passes of ts_rewrite, so a substitute is never rewritten again (that multiplied the query):
    -- pass 1 turns each term (as typed words, or as a phrase) into its group's placeholder, longest
    -- terms first; pass 2 turns a placeholder into "any of the group's terms, as phrases". A
    -- placeholder ("~syn12") is nothing a typed query can produce: the parser drops "~".
    create materialized view search_synonym_rule as
      with term as (
        select s.id, t.term, plainto_tsquery('plein_dutch', t.term) as words, phraseto_tsquery('plein_dutch', t.term) as phrase
        from search_synonym s, unnest(s.terms) as t(term)
      ), usable as (
        select * from term where numnode(words) > 0
      ), alternative as (
        -- A phrase that holds a one-word term of its own group adds nothing to an OR ("sociaal wijkteam" next to "wijkteam").
        select * from usable u
        where numnode(u.phrase) = 1
           or not exists (select 1 from usable v where v.id = u.id and numnode(v.phrase) = 1 and position(v.phrase::text in u.phrase::text) > 0)
      ), grp as (
        select id, ('''~syn' || id || '''')::tsquery as placeholder, plein_tsquery_or(phrase) as alternatives
        from alternative group by id having (select count(*) from usable x where x.id = alternative.id) > 1
      )
      select r.*, plein_query_lexemes(r.target) as lexemes
      from (
        select 1 as pass, numnode(u.words) as size, u.words as target, g.placeholder as substitute
        from usable u join grp g on g.id = u.id
        union all
        select 1, numnode(u.phrase), u.phrase, g.placeholder
        from usable u join grp g on g.id = u.id
        where numnode(u.phrase) > 1 and u.phrase::text <> u.words::text
        union all
        select 2, 1, g.placeholder, g.alternatives from grp g
      ) r;

    -- The query with the synonym rules applied, reading only the rules whose words it has (ts_rewrite
    -- with a rule query would read and parse all of them for every search).
    create function plein_expand_query(q tsquery) returns tsquery
      language plpgsql stable parallel safe strict
      as $$
      declare
        words text[] := plein_query_lexemes(q);
        r record;
      begin
        for r in select target, substitute from search_synonym_rule
                 where pass = 1 and lexemes <@ words order by size desc loop
          q := ts_rewrite(q, r.target, r.substitute);
        end loop;
        words := plein_query_lexemes(q);
        for r in select target, substitute from search_synonym_rule
                 where pass = 2 and lexemes <@ words loop
          q := ts_rewrite(q, r.target, r.substitute);
        end loop;
        return q;
      end $$;

    -- Title words for similar questions -----------------------------------------------------------
    -- '' counts the threads themselves.
    create table title_lexeme (lexeme text primary key, threads integer not null);
    create function plein_title_lexemes(v tsvector) returns setof text
      language sql immutable parallel safe strict
      as $$ select unnest(tsvector_to_array(ts_filter(v, '{a}'))) union all select '' $$;

    create function plein_title_lexemes_after_insert() returns trigger
      language plpgsql
      as $$
      begin
        insert into title_lexeme (lexeme, threads)
          select l, count(*) from new_threads, plein_title_lexemes(search_vector) l group by l order by l
        on conflict (lexeme) do update set threads = title_lexeme.threads + excluded.threads;
        return null;
      end $$;
    create trigger thread_title_lexeme_insert after insert on thread referencing new table as new_threads
      for each statement execute function plein_title_lexemes_after_insert();

    create function plein_title_lexemes_after_delete() returns trigger
      language plpgsql
      as $$
      begin
        update title_lexeme tl set threads = tl.threads - d.n
          from (select l, count(*) as n from old_threads, plein_title_lexemes(search_vector) l group by l) d
          where tl.lexeme = d.l;
        return null;
      end $$;
    create trigger thread_title_lexeme_delete after delete on thread referencing old table as old_threads
      for each statement execute function plein_title_lexemes_after_delete();

    create function plein_title_lexemes_after_update() returns trigger
      language plpgsql
      as $$
      begin
        update title_lexeme set threads = threads - 1
          where lexeme in (select plein_title_lexemes(old.search_vector) except select plein_title_lexemes(new.search_vector));
        insert into title_lexeme (lexeme, threads)
          select l, 1 from (select plein_title_lexemes(new.search_vector) except select plein_title_lexemes(old.search_vector)) n(l) order by l
        on conflict (lexeme) do update set threads = title_lexeme.threads + 1;
        return null;
      end $$;
    create trigger thread_title_lexeme_update after update of title on thread
      for each row when (old.title is distinct from new.title)
      execute function plein_title_lexemes_after_update();

    insert into title_lexeme (lexeme, threads)
      select l, count(*) from thread, plein_title_lexemes(search_vector) l group by l;

    -- Browsing by author without words: that member's posts newest first.
    analyze thread_search_doc;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger thread_title_lexeme_update on thread; drop trigger thread_title_lexeme_delete on thread; drop trigger thread_title_lexeme_insert on thread;
    drop function plein_title_lexemes_after_update(); drop function plein_title_lexemes_after_delete(); drop function plein_title_lexemes_after_insert();
    drop function plein_title_lexemes(tsvector); drop table title_lexeme;
    drop materialized view search_synonym_rule; drop table search_synonym_source; drop table search_synonym;
    drop index attachment_post_thread_idx; drop table attachment_text;
    drop trigger thread_doc_update on thread; drop trigger thread_doc_insert on thread;
    drop trigger post_thread_doc_update on post; drop trigger post_thread_doc_delete on post; drop trigger post_thread_doc_insert on post;
    drop function plein_thread_doc_after_thread_update(); drop function plein_thread_docs_after_threads();
    drop function plein_thread_doc_after_post_update(); drop function plein_thread_docs_after_posts();
    drop function plein_refresh_thread_docs(bigint[]); drop function plein_thread_doc(bigint); drop function plein_spread_threads(tsquery, tsquery, integer);
    drop table thread_search_doc;
    drop function plein_expand_query(tsquery); drop function plein_loose_query(tsquery); drop function plein_query_lexemes(tsquery);
    drop function plein_positive_words(tsquery); drop function plein_any_word(tsquery);
    drop aggregate plein_tsquery_or(tsquery); drop aggregate plein_tsvector_agg(tsvector); drop function plein_tsvector_gap_concat(tsvector, tsvector);
  `.execute(db);
}
