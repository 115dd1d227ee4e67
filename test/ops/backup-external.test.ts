// Backup and restore with an external PostgreSQL (DATABASE_URL): pg_dump of a running forum, restored
// with pg_restore into an empty database and a fresh DATA_DIR. Needs a PostgreSQL server and its
// client tools of the same major version, so it runs where EXTERNAL_DATABASE_URL names one (CI sets
// it to the machine's PostgreSQL); `npm test` on a laptop without one reports it as skipped.
import { readdir } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '../../server/db/embedded';
import { type BackedUp, type BackupPlaces, addReplyWithHandout, backupPlaces, expectRestored, removeBackupPlaces } from './backup-content';
import { type Instance, healthy, runScript, startServer } from './support';

const externalUrl = process.env.EXTERNAL_DATABASE_URL;
const suffix = `${process.pid}_${Date.now()}`;
const source = `plein_backup_src_${suffix}`;
const target = `plein_backup_dst_${suffix}`;

async function admin<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: externalUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe.runIf(externalUrl)('backup and restore with DATABASE_URL (pg_dump / pg_restore)', () => {
  let places: BackupPlaces;
  let original: Instance;
  let restored: Instance;
  let archive: string;
  const env = (name: string) => ({ DATABASE_URL: databaseUrl(externalUrl!, name) });
  let saved: BackedUp;

  beforeAll(async () => {
    places = await backupPlaces('plein-backup-external-');
    ({ original, restored, archive } = places);
    await admin(async (c) => {
      await c.query(`create database "${source}"`);
      await c.query(`create database "${target}"`);
    });
  });
  afterAll(async () => {
    await removeBackupPlaces(places);
    await admin(async (c) => {
      for (const name of [source, target]) await c.query(`drop database if exists "${name}" with (force)`);
    });
  });

  it('dumps a running forum with content into one archive, and it keeps running', async () => {
    const server = startServer(original, { SEED_DEMO: 'true', ...env(source) });
    await healthy(original, 90_000).catch((err) => {
      throw new Error(`${err.message}: ${server.output()}`);
    });
    saved = await addReplyWithHandout(`http://127.0.0.1:${original.port}`, 'Handreiking schuldhulp, externe database');

    const res = runScript(original, 'backup', ['--out', archive], env(source));
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('database: pg_dump');
    await healthy(original, 2_000);
    server.child.kill('SIGTERM');
    await server.exited;
  }, 240_000);

  it('refuses to restore into a database that is not empty, with one clear line, and changes nothing there', async () => {
    const posts = async () => {
      const db = new pg.Client({ connectionString: databaseUrl(externalUrl!, source) });
      await db.connect();
      try {
        return (await db.query('select count(*)::int as n from post')).rows[0].n as number;
      } finally {
        await db.end();
      }
    };
    const before = await posts();
    const res = runScript(original, 'restore', [archive], env(source));
    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toBe('restore: the database at DATABASE_URL is not empty: restore into an empty database');
    expect(await posts()).toBe(before);
  }, 60_000);

  it('restores into an empty database and a fresh DATA_DIR: the reply, its handout bytes and the users are back', async () => {
    const res = runScript(restored, 'restore', [archive], env(target));
    expect(res.status, res.stderr).toBe(0);
    expect(await readdir(restored.dataDir)).toEqual(['uploads']);
    const server = startServer(restored, env(target));
    await healthy(restored, 90_000).catch((err) => {
      throw new Error(`${err.message}: ${server.output()}`);
    });
    await expectRestored(`http://127.0.0.1:${restored.port}`, saved);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 240_000);
});
