import { type Kysely, sql } from 'kysely';

// The thread page people expect (issue 19): the Vraag statement, the best answer, "nuttig", what a
// reader last read, attachment descriptions, and when a post was last hidden (revisions from before
// a hide stay with moderators). Existing questions keep their title and body as they are: an empty
// statement (null) displays as before. Constant defaults are catalog-only changes on big tables.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table thread add column question text check (char_length(question) <= 300);
    alter table thread add column accepted_post_id bigint references post (id) on delete set null;

    alter table post add column appreciation_count integer not null default 0;
    alter table post add column last_hidden_at timestamptz;
    update post set last_hidden_at = hidden_at where hidden_at is not null;
    -- posts hidden and shown again before this migration: the audit log knows when
    update post p set last_hidden_at = h.at
    from (select target_id, max(created_at) as at from moderation_action
          where target_type = 'post' and action in ('hide', 'resolve_reports_hide') group by target_id) h
    where h.target_id = p.id and (p.last_hidden_at is null or p.last_hidden_at < h.at);

    alter table post_revision add column question text;

    create table post_appreciation (
      post_id bigint not null references post (id) on delete cascade,
      user_id bigint not null references "user" (id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (post_id, user_id)
    );
    create index post_appreciation_user_idx on post_appreciation (user_id);

    create table thread_read (
      user_id bigint not null references "user" (id) on delete cascade,
      thread_id bigint not null references thread (id) on delete cascade,
      last_read_post_id bigint not null,
      updated_at timestamptz not null default now(),
      primary key (user_id, thread_id)
    );

    alter table attachment add column description text not null default '' check (char_length(description) <= 300);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table attachment drop column description;
    drop table thread_read;
    drop table post_appreciation;
    alter table post_revision drop column question;
    alter table post drop column last_hidden_at;
    alter table post drop column appreciation_count;
    alter table thread drop column accepted_post_id;
    alter table thread drop column question;
  `.execute(db);
}
