// OIDC_PROVIDERS: the organisations' login services, validated at start (one clear line on a mistake).

export interface OidcProviderConfig {
  /** In URLs: /api/auth/oidc/<id>/start */
  id: string;
  /** On the button: "Inloggen met <label>" */
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** E-mail domains allowed to log in through this provider; empty: any. */
  allowedDomains: string[];
  /** true: the provider's e-mail counts as verified (e.g. Entra ID, which sends no email_verified claim); false: only when the ID token says email_verified. */
  emailVerified: boolean;
  scope: string;
}

export class OidcConfigError extends Error {}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain http is for a provider on this machine only (tests, a laptop with a local Keycloak). */
export const isLocalIssuer = (issuer: string) => LOCAL_HOSTS.has(new URL(issuer).hostname);

export function parseOidcProviders(raw: string | undefined): OidcProviderConfig[] {
  if (!raw?.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new OidcConfigError('OIDC_PROVIDERS is not valid JSON');
  }
  if (!Array.isArray(parsed)) throw new OidcConfigError('OIDC_PROVIDERS must be a JSON array of providers');
  const seen = new Set<string>();
  return parsed.map((entry, i) => {
    const where = `OIDC_PROVIDERS[${i}]`;
    if (!entry || typeof entry !== 'object') throw new OidcConfigError(`${where} must be an object`);
    const e = entry as Record<string, unknown>;
    const str = (key: string, min = 1, max = 500): string => {
      const v = e[key];
      if (typeof v !== 'string' || v.trim().length < min || v.length > max) throw new OidcConfigError(`${where}.${key} must be a text of ${min} to ${max} characters`);
      return v.trim();
    };
    const id = str('id', 1, 40);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new OidcConfigError(`${where}.id must be lower-case letters, digits and dashes`);
    if (seen.has(id)) throw new OidcConfigError(`${where}.id "${id}" is used twice`);
    seen.add(id);
    const issuer = str('issuer').replace(/\/$/, '');
    let url: URL;
    try {
      url = new URL(issuer);
    } catch {
      throw new OidcConfigError(`${where}.issuer is not a valid URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalIssuer(issuer))) throw new OidcConfigError(`${where}.issuer must start with https:// (http:// only for localhost)`);
    const domains = e.allowedDomains ?? [];
    if (!Array.isArray(domains) || !domains.every((d) => typeof d === 'string' && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(d.trim()))) {
      throw new OidcConfigError(`${where}.allowedDomains must be a list of domains such as "zwolle.nl"`);
    }
    if (e.emailVerified !== undefined && typeof e.emailVerified !== 'boolean') throw new OidcConfigError(`${where}.emailVerified must be true or false`);
    const known = new Set(['id', 'label', 'issuer', 'clientId', 'clientSecret', 'allowedDomains', 'emailVerified', 'scope']);
    const unknown = Object.keys(e).find((k) => !known.has(k));
    if (unknown) throw new OidcConfigError(`${where}.${unknown} is not a known setting`);
    return {
      id,
      label: str('label', 2, 80),
      issuer,
      clientId: str('clientId'),
      clientSecret: str('clientSecret'),
      allowedDomains: (domains as string[]).map((d) => d.trim().toLowerCase()),
      emailVerified: e.emailVerified === true,
      scope: e.scope === undefined ? 'openid email profile' : str('scope'),
    };
  });
}
