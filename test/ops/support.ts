// Real server processes on an embedded database, as `npm start` runs them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');

export interface Instance {
  dataDir: string;
  port: number;
}

export function processEnv(i: Instance, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  return { ...rest, DATA_DIR: i.dataDir, PORT: String(i.port), PUBLIC_URL: `http://127.0.0.1:${i.port}`, SEED_DEMO: 'false', SKIP_CLIENT_BUILD: 'true', RUN_JOBS: 'false', LOG_LEVEL: 'warn', ...extra };
}

export interface Server {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

export function startServer(i: Instance, extra: Record<string, string> = {}): Server {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env: processEnv(i, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export function killAll(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Waits until the forum answers a database-backed request; the time it took, in ms. */
export async function healthy(i: Instance, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const ok = await fetch(`http://127.0.0.1:${i.port}/api/channels`).then((r) => r.status === 200, () => false);
    if (ok) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not healthy within ${timeoutMs} ms`);
}

export function runScript(i: Instance, script: string, args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { cwd: root, env: processEnv(i, extra), encoding: 'utf8', timeout: 120_000 });
}
