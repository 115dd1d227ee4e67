import type { ColumnType, Generated } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'member' | 'expert' | 'moderator' | 'admin';

export interface UserTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  job_title: Generated<string>;
  organisation: Generated<string>;
  bio: Generated<string>;
  role: Generated<Role>;
  /** Null for an account made through an organisation's login that has no password (yet). */
  password_hash: string | null;
  /** Storage key of the resized profile photo; null → initials avatar. */
  avatar_key: string | null;
  locale: Generated<string>;
  suspended_until: NullableTimestamp;
  suspension_reason: string | null;
  /** The verified organisation (by e-mail domain); `organisation` then holds its name. */
  organisation_id: Generated<string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Null until the address has been verified (a mail link); sessions start only after that. */
  email_verified_at: NullableTimestamp;
  /** TS #39 skeleton of display_name; unique. Null for erased accounts and pre-existing look-alikes. */
  display_name_skeleton: Generated<string | null>;
  /** Base32 TOTP secret: being set up while totp_enabled_at is null, in use once it is set. */
  totp_secret: Generated<string | null>;
  totp_enabled_at: Generated<Date | null>;
  /** The last TOTP time step accepted: a code is never accepted twice. */
  totp_last_step: Generated<string | null>;
}

/** Single-use links and the pending two-factor login; only the token's SHA-256 is stored. */
export interface AccountTokenTable {
  id: Generated<string>;
  user_id: string;
  kind: 'verify_email' | 'password_reset' | 'login_2fa';
  token_hash: string;
  /** verify_email: the address this link verifies (a new one when the address changes). */
  email: string | null;
  expires_at: Date;
  used_at: NullableTimestamp;
  attempts: Generated<number>;
  created_at: Generated<Date>;
}

export interface RecoveryCodeTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
}

/** Account mails (verification, reset, notices): written with the change, sent at once after commit. */
export interface AccountMailTable {
  id: Generated<string>;
  user_id: string | null;
  to_address: string;
  kind: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: Generated<'pending' | 'sent' | 'rejected'>;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  sent_at: NullableTimestamp;
}

export interface LoginFailureTable {
  user_id: string;
  at: Generated<Date>;
}

export interface UserSessionTable {
  /** SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
  id: string;
  user_id: string;
  expires_at: Date;
  created_at: Generated<Date>;
  /** The OpenID provider the session came from, and its ID token (the hint for RP-initiated logout). */
  oidc_provider: Generated<string | null>;
  oidc_id_token: Generated<string | null>;
}

export interface AccountTables {
  user: UserTable;
  user_session: UserSessionTable;
  account_token: AccountTokenTable;
  recovery_code: RecoveryCodeTable;
  account_mail: AccountMailTable;
  login_failure: LoginFailureTable;
}
