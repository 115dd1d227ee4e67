import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config';
import { openEmbeddedCluster } from './cluster';
import { databaseUrl } from './embedded';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded PostgreSQL (no-op for an external one). */
  stop(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/** Checks that the external database answers; the error says which host failed, without the password. */
async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    const u = new URL(url);
    throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR/postgres with a `plein`
 * database. A server owns the embedded cluster; a script (`role: 'script'`) uses the one a running
 * server has, and starts its own only when none runs (server/db/cluster.ts).
 */
export async function resolveDatabase(config: Config, log: (msg: string) => void = () => {}, role: 'server' | 'script' = 'server'): Promise<ResolvedDatabase> {
  if (config.databaseUrl) {
    await checkReachable(config.databaseUrl);
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  log(`starting embedded PostgreSQL in ${path.join(config.dataDir, 'postgres')}`);
  const cluster = await openEmbeddedCluster(config.dataDir, role, log);
  const url = databaseUrl(cluster.url, 'plein');
  await ensureDatabase(cluster.url, 'plein');
  return { url, embedded: true, stop: cluster.stop };
}
