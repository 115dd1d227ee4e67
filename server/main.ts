import { buildApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { createDb } from './db';
import { migrateToLatest } from './db/migrate';
import { ClusterInUseError, recordHttpPort } from './db/cluster';
import { DatabaseUnavailableError, resolveDatabase } from './db/resolve';
import { seedDemo } from './seed/demo';
import { ensureClientBuilt } from './web/build';

const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`plein: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`);
    throw err;
  }
  const log = (m: string) => process.stdout.write(`plein: ${m}\n`);
  const startedAt = Date.now();

  if (config.serveClient && process.env.SKIP_CLIENT_BUILD !== 'true') ensureClientBuilt(log);

  let database: Awaited<ReturnType<typeof resolveDatabase>>;
  try {
    database = await resolveDatabase(config, log);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError || err instanceof ClusterInUseError) fail(err.message);
    throw err;
  }

  const db = createDb(database.url, { max: 2 });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
    if (config.seedDemo) {
      const logins = await seedDemo(db);
      if (logins?.length) {
        log('demo community created. Demo logins:');
        for (const l of logins) log(`  ${l.role.padEnd(9)} ${l.email}  ${l.password}  (${l.displayName})`);
      }
    }
  } finally {
    await db.destroy();
  }

  const app = await buildApp({ ...config, databaseUrl: database.url });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.warn('in-flight requests did not finish in time; closing anyway');
      void database.stop().finally(() => process.exit(1));
    }, SHUTDOWN_GRACE_MS);
    try {
      await app.close();
      await database.stop();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await database.stop();
    fail(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  if (database.embedded) recordHttpPort(config.dataDir, config.port);
  log(`Plein is running at ${config.publicUrl} (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
}

main().catch((err) => {
  const why = err instanceof Error ? err.message : err === undefined ? 'unknown error (no reason given)' : String(err);
  process.stderr.write(`plein: failed to start: ${why}\n`);
  process.exit(1);
});
