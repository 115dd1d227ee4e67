// Backup and restore with an external PostgreSQL (DATABASE_URL): pg_dump of a running forum, restored
// with pg_restore into an empty database and a fresh DATA_DIR. Needs a PostgreSQL server and its
// client tools of the same major version, so it runs where EXTERNAL_DATABASE_URL names one (CI sets
// it to the machine's PostgreSQL); `npm test` on a laptop without one reports it as skipped.
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, freePort } from '../../server/db/embedded';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { pdf } from '../support/files';
import { type Instance, healthy, killAll, runScript, startServer } from './support';

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
  let tmp: string;
  let original: Instance;
  let restored: Instance;
  let archive: string;
  const env = (name: string) => ({ DATABASE_URL: databaseUrl(externalUrl!, name) });
  const handout = pdf('Handreiking schuldhulp, externe database');
  let threadId: string;
  let replyId: string;
  let attachmentId: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'plein-backup-external-'));
    await chmod(tmp, 0o755);
    original = { dataDir: path.join(tmp, 'original'), port: await freePort() };
    restored = { dataDir: path.join(tmp, 'restored'), port: await freePort() };
    archive = path.join(tmp, 'plein-backup.tar.gz');
    await admin(async (c) => {
      await c.query(`create database "${source}"`);
      await c.query(`create database "${target}"`);
    });
  });
  afterAll(async () => {
    killAll();
    await new Promise((r) => setTimeout(r, 1000));
    await admin(async (c) => {
      for (const name of [source, target]) await c.query(`drop database if exists "${name}" with (force)`);
    });
    await rm(tmp, { recursive: true, force: true });
  });

  const login = async (base: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ email: 'anne@plein.example', password: DEMO_PASSWORD }) });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0];
  };

  it('dumps a running forum with content into one archive, and it keeps running', async () => {
    const server = startServer(original, { SEED_DEMO: 'true', ...env(source) });
    await healthy(original, 90_000).catch((err) => {
      throw new Error(`${err.message}: ${server.output()}`);
    });
    const base = `http://127.0.0.1:${original.port}`;
    const cookie = await login(base);
    const form = new FormData();
    form.append('file', new Blob([handout], { type: 'application/pdf' }), 'handreiking.pdf');
    const up = await fetch(`${base}/api/attachments`, { method: 'POST', headers: { cookie, origin: base }, body: form });
    expect(up.status).toBe(201);
    attachmentId = (await up.json()).attachment.id;
    threadId = (await (await fetch(`${base}/api/channels/wmo/threads`)).json()).items[0].id;
    const reply = await fetch(`${base}/api/threads/${threadId}/replies`, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ body: '<p>Zie de handreiking in de bijlage.</p>', attachmentIds: [attachmentId] }) });
    expect(reply.status).toBe(201);
    replyId = (await reply.json()).post.id;

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
    const base = `http://127.0.0.1:${restored.port}`;
    const page = await (await fetch(`${base}/api/threads/${threadId}?limit=200`)).json();
    const reply = page.replies.items.find((p: { id: string }) => p.id === replyId);
    expect(reply.body).toBe('<p>Zie de handreiking in de bijlage.</p>');
    expect(reply.attachments.map((a: { id: string }) => a.id)).toEqual([attachmentId]);
    const bytes = Buffer.from(await (await fetch(`${base}/api/attachments/${attachmentId}/download`)).arrayBuffer());
    expect(bytes.equals(handout)).toBe(true);
    await login(base);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 240_000);
});
