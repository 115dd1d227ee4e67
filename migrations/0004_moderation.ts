import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table report (
      id bigint generated always as identity primary key,
      post_id bigint not null references post (id) on delete cascade,
      reporter_id bigint not null references "user" (id) on delete cascade,
      reason text not null,
      status text not null default 'open' check (status in ('open', 'resolved')),
      resolution text check (resolution in ('hide', 'dismiss', 'suspend')),
      resolved_by bigint references "user" (id) on delete set null,
      resolved_at timestamptz,
      created_at timestamptz not null default now()
    );
    -- one open report per member per post
    create unique index report_open_once_idx on report (post_id, reporter_id) where status = 'open';
    create index report_open_idx on report (created_at, id) where status = 'open';

    -- the audit log: append-only
    create table moderation_action (
      id bigint generated always as identity primary key,
      actor_id bigint not null references "user" (id) on delete restrict,
      action text not null,
      target_type text not null,
      target_id bigint not null,
      reason text not null default '',
      data jsonb not null default '{}',
      created_at timestamptz not null default now()
    );
    create index moderation_action_list_idx on moderation_action (id desc);
    create index moderation_action_target_idx on moderation_action (target_type, target_id, id desc);
    create index moderation_action_actor_idx on moderation_action (actor_id, id desc);

    create function moderation_action_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only';
    end $$;
    create trigger moderation_action_no_change before update or delete on moderation_action
      for each row execute function moderation_action_append_only();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table moderation_action; drop function moderation_action_append_only(); drop table report;`.execute(db);
}
