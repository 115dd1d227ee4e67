import type { Selectable } from 'kysely';
import type { AdminUser, Author, PublicProfile, User } from '../../shared/schemas/accounts';
import type { UserTable } from '../db/tables/accounts';

type UserRow = Pick<
  Selectable<UserTable>,
  'id' | 'display_name' | 'job_title' | 'organisation' | 'role' | 'avatar_key'
> & { organisation_id?: string | number | null };

/** The version in a photo's URL: a changed photo gets a new URL, so long-lived caches are bypassed. */
export const avatarVersion = (avatarKey: string) => avatarKey.slice(0, 12);

/** Profile photo URL (without a photo: the generated initials avatar). */
export function avatarUrl(user: Pick<UserRow, 'id' | 'avatar_key'>): string {
  return `/api/users/${user.id}/avatar${user.avatar_key ? `?v=${encodeURIComponent(avatarVersion(user.avatar_key))}` : ''}`;
}

export function toAuthor(user: UserRow): Author {
  return {
    id: user.id,
    displayName: user.display_name,
    jobTitle: user.job_title,
    organisation: user.organisation,
    organisationVerified: user.organisation_id != null,
    organisationId: user.organisation_id == null ? null : String(user.organisation_id),
    avatarUrl: avatarUrl(user),
    role: user.role,
  };
}

export function toPublicProfile(user: UserRow & Pick<Selectable<UserTable>, 'bio' | 'created_at'>): PublicProfile {
  return { ...toAuthor(user), bio: user.bio, createdAt: user.created_at.toISOString() };
}

/** The owner's (or an admin's) view of an account, with email and suspension. */
export function toUser(user: Selectable<UserTable>, options: { withEmail: boolean; twoFactorRequired?: boolean }): User {
  const suspended = user.suspended_until !== null && user.suspended_until.getTime() > Date.now();
  return {
    ...toAuthor(user),
    bio: user.bio,
    ...(options.withEmail ? { email: user.email, emailVerified: user.email_verified_at !== null, twoFactorEnabled: user.totp_enabled_at !== null } : {}),
    ...(options.twoFactorRequired !== undefined ? { twoFactorRequired: options.twoFactorRequired } : {}),
    locale: user.locale,
    suspension: suspended ? { until: user.suspended_until!.toISOString(), reason: user.suspension_reason ?? '' } : null,
    createdAt: user.created_at.toISOString(),
  };
}

/** The user columns toAuthor reads. */
export const AUTHOR_COLUMNS = ['id', 'display_name', 'job_title', 'organisation', 'organisation_id', 'role', 'avatar_key'] as const;

/** AUTHOR_COLUMNS of a joined user table: select(authorColumnsOf('u')). */
export const authorColumnsOf = <A extends string>(alias: A) => AUTHOR_COLUMNS.map((c) => `${alias}.${c}` as `${A}.${(typeof AUTHOR_COLUMNS)[number]}`);

/** A row of the Beheer page's user list. */
export function toAdminUser(user: Pick<Selectable<UserTable>, 'id' | 'email' | 'display_name' | 'role' | 'email_verified_at' | 'totp_enabled_at' | 'suspended_until' | 'suspension_reason' | 'created_at'>): AdminUser {
  const suspended = user.suspended_until !== null && user.suspended_until.getTime() > Date.now();
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    role: user.role,
    emailVerified: user.email_verified_at !== null,
    twoFactorEnabled: user.totp_enabled_at !== null,
    suspension: suspended ? { until: user.suspended_until!.toISOString(), reason: user.suspension_reason ?? '' } : null,
    createdAt: user.created_at.toISOString(),
  };
}
