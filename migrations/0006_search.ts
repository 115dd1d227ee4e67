import { type Kysely, sql } from 'kysely';

/**
 * Dutch full-text search. `plein_dutch` is PostgreSQL's `dutch` configuration with `unaccent` in
 * front of the stemmer when the server has the extension (so "cliënt" finds "client"); without it
 * the configuration is a plain copy of `dutch` and accents must match (see README).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$
    begin
      begin
        create extension if not exists unaccent;
      exception when others then
        raise notice 'unaccent is not available: search stays accent-sensitive';
      end;
      if exists (select 1 from pg_extension where extname = 'unaccent') then
        create text search configuration plein_dutch (copy = dutch);
        alter text search configuration plein_dutch alter mapping for hword, hword_part, word with unaccent, dutch_stem;
      else
        create text search configuration plein_dutch (copy = dutch);
      end if;
    end $$;

    alter table thread add column tags_text text not null default '';
    alter table thread add column search_vector tsvector generated always as (
      setweight(to_tsvector('plein_dutch'::regconfig, title), 'A') || setweight(to_tsvector('plein_dutch'::regconfig, tags_text), 'B')
    ) stored;
    create index thread_search_idx on thread using gin (search_vector);

    alter table post add column search_vector tsvector generated always as (
      setweight(to_tsvector('plein_dutch'::regconfig, body_text), 'C')
    ) stored;
    create index post_search_idx on post using gin (search_vector);

    -- tags live in thread_tag; keep a copy on the thread, in the same transaction, for its search vector
    create function thread_tags_text_sync() returns trigger language plpgsql as $$
    declare
      tid bigint := coalesce(new.thread_id, old.thread_id);
    begin
      update thread set tags_text = coalesce((select string_agg(tag, ' ' order by tag) from thread_tag where thread_id = tid), '') where id = tid;
      return null;
    end $$;
    create trigger thread_tag_sync after insert or update or delete on thread_tag for each row execute function thread_tags_text_sync();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger thread_tag_sync on thread_tag; drop function thread_tags_text_sync();
    alter table post drop column search_vector; alter table thread drop column search_vector; alter table thread drop column tags_text;
    drop text search configuration plein_dutch;
  `.execute(db);
}
