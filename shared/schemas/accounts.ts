import { type Static, Type } from '@sinclair/typebox';
import { AuditReason, Id } from './common';

export const ROLES = ['member', 'expert', 'moderator', 'admin'] as const;
export const Role = Type.Union([Type.Literal('member'), Type.Literal('expert'), Type.Literal('moderator'), Type.Literal('admin')]);
export type Role = Static<typeof Role>;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** A person as shown next to their posts. */
export const Author = Type.Object({
  id: Id,
  displayName: Type.String(),
  jobTitle: Type.String(),
  organisation: Type.String(),
  /** The organisation is verified (the user's verified e-mail or organisation login is in its domain). */
  organisationVerified: Type.Boolean(),
  organisationId: Type.Union([Id, Type.Null()]),
  avatarUrl: Type.String(),
  role: Role,
});
export type Author = Static<typeof Author>;

export const PublicProfile = Type.Object({
  id: Id,
  displayName: Type.String(),
  jobTitle: Type.String(),
  organisation: Type.String(),
  organisationVerified: Type.Boolean(),
  organisationId: Type.Union([Id, Type.Null()]),
  bio: Type.String(),
  avatarUrl: Type.String(),
  role: Role,
  createdAt: Type.String({ format: 'date-time' }),
});
export type PublicProfile = Static<typeof PublicProfile>;

export const Suspension = Type.Object({ until: Type.String({ format: 'date-time' }), reason: Type.String() });

/** The signed-in user's own view; `email` only for the owner and admins. */
export const User = Type.Object({
  id: Id,
  email: Type.Optional(Type.String()),
  displayName: Type.String(),
  jobTitle: Type.String(),
  organisation: Type.String(),
  organisationVerified: Type.Boolean(),
  organisationId: Type.Union([Id, Type.Null()]),
  bio: Type.String(),
  avatarUrl: Type.String(),
  role: Role,
  locale: Type.Optional(Type.String()),
  suspension: Type.Optional(Type.Union([Suspension, Type.Null()])),
  createdAt: Type.Optional(Type.String({ format: 'date-time' })),
});
export type User = Static<typeof User>;

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
const DisplayName = Type.String({ minLength: 2, maxLength: 60, pattern: '\\S' });
/** A new password: the length rules (sign-up, password change and scripts/create-admin.ts). */
export const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
/** A password given to prove who one is: any non-empty string up to the maximum (older ones may be shorter than today's minimum). */
const GivenPassword = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });

export const SignupBody = Type.Object(
  { email: Email, password: NewPassword, displayName: DisplayName },
  { additionalProperties: false },
);
export type SignupBody = Static<typeof SignupBody>;

export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: GivenPassword },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const UpdateMeBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    jobTitle: Type.Optional(Type.String({ maxLength: 100 })),
    organisation: Type.Optional(Type.String({ maxLength: 100 })),
    bio: Type.Optional(Type.String({ maxLength: 2000 })),
    locale: Type.Optional(Type.Union([Type.Literal('nl'), Type.Literal('en')])),
  },
  { additionalProperties: false },
);
export type UpdateMeBody = Static<typeof UpdateMeBody>;

export const ChangePasswordBody = Type.Object(
  { currentPassword: GivenPassword, newPassword: NewPassword },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

/** DELETE /api/me: erasing the account is confirmed with the password. */
export const DeleteAccountBody = Type.Object({ password: GivenPassword }, { additionalProperties: false });
export type DeleteAccountBody = Static<typeof DeleteAccountBody>;

/** PUT /api/admin/users/:id/role: the role, and optionally why (written to the audit log). */
export const SetRoleBody = Type.Object({ role: Role, reason: AuditReason }, { additionalProperties: false });
export type SetRoleBody = Static<typeof SetRoleBody>;

export const UserResponse = Type.Object({ user: User });
