import { type Kysely, sql } from 'kysely';

/**
 * Issue 20: posts held for moderators by the client-data guardrail, finished video sessions (summary
 * and recording), and personal calendar feeds behind a secret token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A post with possible client data that its writer published anyway: hidden until a moderator decides.
    alter table post
      add column held_at timestamptz,
      add column held_findings jsonb,
      -- the real title of a held thread while the thread shows a neutral one
      add column held_title text;
    create index post_held_idx on post (held_at, id) where held_at is not null and deleted_at is null;

    alter table video_session
      add column summary_post_id bigint references post (id) on delete set null,
      add column recording_url text;

    -- The agenda: upcoming scheduled sessions, soonest first (keyset on starts_at, id).
    create index video_session_agenda_idx on video_session (starts_at, id) where status = 'scheduled';
    -- Sessions I organise ("Mijn videosessies").
    create index video_session_organiser_idx on video_session (organiser_id) where organiser_id is not null;

    -- One secret calendar feed per user: the token is an HMAC of the user id and this nonce with the
    -- app secret; regenerating draws a new nonce, which revokes the old address.
    create table calendar_feed (
      user_id bigint primary key references "user" (id) on delete cascade,
      nonce text not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table calendar_feed;
    alter table video_session drop column summary_post_id, drop column recording_url;
    drop index post_held_idx;
    alter table post drop column held_at, drop column held_findings, drop column held_title;
  `.execute(db);
}
