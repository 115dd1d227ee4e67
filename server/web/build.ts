import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the SPA when dist/client is missing or older than its sources (client/ and shared/). */
export function ensureClientBuilt(log: (m: string) => void = () => {}): void {
  const index = path.join(root, 'dist/client/index.html');
  const sourcesChanged = Math.max(newestMtime(path.join(root, 'client')), newestMtime(path.join(root, 'shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesChanged) return;
  log('building the web client (dist/client is missing or stale)…');
  // NODE_ENV=test (vitest) would make Vite bundle React's development build.
  const result = spawnSync('npm', ['run', 'build:client', '--silent'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (result.status !== 0) throw new Error('building the web client failed (see above)');
}
