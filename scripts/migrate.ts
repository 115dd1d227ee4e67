// npm run migrate: applies pending migrations to DATABASE_URL or the embedded database.
import { ConfigError, loadConfig } from '../server/config';
import { createDb } from '../server/db';
import { migrateToLatest } from '../server/db/migrate';
import { resolveDatabase } from '../server/db/resolve';

try {
  const config = loadConfig();
  const database = await resolveDatabase(config, () => {}, 'script');
  const db = createDb(database.url, { max: 1 });
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.destroy();
    await database.stop();
  }
} catch (err) {
  console.error(`plein: ${err instanceof ConfigError ? 'configuration error: ' : ''}${(err as Error).message}`);
  process.exit(1);
}
