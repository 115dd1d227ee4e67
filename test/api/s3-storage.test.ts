// STORAGE=s3 against a real S3-compatible server (s3rver, started here): upload, download with
// ranges, deduplication, cleanup; and a start that fails with one clear line when S3 refuses.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupUnattachedUploads } from '../../server/attachments/cleanup';
import { createStorage } from '../../server/attachments/storage';
import { buildApp } from '../../server/app';
import { freePort } from '../../server/db/embedded';
import { type TestApp, type TestUser, binary, createTestApp, signUp } from '../support/app';
import { pdf } from '../support/files';
import { createChannel, replyTo, startThread } from '../support/forum';

let s3: S3rver;
let s3Dir: string;
let endpoint: string;
let t: TestApp;
let member: TestUser;
const storageFor = (bucket: string) => ({ kind: 's3' as const, bucket, region: 'eu-west-1', endpoint });

beforeAll(async () => {
  s3Dir = await mkdtemp(path.join(os.tmpdir(), 'plein-s3-'));
  const port = await freePort();
  s3 = new S3rver({ port, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: 'plein-uploads', configs: [] }] });
  await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
  // s3rver's own key pair; the AWS SDK reads the usual variables, as in production.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  t = await createTestApp({ storage: storageFor('plein-uploads') });
  await createChannel(t, 'landelijk');
  member = await signUp(t);
});
afterAll(async () => {
  await t?.close();
  await s3?.close();
  await rm(s3Dir, { recursive: true, force: true });
});

const objects = async () => {
  const keys: string[] = [];
  for await (const o of createStorage(t.config).list()) keys.push(o.key);
  return keys;
};

describe('STORAGE=s3 on a real S3-compatible server', () => {
  it('stores an upload in the bucket, serves it whole and by range, and stores equal bytes once', async () => {
    const bytes = pdf('Factsheet pgb in S3');
    const first = await member.agent.post('/api/attachments').attach('file', bytes, 'factsheet.pdf');
    expect(first.status).toBe(201);
    const second = await member.agent.post('/api/attachments').attach('file', bytes, 'kopie.pdf');
    expect(second.status).toBe(201);
    expect(await objects()).toEqual([first.body.attachment.sha256]);
    const thread = await startThread(member, 'landelijk');
    await replyTo(member, thread.id, '<p>Bijlage</p>', { attachmentIds: [first.body.attachment.id] });
    const whole = await binary(request(t.app.server).get(`/api/attachments/${first.body.attachment.id}/download`));
    expect(whole.status).toBe(200);
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await binary(request(t.app.server).get(`/api/attachments/${first.body.attachment.id}/download`).set('Range', 'bytes=0-7'));
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe('%PDF-1.4');
  });

  it('cleanup deletes the object of an upload nobody attached, and keeps the attached one', async () => {
    const loose = await member.agent.post('/api/attachments').attach('file', pdf('Nooit gebruikt'), 'los.pdf');
    expect(await objects()).toContain(loose.body.attachment.sha256);
    await cleanupUnattachedUploads(t.db, createStorage(t.config), new Date(Date.now() + 25 * 3600_000));
    const left = await objects();
    expect(left).not.toContain(loose.body.attachment.sha256);
    expect(left).toHaveLength(1);
  });

  it('refuses to start with a bucket that does not exist, or with wrong credentials, in one clear line', async () => {
    await expect(buildApp({ ...t.config, storage: storageFor('bestaat-niet') }, { logger: false })).rejects.toThrow('S3 storage: bucket "bestaat-niet" does not exist (S3_BUCKET)');
    // s3rver checks the access key id (not the secret): an unknown key is what it refuses.
    process.env.AWS_ACCESS_KEY_ID = 'ONBEKEND';
    try {
      await expect(buildApp({ ...t.config }, { logger: false })).rejects.toThrow('S3 storage: access to bucket "plein-uploads" denied (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)');
    } finally {
      process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    }
  });
});
