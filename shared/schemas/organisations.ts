import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common';

/** A domain as people type it after the "@": gemeente-zwolle.nl */
export const Domain = Type.String({ minLength: 3, maxLength: 253, pattern: '^(?=.{3,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$' });

export const Organisation = Type.Object({
  id: Id,
  name: Type.String(),
  domains: Type.Array(Type.String()),
  logoUrl: Type.Union([Type.String(), Type.Null()]),
  /** Users verified as belonging to it. */
  memberCount: Type.Integer(),
});
export type Organisation = Static<typeof Organisation>;

export const CreateOrganisationBody = Type.Object(
  { name: Type.String({ minLength: 2, maxLength: 100, pattern: '\\S' }), domains: Type.Array(Domain, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false },
);
export type CreateOrganisationBody = Static<typeof CreateOrganisationBody>;

export const UpdateOrganisationBody = Type.Partial(CreateOrganisationBody, { additionalProperties: false });
export type UpdateOrganisationBody = Static<typeof UpdateOrganisationBody>;

/** An OpenID provider as the login page shows it. */
export const OidcProviderInfo = Type.Object({ id: Type.String(), label: Type.String() });

/** GET /api/me/logins: the ways this account can log in. */
export const MyLogins = Type.Object({
  password: Type.Boolean(),
  linked: Type.Array(Type.Object({ provider: Type.String(), label: Type.String(), email: Type.Union([Type.String(), Type.Null()]) })),
  /** Configured providers not linked yet. */
  available: Type.Array(OidcProviderInfo),
});
