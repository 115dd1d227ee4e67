// Prints the initial JavaScript of the SPA (what index.html loads before any lazy chunk), gzipped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../dist/client');
const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
const scripts = [...index.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const src of new Set(scripts)) total += gzipSync(readFileSync(path.join(dist, src.replace(/^\//, '')))).length;
const kb = (total / 1024).toFixed(1);
const budget = 120;
console.log(`initial JavaScript (thread page): ${kb} KB gzipped (budget ${budget} KB)`);
if (total / 1024 > budget) {
  console.error('over budget');
  process.exit(1);
}
