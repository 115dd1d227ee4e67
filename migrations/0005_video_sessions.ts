import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table video_session (
      id bigint generated always as identity primary key,
      thread_id bigint not null references thread (id) on delete cascade,
      status text not null check (status in ('requested', 'proposed', 'scheduled', 'cancelled', 'ended')),
      title text not null,
      description text not null default '',
      organiser_id bigint references "user" (id) on delete set null,
      requested_by bigint not null references "user" (id) on delete cascade,
      starts_at timestamptz,
      duration_minutes int check (duration_minutes between 15 and 480),
      capacity int check (capacity between 1 and 1000),
      meeting_url text,
      -- iCalendar SEQUENCE: bumped on every change so Outlook updates the same entry
      sequence int not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    -- one open session per thread
    create unique index video_session_open_idx on video_session (thread_id) where status in ('requested', 'proposed', 'scheduled');
    create index video_session_thread_idx on video_session (thread_id, id desc);

    create table video_session_interest (
      session_id bigint not null references video_session (id) on delete cascade,
      user_id bigint not null references "user" (id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (session_id, user_id)
    );
    create index video_session_interest_user_idx on video_session_interest (user_id);

    create sequence video_session_waitlist_seq;
    create table video_session_registration (
      id bigint generated always as identity primary key,
      session_id bigint not null references video_session (id) on delete cascade,
      user_id bigint not null references "user" (id) on delete cascade,
      status text not null check (status in ('registered', 'waitlisted')),
      -- waitlist order (first come, first served); null once registered
      waitlist_seq bigint,
      created_at timestamptz not null default now(),
      unique (session_id, user_id)
    );
    create index video_session_registration_waitlist_idx on video_session_registration (session_id, waitlist_seq) where status = 'waitlisted';
    create index video_session_registration_user_idx on video_session_registration (user_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table video_session_registration; drop sequence video_session_waitlist_seq; drop table video_session_interest; drop table video_session;`.execute(db);
}
