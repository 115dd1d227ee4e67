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
  /** When the address was proven to be the user's; null: not (yet). */
  email_verified_at: NullableTimestamp;
  /** The verified organisation (by e-mail domain); `organisation` then holds its name. */
  organisation_id: Generated<string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
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
}
