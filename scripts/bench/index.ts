// npm run bench [-- --threads 20000 --posts 1000000 --users 5000 --duration 10 --reuse --skip-fanout --only api,search,upload,fanout]
// (or BENCH_THREADS, BENCH_POSTS, BENCH_USERS, BENCH_DURATION; BENCH_FANOUT_CLIENTS=1000,5000)
// Builds a large data set in its own database, starts the real server as a separate process and
// measures it. Prints one table and writes bench-results.json. Everything runs on 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDb } from '../../server/db';
import { databaseUrl, freePort, startEmbeddedPostgres } from '../../server/db/embedded';
import { migrateToLatest } from '../../server/db/migrate';
import { generate } from './data';
import { sections } from './sections';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: process.env.BENCH_THREADS ?? '20000' },
    posts: { type: 'string', default: process.env.BENCH_POSTS ?? '1000000' },
    users: { type: 'string', default: process.env.BENCH_USERS ?? '5000' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '10' },
    reuse: { type: 'boolean', default: false },
    'skip-fanout': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const size = { threads: Number(args.threads), posts: Number(args.posts), users: Number(args.users) };
const duration = Number(args.duration);

export interface Row {
  section: string;
  metric: string;
  value: string;
  target?: string;
}
const rows: Row[] = [];
const log = (m: string) => console.log(`bench: ${m}`);

export interface BenchContext {
  baseUrl: string;
  databaseUrl: string;
  serverPid: number;
  duration: number;
  /** The data set's size (threads, posts, users). */
  size: { threads: number; posts: number; users: number };
  record(row: Row): void;
  /** Figures one section leaves for the next (the ceiling, measured once per run). */
  shared: Record<string, number>;
  cannon(opts: autocannon.Options): Promise<autocannon.Result>;
  log(m: string): void;
  /** The server's Prometheus metrics (a token the bench sets for its server). */
  metrics(): Promise<string>;
}

const METRICS_TOKEN = `bench-${randomBytes(16).toString('hex')}`;

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({ ...opts }, (err, result) => {
      if (err) return reject(err);
      times.sort((a, b) => a - b);
      if (times.length) result.latency.p95 = Math.round(times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]);
      resolve(result);
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
}

async function startServer(dbUrl: string): Promise<{ proc: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  // BENCH_SERVER_ARGS: extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes.
  const extra = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc = spawn(process.execPath, [...extra, '--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', BENCH_ROUTES: 'true', WS_MAX_PER_ADDRESS: '1000000', RATE_LIMITS: 'off', SEED_DEMO: 'false', LOG_LEVEL: 'warn', SKIP_CLIENT_BUILD: 'true', RUN_JOBS: 'false', PUBLIC_URL: `http://127.0.0.1:${port}`, METRICS_TOKEN },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${baseUrl}/api/health`).then((r) => r.ok).catch(() => false);
    if (ok) return { proc, baseUrl };
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error('server did not start');
}

async function main() {
  let adminUrl = process.env.DATABASE_URL;
  let stopPg = async () => {};
  let dir: string | undefined;
  if (!adminUrl) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'plein-bench-pg-'));
    await (await import('node:fs/promises')).chmod(dir, 0o755);
    const server = await startEmbeddedPostgres(path.join(dir, 'pgdata'), { fast: true });
    adminUrl = server.url;
    stopPg = server.stop;
  }
  // BENCH_DB_NAME: a database of one's own on a server others bench on too.
  const dbName = process.env.BENCH_DB_NAME ?? `plein_bench_${size.threads}_${size.posts}`;
  const dbUrl = databaseUrl(adminUrl, dbName);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount;
  if (!exists || !args.reuse) {
    if (exists) await admin.query(`drop database "${dbName}" with (force)`);
    await admin.query(`create database "${dbName}"`);
    const db = createDb(dbUrl, { max: 2 });
    await migrateToLatest(db);
    log(`generating ${size.threads} threads, ${size.posts} posts, ${size.users} users…`);
    const t0 = Date.now();
    await generate(db, size, log);
    rows.push({ section: 'data set', metric: 'generated in (s)', value: ((Date.now() - t0) / 1000).toFixed(1) });
    await db.destroy();
  } else {
    const db = createDb(dbUrl, { max: 2 });
    await migrateToLatest(db);
    await db.destroy();
    log(`reusing ${dbName}`);
  }
  await admin.end();

  // The machine may be shared: its load says how much the figures are depressed (compare ratios within a run).
  const loadAtStart = os.loadavg()[0];
  const { proc, baseUrl } = await startServer(dbUrl);
  const ctx: BenchContext = { baseUrl, databaseUrl: dbUrl, serverPid: proc.pid!, duration, size, record: (r) => rows.push(r), shared: {}, cannon, log, metrics: () => fetch(`${baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((r) => r.text()) };
  try {
    const only = args.only?.split(',');
    const skip = new Set(args['skip-fanout'] ? ['fanout'] : []);
    for (const section of sections) {
      if ((only && !only.includes(section.name)) || skip.has(section.name)) continue;
      log(`section ${section.name}…`);
      try {
        await section.run(ctx);
      } catch (err) {
        // One broken section does not cost the others' figures.
        rows.push({ section: section.name, metric: 'FAILED', value: (err as Error).message.slice(0, 80) });
        console.error(err);
      }
      if (proc.exitCode !== null) throw new Error(`the server exited (${proc.exitCode}) during section ${section.name}`);
    }
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await stopPg();
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  rows.push({ section: 'machine', metric: 'load average (1 min) at start / end', value: `${loadAtStart.toFixed(1)} / ${os.loadavg()[0].toFixed(1)}` });
  const width = Math.max(...rows.map((r) => r.section.length));
  const mwidth = Math.max(...rows.map((r) => r.metric.length));
  console.log(`\nPlein bench — ${size.threads} threads, ${size.posts} posts, ${size.users} users, ${duration} s per load, ${os.cpus().length} cores\n`);
  for (const r of rows) console.log(`${r.section.padEnd(width)}  ${r.metric.padEnd(mwidth)}  ${r.value.padStart(16)}${r.target ? `   (target ${r.target})` : ''}`);
  await writeFile(path.join(root, 'bench-results.json'), JSON.stringify({ at: new Date().toISOString(), size, duration, rows }, null, 2));
  console.log('\nwritten to bench-results.json');
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
