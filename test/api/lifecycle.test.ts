import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../server/db/embedded';

const root = path.resolve(__dirname, '../..');
let dataDir: string;

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Starts `server/main.ts` the way `npm start` does, on the embedded PostgreSQL in dataDir. */
async function start(port: number): Promise<{ proc: ChildProcess; output: () => string; ms: number }> {
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, SKIP_CLIENT_BUILD: 'true', LOG_LEVEL: 'warn', PUBLIC_URL: `http://127.0.0.1:${port}` };
  delete env.DATABASE_URL;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok).catch(() => false);
    if (ok) return { proc, output: () => out, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`server did not start: ${out}`);
}

describe('npm start on the embedded PostgreSQL', () => {
  it('initialises on a first start with demo logins, shuts down gracefully (websockets hear 1001), and reuses the data on a second start', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'plein-lifecycle-'));
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const first = await start(port);
    expect(first.output()).toContain('Demo logins');
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'marieke@plein.example', password: 'plein-demo-2026' }) });
    expect(login.status).toBe(200);

    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const exited = new Promise<number | null>((resolve) => first.proc.once('exit', (code) => resolve(code)));
    first.proc.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
    // The database went down after the server let go of it, not under its feet.
    expect(first.output()).not.toContain('terminating connection due to administrator command');

    const second = await start(port);
    expect(second.output()).not.toContain('Demo logins');
    const channels = (await (await fetch(`http://127.0.0.1:${port}/api/channels`)).json()) as { items: { slug: string }[] };
    expect(channels.items.map((c) => c.slug)).toContain('landelijk');
    const exit2 = new Promise<number | null>((resolve) => second.proc.once('exit', (code) => resolve(code)));
    second.proc.kill('SIGINT');
    expect(await exit2).toBe(0);
    expect(second.output()).not.toContain('terminating connection due to administrator command');
    console.log(`first start ${first.ms} ms, second start ${second.ms} ms`);
  }, 120_000);
});
