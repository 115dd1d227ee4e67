import { type Kysely, sql } from 'kysely';

/**
 * Search reads its candidate posts newest first, a segment of 10,000 post ids at a time.
 *
 * A GIN index only answers with a bitmap of every match, so for common words the whole posting
 * list was decoded (a few ms per query on a million posts) and the CANDIDATES taken from it came in
 * heap order: roughly the oldest. With the segment number as the first key of a second GIN index
 * (btree_gin), one scan decodes only that segment's part of each list and the candidates are the
 * newest matches. When matches turn out to be rare, the rest is read from the same index without
 * the segment key (one bitmap of the whole table, whose lists are short for rare words).
 *
 * Without btree_gin (a server without the contrib modules) the function reads the whole-table index
 * only: the same results as before this migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$
    begin
      begin
        create extension if not exists btree_gin;
      exception when others then
        raise notice 'btree_gin is not available: search reads the whole-table index';
      end;
      if exists (select 1 from pg_extension where extname = 'btree_gin') then
        create index post_search_segment_idx on post using gin ((id / 10000), search_vector);
        -- Its second column answers whole-table searches as fast: one GIN index to keep up, not two.
        drop index post_search_idx;
      end if;
    end $$;

    -- "has attachments" in search: one probe per candidate thread
    create index post_with_attachments_idx on post (thread_id) where attachment_count > 0 and deleted_at is null;
  `.execute(db);
  // Decided here, once, instead of a catalog look-up in every search.
  const { rows } = await sql<{ segmented: boolean }>`select exists (select 1 from pg_extension where extname = 'btree_gin') as segmented`.execute(db);
  await sql`
    create function post_search_candidates(query tsquery, wanted integer, with_hidden boolean, by_author bigint)
    returns table (id bigint, thread_id bigint, is_opening boolean, rank real)
    language plpgsql stable as $fn$
    declare
      segmented constant boolean := ${sql.lit(rows[0].segmented)};
      segment bigint := coalesce((select max(p.id) from post p), 0) / 10000;
      found integer := 0;
      scanned integer := 0;
      n integer;
    begin
      while segmented and segment >= 0 and found < wanted loop
        return query
          select p.id, p.thread_id, p.is_opening, ts_rank_cd(p.search_vector, query)
          from post p
          where p.id / 10000 = segment and p.search_vector @@ query
            and p.deleted_at is null and (with_hidden or p.hidden_at is null) and (by_author is null or p.author_id = by_author)
          order by p.id desc
          limit wanted - found;
        get diagnostics n = row_count;
        found := found + n;
        scanned := scanned + 1;
        segment := segment - 1;
        -- Rare matches would take many segments: read the rest from the whole-table index below.
        exit when found < wanted and (found = 0 or (wanted - found) * scanned > 6 * found) and scanned >= 2;
      end loop;
      if found < wanted and segment >= 0 then
        -- "+ 0": a range on the primary key must not look cheaper than the full-text index here.
        return query
          select p.id, p.thread_id, p.is_opening, ts_rank_cd(p.search_vector, query)
          from post p
          where p.search_vector @@ query and p.id + 0 < (segment + 1) * 10000
            and p.deleted_at is null and (with_hidden or p.hidden_at is null) and (by_author is null or p.author_id = by_author)
          limit wanted - found;
      end if;
    end $fn$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop function post_search_candidates(tsquery, integer, boolean, bigint);
    drop index post_with_attachments_idx;
    create index if not exists post_search_idx on post using gin (search_vector);
    drop index if exists post_search_segment_idx;
  `.execute(db);
}
