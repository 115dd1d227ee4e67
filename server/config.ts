import os from 'node:os';
import path from 'node:path';
import { type OidcProviderConfig, OidcConfigError, parseOidcProviders } from './oidc/providers';

export interface RateLimitSettings {
  /** Attempts per minute per address for login. */
  loginPerMinute: number;
  /** Signups per hour per address. */
  signupPerHour: number;
  /** New threads per hour per user (halved for accounts younger than a day). */
  threadsPerHour: number;
  /** Replies per hour per user (halved for accounts younger than a day). */
  repliesPerHour: number;
  /** Reports per hour per user. */
  reportsPerHour: number;
  /** Uploads per hour per user. */
  uploadsPerHour: number;
  /** Search requests per minute per address. */
  searchPerMinute: number;
  /** Password-reset and verification-mail requests per hour, per address and per account. */
  accountMailsPerHour: number;
  /** Two-factor code attempts per minute per address (a pending login also ends after 5 wrong codes). */
  twoFactorPerMinute: number;
  /** Failed logins per account in 15 minutes before that account's logins wait (429) for the rest of the window. */
  loginFailuresPerAccount: number;
}

export type TwoFactorRole = 'member' | 'expert' | 'moderator' | 'admin';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** Unset: start the embedded PostgreSQL under dataDir/postgres. */
  databaseUrl: string | undefined;
  /** Connections this process keeps to PostgreSQL. */
  databasePoolSize: number;
  /** Full-text searches this process runs at once; more wait their turn. */
  searchConcurrency: number;
  dataDir: string;
  seedDemo: boolean;
  smtpUrl: string | undefined;
  /** Outgoing mail sender address. */
  mailFrom: string;
  rateLimitsEnabled: boolean;
  rateLimits: RateLimitSettings;
  logLevel: string;
  /** Maximum size of one upload in bytes. */
  uploadMaxBytes: number;
  /** Where uploads go: local disk (default) or S3-compatible storage. */
  storage: { kind: 'local' } | { kind: 's3'; bucket: string; region: string; endpoint?: string };
  /** Secret for signed tokens (unsubscribe links). Generated per data dir when unset. */
  appSecret: string | undefined;
  /** Sessions expire after this many days without use (sliding). */
  sessionIdleDays: number;
  /** Sessions end after this many days regardless of use. */
  sessionMaxDays: number;
  /** Trust X-Forwarded-* headers (behind a reverse proxy). */
  trustProxy: boolean;
  /** Serve the built SPA from dist/client. */
  serveClient: boolean;
  /** Enables bench-only routes. Never set in production. */
  benchRoutes: boolean;
  /** Run background jobs (mail, digests, reminders) in this process. */
  runJobs: boolean;
  /** Open websockets one client address may hold; more are refused at upgrade with 429. */
  wsMaxPerAddress: number;
  /** Bearer token for GET /api/metrics (Prometheus); unset: no metrics route. */
  metricsToken: string | undefined;
  /** Roles that must use two-factor sign-in (REQUIRE_2FA); until they set it up they act as members. */
  requireTwoFactor: TwoFactorRole[];
  /** The development mail page (/_dev/mail): no SMTP_URL and a localhost PUBLIC_URL only. */
  devMailPage: boolean;
  /** Bounds on reading one handout's text for search (server/search/handouts). */
  handoutExtract: { timeoutMs: number; memoryMb: number; maxPages: number; maxChars: number };
  /** Bytes of anonymous thread pages and channel lists kept in memory per instance; 0 turns the page cache off. */
  pageCacheBytes: number;
  /** Organisations' OpenID Connect login services (OIDC_PROVIDERS). */
  oidcProviders: OidcProviderConfig[];
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const defaultRateLimits: RateLimitSettings = {
  loginPerMinute: 10,
  signupPerHour: 20,
  threadsPerHour: 10,
  repliesPerHour: 60,
  reportsPerHour: 20,
  uploadsPerHour: 60,
  searchPerMinute: 120,
  accountMailsPerHour: 5,
  twoFactorPerMinute: 10,
  loginFailuresPerAccount: 10,
};

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A laptop trial: PUBLIC_URL on this machine. */
export const isLocalUrl = (publicUrl: string): boolean => {
  const host = new URL(publicUrl).hostname;
  return LOCAL_HOSTS.has(host) || host.endsWith('.localhost');
};

