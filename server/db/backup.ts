// One archive with a consistent copy of the database and the uploads, made while the forum runs.
// Embedded database: PostgreSQL's online backup API (pg_backup_start / pg_backup_stop) around a copy
// of the cluster's files, with the WAL written meanwhile and the backup label, so a start on the
// restored files recovers to a consistent state; no pg_dump needed. External database (DATABASE_URL):
// pg_dump of the custom format, restored with pg_restore (the PostgreSQL client tools on PATH).
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as tar from 'tar';
import type { Config } from '../config';
import { openEmbeddedCluster } from './cluster';

export interface BackupManifest {
  format: 1;
  createdAt: string;
  database: 'embedded-files' | 'pg_dump';
  uploads: boolean;
}

/** Files of a running cluster that a copy leaves out (pg_wal is copied after the backup stops). */
const SKIP_IN_CLUSTER = new Set(['postmaster.pid', 'postmaster.opts', 'pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);
/** Directories that must exist, empty, in a cluster. */
const EMPTY_DIRS = ['pg_wal', 'pg_wal/archive_status', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans'];

/** Copies a directory that changes while it is read: files that vanish meanwhile are left out (WAL replay restores them). */
async function copyLive(from: string, to: string, skip: (name: string, depth: number) => boolean, depth = 0): Promise<void> {
  await fs.mkdir(to, { recursive: true, mode: 0o700 });
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(from, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    if (skip(entry.name, depth)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await copyLive(source, target, skip, depth + 1);
    else if (entry.isFile()) {
      await fs.copyFile(source, target).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }
}

/** The embedded cluster's files between pg_backup_start and pg_backup_stop, then its WAL and label. */
async function copyEmbeddedCluster(adminUrl: string, clusterDir: string, stage: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Non-exclusive backup: it lasts as long as this connection; a fast checkpoint starts it now.
    await client.query(`select pg_backup_start('plein backup', true)`);
    await copyLive(clusterDir, path.join(stage, 'postgres'), (name, depth) => depth === 0 && SKIP_IN_CLUSTER.has(name));
    const { rows } = await client.query<{ labelfile: string; spcmapfile: string | null }>('select labelfile, spcmapfile from pg_backup_stop(false)');
    for (const dir of EMPTY_DIRS) await fs.mkdir(path.join(stage, 'postgres', dir), { recursive: true, mode: 0o700 });
    // The WAL from the backup's start up to its end is still in pg_wal: copied after the stop.
    for (const name of await fs.readdir(path.join(clusterDir, 'pg_wal'))) {
      if (!/^[0-9A-F]{24}$/.test(name)) continue;
      await fs.copyFile(path.join(clusterDir, 'pg_wal', name), path.join(stage, 'postgres', 'pg_wal', name)).catch(() => {});
    }
    await fs.writeFile(path.join(stage, 'postgres', 'backup_label'), rows[0].labelfile, { mode: 0o600 });
    if (rows[0].spcmapfile) await fs.writeFile(path.join(stage, 'postgres', 'tablespace_map'), rows[0].spcmapfile, { mode: 0o600 });
  } finally {
    await client.end();
  }
}

/**
 * The connection of a postgres:// URL as libpq's environment variables: the password never appears
 * on a command line (where `ps` shows it) or in an error message.
 */
export function libpqEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl);
  const param = (name: string) => url.searchParams.get(name) ?? undefined;
  const env: NodeJS.ProcessEnv = {
    PGHOST: param('host') ?? (decodeURIComponent(url.hostname) || undefined),
    PGPORT: param('port') ?? (url.port || undefined),
    PGUSER: param('user') ?? (decodeURIComponent(url.username) || undefined),
    PGPASSWORD: param('password') ?? (decodeURIComponent(url.password) || undefined),
    PGDATABASE: param('dbname') ?? (decodeURIComponent(url.pathname.slice(1)) || undefined),
    PGSSLMODE: param('sslmode'),
  };
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** Runs a PostgreSQL client tool against DATABASE_URL; a failure says what the tool said, without the URL. */
function runTool(name: string, args: string[], databaseUrl: string): void {
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, ...rest } = process.env;
  const res = spawnSync(name, args, { env: { ...rest, ...libpqEnv(databaseUrl) }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${name} failed: ${(res.stderr || res.error?.message || 'no output').trim().split('\n')[0]}`);
}

/** Restoring adds every table: only into a database that has none in its public schema. */
async function requireEmptyDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_class c join pg_namespace ns on ns.oid = c.relnamespace where ns.nspname = 'public'`);
    if (rows[0].n > 0) throw new Error('the database at DATABASE_URL is not empty: restore into an empty database');
  } finally {
    await client.end();
  }
}

function requireTool(name: string): void {
  const found = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${name} is needed for a database at DATABASE_URL (install the PostgreSQL client tools of the server's major version)`);
}

/** Writes the archive `out` (a .tar.gz) with the database and the uploads. */
export async function backup(config: Config, out: string, log: (m: string) => void = () => {}): Promise<BackupManifest> {
  const stage = await fs.mkdtemp(path.join(os.tmpdir(), 'plein-backup-'));
  try {
    let database: BackupManifest['database'];
    if (config.databaseUrl) {
      requireTool('pg_dump');
      log('dumping the database with pg_dump');
      runTool('pg_dump', ['--format=custom', '--no-owner', '--file', path.join(stage, 'database.dump')], config.databaseUrl);
      database = 'pg_dump';
    } else {
      const cluster = await openEmbeddedCluster(config.dataDir, 'script', log);
      try {
        log(cluster.shared ? 'copying the running embedded database (online backup)' : 'copying the embedded database');
        await copyEmbeddedCluster(cluster.url, path.join(config.dataDir, 'postgres'), stage);
      } finally {
        await cluster.stop();
      }
      database = 'embedded-files';
    }
    const uploadsDir = path.join(config.dataDir, 'uploads');
    const uploads = config.storage.kind === 'local' && existsSync(uploadsDir);
    if (uploads) await copyLive(uploadsDir, path.join(stage, 'uploads'), (name) => name === 'tmp');
    const manifest: BackupManifest = { format: 1, createdAt: new Date().toISOString(), database, uploads };
    await fs.writeFile(path.join(stage, 'plein-backup.json'), JSON.stringify(manifest, null, 2));
    await fs.mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await tar.create({ gzip: true, file: out, cwd: stage, portable: false }, await fs.readdir(stage));
    await fs.chmod(out, 0o600);
    return manifest;
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
}

/** The uid and gid of the user the embedded PostgreSQL runs as when Plein runs as root. */
function postgresUser(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : null;
}

async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await fs.chown(dir, owner.uid, owner.gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, owner);
    else await fs.chown(full, owner.uid, owner.gid);
  }
}

/**
 * Restores an archive into an empty DATA_DIR (embedded database: the next start recovers from the
 * copied files), or into the database at DATABASE_URL (pg_restore). The uploads go to DATA_DIR/uploads.
 */
export async function restore(config: Config, archive: string, log: (m: string) => void = () => {}): Promise<BackupManifest> {
  const stage = await fs.mkdtemp(path.join(os.tmpdir(), 'plein-restore-'));
  try {
    await tar.extract({ file: archive, cwd: stage });
    const manifest = JSON.parse(await fs.readFile(path.join(stage, 'plein-backup.json'), 'utf8')) as BackupManifest;
    if (manifest.format !== 1) throw new Error(`${archive} is not a Plein backup this version can read`);
    const clusterDir = path.join(config.dataDir, 'postgres');
    const uploadsDir = path.join(config.dataDir, 'uploads');
    if (manifest.database === 'embedded-files') {
      if (config.databaseUrl) throw new Error('this backup holds an embedded database: restore it without DATABASE_URL, into an empty DATA_DIR');
      if (existsSync(clusterDir)) throw new Error(`${config.dataDir} already has a database: restore into an empty DATA_DIR`);
      await fs.mkdir(config.dataDir, { recursive: true });
      await fs.rename(path.join(stage, 'postgres'), clusterDir).catch(async () => fs.cp(path.join(stage, 'postgres'), clusterDir, { recursive: true }));
      await fs.chmod(clusterDir, 0o700);
      const owner = postgresUser();
      if (owner) await chownTree(clusterDir, owner);
      log(`database files restored in ${clusterDir}; the next start recovers them`);
    } else {
      if (!config.databaseUrl) throw new Error('this backup holds a pg_dump: set DATABASE_URL to the (empty) database to restore it into');
      requireTool('pg_restore');
      await requireEmptyDatabase(config.databaseUrl);
      runTool('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', libpqEnv(config.databaseUrl).PGDATABASE ?? 'postgres', path.join(stage, 'database.dump')], config.databaseUrl);
      log('database restored with pg_restore');
    }
    if (manifest.uploads) {
      await fs.mkdir(uploadsDir, { recursive: true });
      await fs.cp(path.join(stage, 'uploads'), uploadsDir, { recursive: true, force: false, errorOnExist: false });
      log(`uploads restored in ${uploadsDir}`);
    }
    return manifest;
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
}

