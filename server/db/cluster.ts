// One embedded PostgreSQL per DATA_DIR, shared. The process that starts it writes how to reach it to
// DATA_DIR/postgres.json (mode 0600: it holds the local password), so scripts (create-admin, migrate,
// backup) run next to a running server use its cluster instead of starting a second one on the same
// files, and a server that finds the postmaster of a crashed predecessor stops it cleanly first.
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EMBEDDED_PASSWORD, EMBEDDED_USER, isAlive, readPostmasterPid, startEmbeddedPostgres, stopPostmaster } from './embedded';

export interface ClusterRecord {
  /** The process that started the cluster and stops it. */
  ownerPid: number;
  owner: 'server' | 'script';
  postmasterPid: number;
  port: number;
  /** The server's HTTP port, once it listens (for the "already running" message). */
  httpPort?: number;
}

/** Another process owns the cluster of this data directory (a second server, or a script that still runs). */
export class ClusterInUseError extends Error {}

const recordPath = (dataDir: string) => path.join(dataDir, 'postgres.json');

export function readClusterRecord(dataDir: string): ClusterRecord | null {
  try {
    return JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as ClusterRecord;
  } catch {
    return null;
  }
}

function writeClusterRecord(dataDir: string, record: ClusterRecord): void {
  writeFileSync(recordPath(dataDir), JSON.stringify(record), { mode: 0o600 });
  chmodSync(recordPath(dataDir), 0o600);
}

/** Adds the server's HTTP port to its record, once it listens. */
export function recordHttpPort(dataDir: string, httpPort: number): void {
  const record = readClusterRecord(dataDir);
  if (record?.ownerPid === process.pid) writeClusterRecord(dataDir, { ...record, httpPort });
}

const adminUrl = (port: number) => `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;

export interface EmbeddedCluster {
  /** The admin URL (database `postgres`). */
  url: string;
  /** Whether this process started it (and stops it), or uses one that runs. */
  shared: boolean;
  stop(): Promise<void>;
}

/**
 * Run as root, the embedded PostgreSQL runs as the user `postgres`, which must be able to pass
 * through every directory above its own. DATA_DIR is Plein's: it gets o+x (enter, not list). A
 * directory above it that is closed (/root, say) is not changed: the start fails, saying how to fix it.
 */
export function ensureReachableForPostgres(dataDir: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  mkdirSync(dataDir, { recursive: true });
  const own = statSync(dataDir);
  if ((own.mode & 0o001) === 0) chmodSync(dataDir, own.mode | 0o001);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(`the embedded PostgreSQL runs as user postgres, which cannot enter ${dir}: choose a DATA_DIR outside it, or allow passing through with: chmod o+x ${dir}`);
    }
    if (path.dirname(dir) === dir) break;
  }
}

/**
 * The embedded cluster of `dataDir` for a server (`role: 'server'`: it owns the cluster; a second
 * server is refused, a crashed one's postmaster is stopped first) or a script (`role: 'script'`: it
 * uses a running cluster, and starts and stops its own only when none runs).
 */
export async function openEmbeddedCluster(dataDir: string, role: 'server' | 'script', log: (m: string) => void = () => {}): Promise<EmbeddedCluster> {
  const dir = path.join(dataDir, 'postgres');
  const running = readPostmasterPid(dir);
  if (running && isAlive(running.pid)) {
    const record = readClusterRecord(dataDir);
    const ownerAlive = !!record && record.postmasterPid === running.pid && record.ownerPid !== process.pid && isAlive(record.ownerPid);
    if (role === 'script' && ownerAlive) return { url: adminUrl(running.port), shared: true, stop: async () => {} };
    if (ownerAlive) {
      throw new ClusterInUseError(
        record.owner === 'server'
          ? `Plein draait al op deze datamap: pid ${record.ownerPid}, poort ${record.httpPort ?? '?'} (Plein already runs on this data directory)`
          : `een ander Plein-proces gebruikt deze datamap: pid ${record.ownerPid}; probeer het zo weer (another Plein process uses this data directory)`,
      );
    }
    // Its owner is gone (killed, crashed): PostgreSQL's fast shutdown, then a clean start of our own.
    log(`stopping PostgreSQL (pid ${running.pid}) left running by a process that ended`);
    if (!(await stopPostmaster(running.pid))) throw new Error(`PostgreSQL (pid ${running.pid}) in ${dir} did not stop; stop it and start again`);
  }
  ensureReachableForPostgres(dataDir);
  const server = await startEmbeddedPostgres(dir);
  const started = readPostmasterPid(dir);
  writeClusterRecord(dataDir, { ownerPid: process.pid, owner: role, postmasterPid: started?.pid ?? 0, port: server.port });
  return {
    url: server.url,
    shared: false,
    stop: async () => {
      await server.stop();
      const record = readClusterRecord(dataDir);
      if (record?.ownerPid === process.pid) rmSync(recordPath(dataDir), { force: true });
    },
  };
}
