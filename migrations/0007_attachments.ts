import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table attachment (
      id bigint generated always as identity primary key,
      uploader_id bigint not null references "user" (id) on delete cascade,
      -- null until the upload is attached to a post; unattached uploads are removed after 24 hours
      post_id bigint references post (id) on delete cascade,
      position int not null default 0,
      sha256 text not null,
      size bigint not null,
      content_type text not null,
      filename text not null,
      storage_key text not null,
      created_at timestamptz not null default now()
    );
    create index attachment_post_idx on attachment (post_id, position) where post_id is not null;
    create index attachment_unattached_idx on attachment (created_at) where post_id is null;
    create index attachment_sha_idx on attachment (sha256);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table attachment`.execute(db);
}
