// What the backup tests put in a running forum and look for after a restore: a reply with a handout
// by a demo user.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { freePort } from '../../server/db/embedded';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { pdf } from '../support/files';
import { type Instance, killAll } from './support';

export interface BackedUp {
  threadId: string;
  replyId: string;
  attachmentId: string;
  handout: Buffer;
}

/** Logs a demo user in; the session cookie. */
export async function loginAs(base: string, email = 'anne@plein.example'): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0];
}

/** Anne replies in the demo's Wmo channel with a PDF handout attached. */
export async function addReplyWithHandout(base: string, text: string): Promise<BackedUp> {
  const handout = pdf(text);
  const cookie = await loginAs(base);
  const form = new FormData();
  form.append('file', new Blob([handout], { type: 'application/pdf' }), 'handreiking.pdf');
  const up = await fetch(`${base}/api/attachments`, { method: 'POST', headers: { cookie, origin: base }, body: form });
  expect(up.status).toBe(201);
  const attachmentId = (await up.json()).attachment.id as string;
  const threadId = (await (await fetch(`${base}/api/channels/wmo/threads`)).json()).items[0].id as string;
  const reply = await fetch(`${base}/api/threads/${threadId}/replies`, {
    method: 'POST',
    headers: { cookie, origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({ body: '<p>Zie de handreiking in de bijlage.</p>', attachmentIds: [attachmentId] }),
  });
  expect(reply.status).toBe(201);
  return { threadId, replyId: (await reply.json()).post.id, attachmentId, handout };
}

/** The restored forum has the reply with its handout's bytes, and Anne logs in with her password. */
export async function expectRestored(base: string, saved: BackedUp): Promise<void> {
  const page = await (await fetch(`${base}/api/threads/${saved.threadId}?limit=200`)).json();
  const reply = page.replies.items.find((p: { id: string }) => p.id === saved.replyId);
  expect(reply.body).toBe('<p>Zie de handreiking in de bijlage.</p>');
  expect(reply.attachments.map((a: { id: string }) => a.id)).toEqual([saved.attachmentId]);
  const bytes = Buffer.from(await (await fetch(`${base}/api/attachments/${saved.attachmentId}/download`)).arrayBuffer());
  expect(bytes.equals(saved.handout)).toBe(true);
  await loginAs(base);
}

export interface BackupPlaces {
  tmp: string;
  original: Instance;
  restored: Instance;
  archive: string;
}

/** A temporary directory with two instances (the forum backed up, and a fresh one to restore on) and the archive's path. */
export async function backupPlaces(prefix: string): Promise<BackupPlaces> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  // The data directories live inside: run as root, the embedded PostgreSQL (user postgres) must pass through.
  await chmod(tmp, 0o755);
  return {
    tmp,
    original: { dataDir: path.join(tmp, 'original'), port: await freePort() },
    restored: { dataDir: path.join(tmp, 'restored'), port: await freePort() },
    archive: path.join(tmp, 'plein-backup.tar.gz'),
  };
}

/** Stops every server the test started and removes the directory. */
export async function removeBackupPlaces(places: BackupPlaces | undefined): Promise<void> {
  killAll();
  await new Promise((r) => setTimeout(r, 1000));
  if (places) await rm(places.tmp, { recursive: true, force: true });
}
