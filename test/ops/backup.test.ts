// Backup of a running forum and restore on a fresh data directory: the threads, replies, users and
// the bytes of the attachments come back.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackedUp, type BackupPlaces, addReplyWithHandout, backupPlaces, expectRestored, removeBackupPlaces } from './backup-content';
import { type Instance, healthy, runScript, startServer } from './support';

let places: BackupPlaces;
let original: Instance;
let restored: Instance;
let archive: string;

beforeAll(async () => {
  places = await backupPlaces('plein-backup-test-');
  ({ original, restored, archive } = places);
});
afterAll(async () => removeBackupPlaces(places));

describe('backup and restore', () => {
  let saved: BackedUp;

  it('backs up a running forum with content into one archive', async () => {
    const server = startServer(original, { SEED_DEMO: 'true' });
    await healthy(original, 90_000).catch((err) => {
      throw new Error(`${err.message}: ${server.output()}`);
    });
    saved = await addReplyWithHandout(`http://127.0.0.1:${original.port}`, 'Handreiking schuldhulp, versie 3');

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
    await expectRestored(`http://127.0.0.1:${restored.port}`, saved);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 240_000);
});
