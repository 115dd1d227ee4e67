// The embedded database as an administrator meets it: create-admin next to a running forum, a second
// server on the same data directory, and a restart after kill -9. Real processes, real PostgreSQL.
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterRecord } from '../../server/db/cluster';
import { freePort, isAlive, readPostmasterPid } from '../../server/db/embedded';
import { type Instance, healthy as healthyAt, killAll, runScript, startServer as startAt } from './support';

const forum: Instance = { dataDir: '', port: 0 };
const startServer = () => startAt(forum);
const healthy = (timeoutMs: number) => healthyAt(forum, timeoutMs);
const createAdmin = (email: string) => runScript(forum, 'create-admin', ['--email', email, '--password', 'een lang wachtwoord']);

beforeAll(async () => {
  forum.dataDir = await mkdtemp(path.join(os.tmpdir(), 'plein-ops-'));
  forum.port = await freePort();
});
afterAll(async () => {
  killAll();
  const pm = readPostmasterPid(path.join(forum.dataDir, 'postgres'));
  if (pm && isAlive(pm.pid)) process.kill(pm.pid, 'SIGINT');
  await new Promise((r) => setTimeout(r, 500));
  await rm(forum.dataDir, { recursive: true, force: true });
});

describe('the embedded database next to a running server', () => {
  let server: ReturnType<typeof startServer>;

  it('create-admin uses the running server\'s cluster and leaves it running', async () => {
    server = startServer();
    await healthy(90_000);
    const postmaster = readPostmasterPid(path.join(forum.dataDir, 'postgres'))!;
    // How to reach the cluster is recorded for its owner only.
    expect(statSync(path.join(forum.dataDir, 'postgres.json')).mode & 0o777).toBe(0o600);
    expect(readClusterRecord(forum.dataDir)).toMatchObject({ ownerPid: server.child.pid, owner: 'server', postmasterPid: postmaster.pid, httpPort: forum.port });

    const res = createAdmin('beheer@gemeente.example');
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('admin account beheer@gemeente.example created');
    // Same postmaster, its pid file still there, and the forum still answers.
    expect(readPostmasterPid(path.join(forum.dataDir, 'postgres'))?.pid).toBe(postmaster.pid);
    expect(isAlive(postmaster.pid)).toBe(true);
    await healthy(2_000);
  }, 180_000);

  it('refuses a second server on the same data directory with one clear line', async () => {
    const second = startServer();
    const code = await second.exited;
    expect(code).toBe(1);
    expect(second.output().trim()).toContain(`Plein draait al op deze datamap: pid ${server.child.pid}, poort ${forum.port}`);
    await healthy(2_000);
  }, 90_000);

  it('after kill -9 of the server, a new start is healthy within 10 seconds with the data kept', async () => {
    const orphan = readPostmasterPid(path.join(forum.dataDir, 'postgres'))!;
    server.child.kill('SIGKILL');
    await server.exited;
    expect(isAlive(orphan.pid)).toBe(true); // PostgreSQL outlived its server

    server = startServer();
    const took = await healthy(30_000);
    expect(took, server.output()).toBeLessThan(10_000);
    expect(isAlive(orphan.pid)).toBe(false);
    // The admin made before the crash is still there: create-admin now promotes instead of creating.
    const res = createAdmin('beheer@gemeente.example');
    expect(res.stdout).toContain('beheer@gemeente.example is now an admin');
  }, 180_000);

  it('stops cleanly: the postmaster ends and the record is gone', async () => {
    const pm = readPostmasterPid(path.join(forum.dataDir, 'postgres'))!;
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(isAlive(pm.pid)).toBe(false);
    expect(existsSync(path.join(forum.dataDir, 'postgres.json'))).toBe(false);
    // create-admin without a server starts and stops a cluster of its own.
    const res = createAdmin('tweede@gemeente.example');
    expect(res.status, res.stderr).toBe(0);
    expect(readPostmasterPid(path.join(forum.dataDir, 'postgres'))).toBeNull();
  }, 120_000);
});

describe('run as root', () => {
  it.runIf(process.getuid?.() === 0)('makes DATA_DIR passable for postgres, and says how to fix a closed directory above it', async () => {
    const closed = await mkdtemp(path.join(os.tmpdir(), 'plein-closed-'));
    try {
      // mktemp -d: only root may enter. DATA_DIR directly in it works (DATA_DIR itself gets o+x) …
      const saved = { ...forum };
      forum.dataDir = closed;
      forum.port = await freePort();
      const direct = startServer();
      await healthy(90_000);
      expect(statSync(closed).mode & 0o001).toBe(0o001);
      direct.child.kill('SIGTERM');
      expect(await direct.exited).toBe(0);
      // … one level deeper the closed directory is not Plein's to open: one clear line, exit 1.
      await chmod(closed, 0o700);
      forum.dataDir = path.join(closed, 'plein');
      const nested = startServer();
      expect(await nested.exited).toBe(1);
      expect(nested.output()).toContain(`cannot enter ${closed}: choose a DATA_DIR outside it, or allow passing through with: chmod o+x ${closed}`);
      Object.assign(forum, saved);
    } finally {
      await rm(closed, { recursive: true, force: true });
    }
  }, 180_000);
});

