import type { Generated } from 'kysely';
import type { Timestamp } from './accounts';

export interface OrganisationTable {
  id: Generated<string>;
  name: string;
  logo_key: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface OrganisationDomainTable {
  /** Lower case, without "@": gemeente.nl */
  domain: string;
  organisation_id: string;
}

export interface OidcIdentityTable {
  provider: string;
  subject: string;
  user_id: string;
  email: string | null;
  email_verified: Generated<boolean>;
  created_at: Generated<Date>;
  last_login_at: Generated<Date>;
}

export interface OidcLoginTable {
  /** SHA-256 (hex) of the state parameter. */
  state_hash: string;
  provider: string;
  nonce: string;
  code_verifier: string;
  /** Set when a signed-in user links this provider to their account. */
  link_user_id: string | null;
  return_to: Generated<string>;
  expires_at: Timestamp;
  created_at: Generated<Date>;
}

export interface OrganisationTables {
  organisation: OrganisationTable;
  organisation_domain: OrganisationDomainTable;
  oidc_identity: OidcIdentityTable;
  oidc_login: OidcLoginTable;
}
