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
  /** Owner and admins: is two-factor sign-in on? */
  twoFactorEnabled: Type.Optional(Type.Boolean()),
  /** Owner and admins: has the address been verified? */
  emailVerified: Type.Optional(Type.Boolean()),
  /** Owner: the role requires two-factor sign-in and it is not set up yet (the role's rights wait for it). */
  twoFactorRequired: Type.Optional(Type.Boolean()),
});
export type User = Static<typeof User>;

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
const DisplayName = Type.String({ minLength: 2, maxLength: 60, pattern: '\\S' });
/** A new password: the length rules (sign-up, password change and scripts/create-admin.ts). */
export const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
/** A password given to prove who one is: any non-empty string up to the maximum (older ones may be shorter than today's minimum). */
const GivenPassword = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });

/** A password being chosen: the rules (length, common passwords, not the address or name) are checked by the server with a reason in Dutch. */
const ChosenPassword = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });

export const SignupBody = Type.Object(
  { email: Email, password: ChosenPassword, displayName: DisplayName },
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
  { currentPassword: GivenPassword, newPassword: ChosenPassword },
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

/** 202 answers that say the same whatever the address: `verification_sent`, `reset_sent`. */
export const StatusResponse = Type.Object({
  status: Type.String(),
  /** On a laptop trial without a mail server: where the development outbox is (/_dev/mail). */
  devOutbox: Type.Optional(Type.String()),
});

export const LoginResponse = Type.Union([Type.Object({ user: User }), Type.Object({ twoFactorRequired: Type.Literal(true) })]);
export type LoginResponse = Static<typeof LoginResponse>;

const Token = Type.String({ minLength: 1, maxLength: 200 });
export const TokenBody = Type.Object({ token: Token }, { additionalProperties: false });
export const EmailBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });
export const PasswordResetConfirmBody = Type.Object({ token: Token, password: ChosenPassword }, { additionalProperties: false });

/** A TOTP code (6 digits) or a recovery code (xxxxx-xxxxx). */
const Code = Type.String({ minLength: 1, maxLength: 20 });
export const CodeBody = Type.Object({ code: Code }, { additionalProperties: false });
export const DisableTwoFactorBody = Type.Object({ password: GivenPassword, code: Code }, { additionalProperties: false });
export const TwoFactorSetup = Type.Object({ secret: Type.String(), otpauthUrl: Type.String() });
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });

/** A row on the Beheer page's users tab. */
export const AdminUser = Type.Object({
  id: Id,
  email: Type.String(),
  displayName: Type.String(),
  role: Role,
  emailVerified: Type.Boolean(),
  twoFactorEnabled: Type.Boolean(),
  suspension: Type.Union([Suspension, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type AdminUser = Static<typeof AdminUser>;
export const AdminUsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});
export const AdminUsersPage = Type.Object({ items: Type.Array(AdminUser), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const AdminReasonBody = Type.Object({ reason: AuditReason }, { additionalProperties: false });

/** PUT /api/me/email: a new address (verified by a link sent to it), confirmed with the password. */
export const ChangeEmailBody = Type.Object({ email: Email, password: GivenPassword }, { additionalProperties: false });
