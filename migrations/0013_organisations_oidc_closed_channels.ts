import { type Kysely, sql } from 'kysely';

// Log in with your organisation (OpenID Connect), verified organisations, and closed channels.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Also added by the verified e-mail work (issue 16): whichever lands first adds it, existing accounts count as verified.
    alter table "user" add column if not exists email_verified_at timestamptz;
    update "user" set email_verified_at = now() where email_verified_at is null;

    -- An account made through an organisation's login has no password until its owner sets one.
    alter table "user" alter column password_hash drop not null;

    create table organisation (
      id bigint generated always as identity primary key,
      name text not null check (length(name) between 2 and 100),
      logo_key text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index organisation_name_lower_idx on organisation (lower(name));

    -- One domain belongs to at most one organisation (lower case, no "@").
    create table organisation_domain (
      domain text primary key check (domain = lower(domain) and domain !~ '@'),
      organisation_id bigint not null references organisation (id) on delete cascade
    );
    create index organisation_domain_org_idx on organisation_domain (organisation_id);

    -- The organisation a user verifiably belongs to (by verified e-mail or an organisation login's e-mail).
    -- "organisation" keeps its name then, so authors are presented without a join.
    alter table "user" add column organisation_id bigint references organisation (id) on delete set null;
    create index user_organisation_idx on "user" (organisation_id) where organisation_id is not null;

    -- Accounts at OpenID providers linked to a Plein account.
    create table oidc_identity (
      provider text not null,
      subject text not null,
      user_id bigint not null references "user" (id) on delete cascade,
      email text,
      email_verified boolean not null default false,
      created_at timestamptz not null default now(),
      last_login_at timestamptz not null default now(),
      primary key (provider, subject),
      unique (user_id, provider)
    );

    -- A login under way: state (its SHA-256), nonce and PKCE verifier, used once, briefly valid.
    create table oidc_login (
      state_hash text primary key,
      provider text not null,
      nonce text not null,
      code_verifier text not null,
      link_user_id bigint references "user" (id) on delete cascade,
      return_to text not null default '/',
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index oidc_login_expires_idx on oidc_login (expires_at);

    -- For RP-initiated logout: which provider a session came from, and its ID token as the hint.
    alter table user_session add column oidc_provider text, add column oidc_id_token text;

    alter table channel add column visibility text not null default 'public' check (visibility in ('public', 'members'));

    -- Members of a channel; role moderator is the per-channel moderator.
    create table channel_member (
      channel_id bigint not null references channel (id) on delete cascade,
      user_id bigint not null references "user" (id) on delete cascade,
      role text not null default 'member' check (role in ('member', 'moderator')),
      created_at timestamptz not null default now(),
      primary key (channel_id, user_id)
    );
    create index channel_member_user_idx on channel_member (user_id);

    -- Verified members of these organisations are members of the channel without asking.
    create table channel_organisation (
      channel_id bigint not null references channel (id) on delete cascade,
      organisation_id bigint not null references organisation (id) on delete cascade,
      primary key (channel_id, organisation_id)
    );
    create index channel_organisation_org_idx on channel_organisation (organisation_id);

    create table channel_membership_request (
      id bigint generated always as identity primary key,
      channel_id bigint not null references channel (id) on delete cascade,
      user_id bigint not null references "user" (id) on delete cascade,
      motivation text not null,
      status text not null default 'pending' check (status in ('pending', 'approved', 'declined')),
      decided_by bigint references "user" (id) on delete set null,
      decided_at timestamptz,
      created_at timestamptz not null default now()
    );
    -- One open request per person and channel; the moderators' list is the pending ones, oldest first.
    create unique index channel_membership_request_open_idx on channel_membership_request (channel_id, user_id) where status = 'pending';
    create index channel_membership_request_list_idx on channel_membership_request (channel_id, id) where status = 'pending';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table channel_membership_request; drop table channel_organisation; drop table channel_member;
    alter table channel drop column visibility;
    alter table user_session drop column oidc_provider, drop column oidc_id_token;
    drop table oidc_login; drop table oidc_identity;
    alter table "user" drop column organisation_id;
    drop table organisation_domain; drop table organisation;
  `.execute(db);
}
