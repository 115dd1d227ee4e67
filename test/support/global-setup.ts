import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../server/db';
import { databaseUrl, startEmbeddedPostgres } from '../../server/db/embedded';
import { migrateToLatest, migrationsDir } from '../../server/db/migrate';
import { ensureClientBuilt } from '../../server/web/build';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

/** Template name from the migrations' content: a changed migration gets a new template. */
async function templateName(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(migrationsDir)).sort()) {
    hash.update(file).update(await readFile(path.join(migrationsDir, file)));
  }
  return `plein_tpl_${hash.digest('hex').slice(0, 16)}`;
}

/**
 * One PostgreSQL for the run (embedded unless DATABASE_URL is set) and one migrated template
 * database; each test file clones the template (see test/support/app.ts).
 */
export default async function setup(project: TestProject) {
  // The e2e tests serve the real built client.
  ensureClientBuilt((m) => console.log(m));
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  let dir: string | undefined;
  if (!adminUrl) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'plein-test-pg-'));
    await chmod(dir, 0o755); // initdb runs as the postgres user
    const server = await startEmbeddedPostgres(path.join(dir, 'pgdata'), { fast: true });
    adminUrl = server.url;
    stop = server.stop;
  }
  const template = await templateName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Several runs may share one external server: build each template once, under a lock.
    await admin.query('select pg_advisory_lock(7210001)');
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (!rowCount) {
      await admin.query(`create database "${template}_build"`).catch(async () => {
        await admin.query(`drop database "${template}_build" with (force)`);
        await admin.query(`create database "${template}_build"`);
      });
      const db = createDb(databaseUrl(adminUrl, `${template}_build`), { max: 1 });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      await admin.query(`alter database "${template}_build" rename to "${template}"`);
    }
    await admin.query('select pg_advisory_unlock(7210001)');
  } finally {
    await admin.end();
  }
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}
