import { type Kysely, sql } from 'kysely';
import { displayNameSkeleton } from '../server/accounts/display-name';

/**
 * Accounts people can trust: verified addresses, reset and verification tokens (hashed), two-factor,
 * account mails sent at once, failed logins per account, display-name skeletons, archived channels.
 *
 * Display names are unique by skeleton through a unique index. Existing duplicates keep their names:
 * the oldest account of each group holds the skeleton, the others get none (until they rename), and
 * the migration logs every group. Erased accounts ("Verwijderd account") hold none either.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Another branch (OIDC) may add the same column: both say "if not exists".
  await sql`alter table "user" add column if not exists email_verified_at timestamptz null`.execute(db);
  await sql`update "user" set email_verified_at = coalesce(email_verified_at, now())`.execute(db);
  await sql`
    alter table "user"
      add column display_name_skeleton text null,
      add column totp_secret text null,
      add column totp_enabled_at timestamptz null,
      add column totp_last_step bigint null
  `.execute(db);

  const users = await sql<{ id: string; display_name: string; email: string }>`select id, display_name, email from "user" order by created_at, id`.execute(db);
  const holders = new Map<string, { id: string; name: string }>();
  const duplicates = new Map<string, string[]>();
  for (const u of users.rows) {
    if (/^verwijderd-.*@invalid\.plein$/.test(u.email)) continue;
    const skeleton = displayNameSkeleton(u.display_name);
    const holder = holders.get(skeleton);
    if (holder) {
      duplicates.set(skeleton, [...(duplicates.get(skeleton) ?? [`${holder.id} "${holder.name}"`]), `${u.id} "${u.display_name}"`]);
      continue;
    }
    holders.set(skeleton, { id: u.id, name: u.display_name });
    await sql`update "user" set display_name_skeleton = ${skeleton} where id = ${u.id}`.execute(db);
  }
  for (const accounts of duplicates.values()) {
    console.warn(`0012_account_trust: display names that look alike (they keep them; only the first holds the name): ${accounts.join(', ')}`);
  }
  await sql`create unique index user_display_name_skeleton_idx on "user" (display_name_skeleton)`.execute(db);

  await sql`
    create table account_token (
      id bigint generated always as identity primary key,
      user_id bigint not null references "user"(id) on delete cascade,
      kind text not null check (kind in ('verify_email', 'password_reset', 'login_2fa')),
      token_hash text not null unique,
      email text null,
      expires_at timestamptz not null,
      used_at timestamptz null,
      attempts integer not null default 0,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index account_token_user_idx on account_token (user_id, kind)`.execute(db);

  await sql`
    create table recovery_code (
      id bigint generated always as identity primary key,
      user_id bigint not null references "user"(id) on delete cascade,
      code_hash text not null,
      used_at timestamptz null
    )
  `.execute(db);
  await sql`create index recovery_code_user_idx on recovery_code (user_id)`.execute(db);

  await sql`
    create table account_mail (
      id bigint generated always as identity primary key,
      user_id bigint null references "user"(id) on delete cascade,
      to_address text not null,
      kind text not null,
      subject text not null,
      text_body text not null,
      html_body text not null,
      status text not null default 'pending' check (status in ('pending', 'sent', 'rejected')),
      attempts integer not null default 0,
      created_at timestamptz not null default now(),
      sent_at timestamptz null
    )
  `.execute(db);
  await sql`create index account_mail_pending_idx on account_mail (created_at) where status = 'pending'`.execute(db);

  await sql`
    create table login_failure (
      user_id bigint not null references "user"(id) on delete cascade,
      at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index login_failure_user_idx on login_failure (user_id, at)`.execute(db);

  await sql`alter table channel add column archived_at timestamptz null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table channel drop column archived_at`.execute(db);
  await sql`drop table login_failure, account_mail, recovery_code, account_token`.execute(db);
  await sql`drop index user_display_name_skeleton_idx`.execute(db);
  await sql`alter table "user" drop column display_name_skeleton, drop column totp_secret, drop column totp_enabled_at, drop column totp_last_step`.execute(db);
}
