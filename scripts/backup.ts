// npm run backup -- --out plein-backup.tar.gz
// One archive with a consistent copy of the database and the uploads, while the forum runs.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../server/config';
import { backup } from '../server/db/backup';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? `plein-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`;

try {
  const manifest = await backup(loadConfig(), out, (m) => console.log(`backup: ${m}`));
  console.log(`backup: written ${out} (database: ${manifest.database}, uploads: ${manifest.uploads ? 'yes' : 'none'})`);
} catch (err) {
  console.error(`backup: ${err instanceof ConfigError ? 'configuration error: ' : ''}${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
