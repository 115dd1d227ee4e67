import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table channel (
      id bigint generated always as identity primary key,
      slug text not null unique,
      name text not null,
      description text not null default '',
      posting_policy text not null check (posting_policy in ('experts_ask', 'open')),
      position int not null default 0,
      thread_count int not null default 0,
      last_activity_at timestamptz,
      created_at timestamptz not null default now()
    );

    create table thread (
      id bigint generated always as identity primary key,
      channel_id bigint not null references channel (id) on delete restrict,
      author_id bigint not null references "user" (id) on delete restrict,
      title text not null,
      kind text not null check (kind in ('question', 'discussion')),
      first_post_id bigint,
      pinned boolean not null default false,
      locked boolean not null default false,
      reply_count int not null default 0,
      last_activity_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    -- the channel page: pinned first, then last activity (keyset)
    create index thread_channel_list_idx on thread (channel_id, pinned desc, last_activity_at desc, id desc);
    create index thread_author_idx on thread (author_id);

    create table post (
      id bigint generated always as identity primary key,
      thread_id bigint not null references thread (id) on delete cascade,
      author_id bigint not null references "user" (id) on delete restrict,
      is_opening boolean not null default false,
      body_html text not null,
      body_text text not null,
      quote_post_id bigint references post (id) on delete set null,
      created_at timestamptz not null default now(),
      edited_at timestamptz,
      deleted_at timestamptz,
      hidden_at timestamptz,
      hidden_by bigint references "user" (id) on delete set null,
      hidden_reason text
    );
    -- replies oldest first (keyset on id, which follows creation order)
    create index post_thread_idx on post (thread_id, id);
    create index post_author_idx on post (author_id, created_at desc);
    alter table thread add constraint thread_first_post_fk
      foreign key (first_post_id) references post (id) on delete set null deferrable initially deferred;

    create table post_revision (
      id bigint generated always as identity primary key,
      post_id bigint not null references post (id) on delete cascade,
      editor_id bigint not null references "user" (id) on delete restrict,
      title text,
      body_html text not null,
      created_at timestamptz not null default now()
    );
    create index post_revision_post_idx on post_revision (post_id, id);

    create table thread_tag (
      thread_id bigint not null references thread (id) on delete cascade,
      tag text not null,
      primary key (thread_id, tag)
    );
    create index thread_tag_tag_idx on thread_tag (tag, thread_id);

    create table idempotency_key (
      user_id bigint not null references "user" (id) on delete cascade,
      key text not null,
      result_type text not null,
      result_id bigint not null,
      created_at timestamptz not null default now(),
      primary key (user_id, key)
    );

    -- the realtime outbox
    create table event (
      id bigint primary key,
      topic text not null,
      type text not null,
      payload jsonb not null,
      audience text not null default 'public',
      created_at timestamptz not null default now()
    );
    create index event_topic_idx on event (topic, id);
    create index event_created_idx on event (created_at);

    create table event_counter (
      id int primary key check (id = 1),
      last_id bigint not null
    );
    insert into event_counter (id, last_id) values (1, 0);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table event_counter; drop table event; drop table idempotency_key; drop table thread_tag;
    drop table post_revision; alter table thread drop constraint thread_first_post_fk;
    drop table post; drop table thread; drop table channel;
  `.execute(db);
}