const TWO_FACTOR_ROLES: TwoFactorRole[] = ['member', 'expert', 'moderator', 'admin'];
function twoFactorRoles(env: NodeJS.ProcessEnv, publicUrl: string): TwoFactorRole[] {
  const raw = env.REQUIRE_2FA?.trim().toLowerCase();
  if (!raw) return isLocalUrl(publicUrl) ? [] : ['moderator', 'admin'];
  if (raw === 'none') return [];
  const roles = raw.split(',').map((r) => r.trim()).filter(Boolean);
  const wrong = roles.find((r) => !TWO_FACTOR_ROLES.includes(r as TwoFactorRole));
  if (wrong || roles.length === 0) throw new ConfigError(`REQUIRE_2FA must be none or a comma-separated list of member, expert, moderator, admin, got "${env.REQUIRE_2FA}"`);
  return [...new Set(roles as TwoFactorRole[])];
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** Reads and validates the configuration; throws ConfigError with one clear line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  const rateRaw = (env.RATE_LIMITS ?? 'on').trim().toLowerCase();
  if (!['on', 'off'].includes(rateRaw)) throw new ConfigError(`RATE_LIMITS must be on or off, got "${env.RATE_LIMITS}"`);
  const logLevel = (env.LOG_LEVEL ?? 'info').trim();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const storageKind = (env.STORAGE ?? 'local').trim();
  let storage: Config['storage'];
  if (storageKind === 'local') storage = { kind: 'local' };
  else if (storageKind === 's3') {
    const bucket = env.S3_BUCKET?.trim();
    if (!bucket) throw new ConfigError('S3_BUCKET is required when STORAGE=s3');
    storage = {
      kind: 's3',
      bucket,
      region: env.S3_REGION?.trim() || 'eu-west-1',
      endpoint: url(env, 'S3_ENDPOINT', ['http:', 'https:']),
    };
  } else throw new ConfigError(`STORAGE must be local or s3, got "${storageKind}"`);
  const appSecret = env.APP_SECRET?.trim() || undefined;
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  if (appSecret !== undefined && appSecret.length < 32) throw new ConfigError('APP_SECRET must be at least 32 characters');
  let oidcProviders: OidcProviderConfig[];
  try {
    oidcProviders = parseOidcProviders(env.OIDC_PROVIDERS);
  } catch (err) {
    if (err instanceof OidcConfigError) throw new ConfigError(err.message);
    throw err;
  }

  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    // PostgreSQL's rule of thumb, two connections per core, for the usual case of the database on this machine.
    // About four per core: a writing transaction holds its connection while this process's event loop
    // gets round to its next statement, so half of them are idle in transaction under load (README).
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 4 * os.availableParallelism() + 2, 1, 500),
    // A search keeps a core busy for its whole statement: more at once than the cores can run only
    // queue inside PostgreSQL, where they hold connections that thread pages and replies need (README).
    searchConcurrency: int(env, 'SEARCH_CONCURRENCY', os.availableParallelism() + 2, 1, 1000),
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    seedDemo: bool(env, 'SEED_DEMO', true),
    smtpUrl,
    mailFrom: env.MAIL_FROM?.trim() || 'Plein <noreply@plein.localhost>',
    rateLimitsEnabled: rateRaw === 'on',
    rateLimits: { ...defaultRateLimits },
    logLevel,
    uploadMaxBytes: int(env, 'UPLOAD_MAX_BYTES', 25 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    storage,
    appSecret,
    sessionIdleDays: int(env, 'SESSION_IDLE_DAYS', 30, 1, 365),
    sessionMaxDays: int(env, 'SESSION_MAX_DAYS', 90, 1, 3650),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    serveClient: true,
    benchRoutes: bool(env, 'BENCH_ROUTES', false),
    runJobs: bool(env, 'RUN_JOBS', true),
    wsMaxPerAddress: int(env, 'WS_MAX_PER_ADDRESS', 20, 1, 1_000_000),
    metricsToken,
    requireTwoFactor: twoFactorRoles(env, publicUrl),
    devMailPage: !smtpUrl && isLocalUrl(publicUrl),
    handoutExtract: {
      timeoutMs: int(env, 'HANDOUT_EXTRACT_TIMEOUT_MS', 30_000, 1000, 600_000),
      memoryMb: int(env, 'HANDOUT_EXTRACT_MEMORY_MB', 256, 32, 4096),
      maxPages: int(env, 'HANDOUT_EXTRACT_MAX_PAGES', 300, 1, 10_000),
      maxChars: int(env, 'HANDOUT_EXTRACT_MAX_CHARS', 300_000, 1000, 900_000),
    },
    pageCacheBytes: int(env, 'PAGE_CACHE_BYTES', 128 * 1024 * 1024, 0, 16 * 1024 * 1024 * 1024),
    oidcProviders,
  };
}
