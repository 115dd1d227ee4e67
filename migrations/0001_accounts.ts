import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table "user" (
      id bigint generated always as identity primary key,
      email text not null,
      display_name text not null,
      job_title text not null default '',
      organisation text not null default '',
      bio text not null default '',
      role text not null default 'member' check (role in ('member', 'expert', 'moderator', 'admin')),
      password_hash text not null,
      avatar_key text,
      locale text not null default 'nl',
      suspended_until timestamptz,
      suspension_reason text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index user_email_lower_idx on "user" (lower(email));

    create table user_session (
      id text primary key,
      user_id bigint not null references "user" (id) on delete cascade,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index user_session_user_idx on user_session (user_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table user_session; drop table "user";`.execute(db);
}
