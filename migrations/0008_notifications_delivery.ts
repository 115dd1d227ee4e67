import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table subscription (
      user_id bigint not null references "user" (id) on delete cascade,
      target_type text not null check (target_type in ('channel', 'thread')),
      target_id bigint not null,
      level text not null check (level in ('watching', 'normal', 'muted')),
      updated_at timestamptz not null default now(),
      primary key (user_id, target_type, target_id)
    );
    create index subscription_target_idx on subscription (target_type, target_id, level);

    create table notification_setting (
      user_id bigint primary key references "user" (id) on delete cascade,
      email_frequency text not null default 'immediately' check (email_frequency in ('immediately', 'daily', 'never')),
      last_digest_at timestamptz
    );

    -- mail delivery state on the notification itself: the table is the queue
    alter table notification add column email_status text not null default 'pending' check (email_status in ('pending', 'sent', 'skipped'));
    create index notification_mail_pending_idx on notification (created_at) where email_status = 'pending';

    create table mail_log (
      id bigint generated always as identity primary key,
      user_id bigint not null references "user" (id) on delete cascade,
      thread_id bigint,
      kind text not null,
      message_id text,
      sent_at timestamptz not null default now()
    );
    create index mail_log_throttle_idx on mail_log (user_id, thread_id, sent_at desc);

    -- the 24-hour reminder was sent for this start time (a new time gets a new reminder)
    alter table video_session add column reminded_for timestamptz;

    create table app_setting (
      key text primary key,
      value text not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table app_setting; alter table video_session drop column reminded_for; drop table mail_log; alter table notification drop column email_status; drop table notification_setting; drop table subscription;`.execute(db);
}
