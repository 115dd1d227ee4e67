import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import request from 'supertest';
import { inject } from 'vitest';
import { hashPassword } from '../../server/accounts/password';
import { buildApp } from '../../server/app';
import { type Config, loadConfig } from '../../server/config';
import { type Db, createDb } from '../../server/db';
import type { Role } from '../../server/db/schema';
import { databaseUrl } from '../../server/db/embedded';
import { readDevOutbox } from '../../server/notifications/dev-outbox';

export const PUBLIC_URL = 'http://plein.test';

/** A fresh database cloned from the migrated template; dropped by the returned function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('adminDatabaseUrl');
  const template = inject('templateDatabase');
  const name = `plein_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(adminUrl, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  /** A direct Kysely handle on the same database, for arranging and asserting. */
  db: Db;
  dataDir: string;
  /** Builds another app instance on the same database (multi-instance tests). */
  another(overrides?: Partial<Config>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

/**
 * Test config: quiet, no client, no rate limits unless a test turns them on. Every test client comes
 * from 127.0.0.1, like many people behind one address: the websocket cap per address is lifted
 * unless a test sets it (test/api/bad-input.test.ts checks the default).
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  // Two-factor is required of nobody unless a test asks (test/api/account-trust.test.ts does).
  const base = loadConfig({ PUBLIC_URL: PUBLIC_URL, LOG_LEVEL: 'silent', SEED_DEMO: 'false', REQUIRE_2FA: 'none' });
  // The page cache is off unless a test turns it on (test/realtime/page-cache.test.ts): many tests
  // arrange state by writing to the database behind the app's back, which no event announces.
  // Off, every read still takes the cached pages' path (overlays, ETag, headers), only nothing is kept.
  return { ...base, rateLimitsEnabled: false, serveClient: false, runJobs: false, wsMaxPerAddress: 100_000, pageCacheBytes: 0, ...overrides };
}

/** A fresh database and an in-process app on it. */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'plein-test-data-'));
  const config = testConfig({ dataDir, databaseUrl: database.url, ...overrides });
  const app = await buildApp(config, { logger: false });
  await app.ready();
  const db = createDb(database.url, { max: 5 });
  const others: FastifyInstance[] = [];
  return {
    app,
    config,
    db,
    dataDir,
    async another(more = {}) {
      const other = await buildApp({ ...config, ...more }, { logger: false });
      await other.ready();
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) await other.close();
      await app.close();
      await db.destroy();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads a supertest response body as bytes (downloads: PDFs, ranges), whatever its content type. */
export const binary = (r: request.Test) =>
  r.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

/** A supertest agent that keeps cookies and sends the site's Origin on every request, like a browser. */
export function browser(app: FastifyInstance) {
  return request.agent(app.server).set('Origin', PUBLIC_URL);
}

let counter = 0;
export const uniqueEmail = (prefix = 'user') => `${prefix}-${Date.now().toString(36)}-${++counter}@example.nl`;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  agent: ReturnType<typeof browser>;
  /** `name=value` of the session cookie, for websocket clients. */
  cookie: string;
}

/**
 * A verified account with a session, for tests about something else. Sign-up itself answers 202
 * without a session and mails a link (test/api/account-trust.test.ts covers that flow); this creates
 * the account as a verified one would be, starts its session with the app's own session manager and
 * puts the cookie in a browser-like agent. No mail is sent, so mail tests count only their own mails.
 * Display names are not held against others (like pre-existing accounts), so fixtures may repeat them.
 */
export async function signUp(
  t: Pick<TestApp, 'app' | 'db'>,
  options: { role?: Role; displayName?: string; email?: string; password?: string; jobTitle?: string; organisation?: string } = {},
): Promise<TestUser> {
  const agent = browser(t.app);
  const email = options.email ?? uniqueEmail(options.role ?? 'member');
  const password = options.password ?? 'correct horse battery';
  const displayName = options.displayName ?? `Test ${options.role ?? 'member'} ${++counter}`;
  const user = await t.db
    .insertInto('user')
    .values({
      email,
      display_name: displayName,
      password_hash: await hashPassword(password),
      role: options.role ?? 'member',
      job_title: options.jobTitle ?? '',
      organisation: options.organisation ?? '',
      avatar_key: null,
      suspended_until: null,
      suspension_reason: null,
      email_verified_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { cookie: setCookie } = await t.app.sessions.create(user.id);
  agent.jar.setCookies([setCookie], '127.0.0.1', '/');
  const cookie = setCookie.split(';')[0];
  return { id: user.id, email, password, displayName, agent, cookie };
}

/** The mails in the app's development outbox (no SMTP_URL), newest first, once pending account mails have gone out. */
export async function outbox(t: Pick<TestApp, 'app'>) {
  t.app.accountMails.kick();
  await t.app.accountMails.idle();
  return readDevOutbox(t.app.config.dataDir);
}

/** The token in the newest mail to `email` that links to `page` (e-mail-bevestigen, wachtwoord-herstellen). */
export async function tokenFromMail(t: Pick<TestApp, 'app'>, email: string, page: string): Promise<string> {
  const mail = (await outbox(t)).find((m) => m.to === email && m.text.includes(`/${page}?token=`));
  if (!mail) throw new Error(`no ${page} mail to ${email}`);
  return /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
}

/** Inserts a user straight into the database (no session), for fixtures that need many users. */
export async function insertUser(db: Db, options: { role?: Role; displayName?: string } = {}): Promise<string> {
  const row = await db
    .insertInto('user')
    .values({
      email: uniqueEmail('fixture'),
      display_name: options.displayName ?? `Fixture ${++counter}`,
      password_hash: await hashPassword('fixture password'),
      role: options.role ?? 'member',
      avatar_key: null,
      suspended_until: null,
      suspension_reason: null,
      email_verified_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
