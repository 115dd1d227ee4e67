// npm run restore -- plein-backup.tar.gz
// Into an empty DATA_DIR (embedded database), or into the database at DATABASE_URL; then npm start.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../server/config';
import { restore } from '../server/db/backup';

const { positionals } = parseArgs({ allowPositionals: true });
if (positionals.length !== 1) {
  console.error('restore: give the archive: npm run restore -- plein-backup.tar.gz');
  process.exit(1);
}

try {
  await restore(loadConfig(), positionals[0], (m) => console.log(`restore: ${m}`));
  console.log('restore: done; start Plein with npm start');
} catch (err) {
  console.error(`restore: ${err instanceof ConfigError ? 'configuration error: ' : ''}${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
