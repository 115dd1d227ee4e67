import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notification (
      id bigint generated always as identity primary key,
      user_id bigint not null references "user" (id) on delete cascade,
      kind text not null,
      thread_id bigint references thread (id) on delete cascade,
      post_id bigint references post (id) on delete cascade,
      actor_id bigint references "user" (id) on delete set null,
      data jsonb not null default '{}',
      -- notifications with the same open group key are merged ("10 nieuwe reacties op ...")
      group_key text,
      count int not null default 1,
      read_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index notification_user_idx on notification (user_id, updated_at desc, id desc);
    create index notification_unread_idx on notification (user_id) where read_at is null;
    create unique index notification_open_group_idx on notification (user_id, group_key) where read_at is null and group_key is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table notification`.execute(db);
}
