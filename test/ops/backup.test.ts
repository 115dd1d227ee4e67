// Backup of a running forum and restore on a fresh data directory: the threads, replies, users and
// the bytes of the attachments come back.
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/db/embedded';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { pdf } from '../support/files';
import { type Instance, healthy, killAll, runScript, startServer } from './support';

let original: Instance;
let restored: Instance;
let archive: string;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'plein-backup-test-'));
  // The data directories live inside: run as root, the embedded PostgreSQL (user postgres) must pass through.
  await chmod(tmp, 0o755);
  original = { dataDir: path.join(tmp, 'original'), port: await freePort() };
  restored = { dataDir: path.join(tmp, 'restored'), port: await freePort() };
  archive = path.join(tmp, 'plein-backup.tar.gz');
});
afterAll(async () => {
  killAll();
  await new Promise((r) => setTimeout(r, 1000));
  await rm(tmp, { recursive: true, force: true });
});

async function loginAs(i: Instance, email: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${i.port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${i.port}` }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0];
}

describe('backup and restore', () => {
  const handout = pdf('Handreiking schuldhulp, versie 3');
  let threadId: string;
  let replyId: string;
  let attachmentId: string;

  it('backs up a running forum with content into one archive', async () => {
    const server = startServer(original, { SEED_DEMO: 'true' });
    await healthy(original, 90_000).catch((err) => {
      throw new Error(`${err.message}: ${server.output()}`);
    });
    const base = `http://127.0.0.1:${original.port}`;
    const cookie = await loginAs(original, 'anne@plein.example');
    const form = new FormData();
    form.append('file', new Blob([handout], { type: 'application/pdf' }), 'handreiking.pdf');
    const up = await fetch(`${base}/api/attachments`, { method: 'POST', headers: { cookie, origin: base }, body: form });
    expect(up.status).toBe(201);
    attachmentId = (await up.json()).attachment.id;
    threadId = (await (await fetch(`${base}/api/channels/wmo/threads`)).json()).items[0].id;
    const reply = await fetch(`${base}/api/threads/${threadId}/replies`, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ body: '<p>Zie de handreiking in de bijlage.</p>', attachmentIds: [attachmentId] }) });
    expect(reply.status).toBe(201);
    replyId = (await reply.json()).post.id;

    const res = runScript(original, 'backup', ['--out', archive]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('online backup');
    // The forum kept running through it.
    await healthy(original, 2_000);
    server.child.kill('SIGTERM');
    await server.exited;
  }, 240_000);

  it('refuses to restore over an existing database, and changes nothing there', async () => {
    const res = runScript(original, 'restore', [archive]);
    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toBe(`restore: ${original.dataDir} already has a database: restore into an empty DATA_DIR`);
  }, 60_000);

  it('restores on a fresh data directory: threads, replies, users and attachment bytes are back', async () => {
    const res = runScript(restored, 'restore', [archive]);
    expect(res.status, res.stderr).toBe(0);
    expect((await readdir(restored.dataDir)).sort()).toEqual(['postgres', 'uploads']);
    const server = startServer(restored);
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
    // The users are back: Anne logs in with her password.
    await loginAs(restored, 'anne@plein.example');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 240_000);
});
