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
  password_hash: string;
  /** Storage key of the resized profile photo; null → initials avatar. */
  avatar_key: string | null;
  locale: Generated<string>;
  suspended_until: NullableTimestamp;
  suspension_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface UserSessionTable {
  /** SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
  id: string;
  user_id: string;
  expires_at: Date;
  created_at: Generated<Date>;
}

export interface AccountTables {
  user: UserTable;
  user_session: UserSessionTable;
}
