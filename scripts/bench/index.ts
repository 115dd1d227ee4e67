// npm run bench [-- --threads 20000 --posts 1000000 --users 5000 --reuse --skip-fanout]
// Builds a large data set in its own database, starts the real server as a separate process and
// measures it. Prints one table and writes bench-results.json. Everything runs on 127.0.0.1.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
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
  record(row: Row): void;
  cannon(opts: autocannon.Options): Promise<autocannon.Result>;
  log(m: string): void;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function startServer(dbUrl: string): Promise<{ proc: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', BENCH_ROUTES: 'true', RATE_LIMITS: 'off', SEED_DEMO: 'false', LOG_LEVEL: 'warn', SKIP_CLIENT_BUILD: 'true', RUN_JOBS: 'false', PUBLIC_URL: `http://127.0.0.1:${port}` },
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

async function fanout(ctx: BenchContext, dbUrl: string, clients: number): Promise<void> {
  const db = createDb(dbUrl, { max: 2 });
  const thread = await db.selectFrom('thread').select('id').where('locked', '=', false).orderBy('id').limit(1).executeTakeFirstOrThrow();
  await db.destroy();
  // A poster with a session.
  const email = `fanout-${Date.now()}@bench.example`;
  const signup = await fetch(`${ctx.baseUrl}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'bench password 123', displayName: 'Bench Poster' }) });
  const cookie = signup.headers.get('set-cookie')!.split(';')[0];
  const child = fork(path.join(root, 'scripts/bench/ws-clients.ts'), [`${ctx.baseUrl.replace('http', 'ws')}/api/ws`, `thread:${thread.id}`, String(clients)], { execArgv: ['--import', 'tsx'] });
  const messages: any[] = [];
  const waiters: ((m: any) => void)[] = [];
  child.on('message', (m) => {
    messages.push(m);
    for (const w of waiters.splice(0)) w(m);
  });
  const waitFor = (pred: (m: any) => boolean, timeoutMs: number) =>
    new Promise<any>((resolve, reject) => {
      const found = messages.find(pred);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error('fan-out timed out')), timeoutMs);
      const check = (m: any) => {
        if (pred(m)) {
          clearTimeout(timer);
          resolve(m);
        } else waiters.push(check);
      };
      waiters.push(check);
    });
  const ready = await waitFor((m) => m.type === 'ready', 120_000);
  const rss = await rssMb(ctx.serverPid);
  const latencies: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.timeOrigin + performance.now();
    const res = await fetch(`${ctx.baseUrl}/api/threads/${thread.id}/replies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: ctx.baseUrl },
      body: JSON.stringify({ body: `<p>Fan-out ${clients} #${i}</p>` }),
    });
    const { post } = (await res.json()) as { post: { id: string } };
    const delivered = await waitFor((m) => m.type === 'delivered' && m.postId === post.id, 30_000);
    latencies.push(delivered.lastAt - t0);
  }
  child.send({ type: 'stop' });
  const stopped = await waitFor((m) => m.type === 'stopped', 30_000).catch(() => ({ errors: -1 }));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  ctx.record({ section: `fan-out ${clients} clients`, metric: 'connected / errors', value: `${ready.open} / ${ready.errors + Math.max(0, stopped.errors - ready.errors)}`, target: clients === 5000 ? 'no errors' : undefined });
  ctx.record({ section: `fan-out ${clients} clients`, metric: 'reply → last client p50 / p99 (ms)', value: `${pct(50)} / ${pct(99)}`, target: clients === 1000 ? 'p99 < 100' : undefined });
  ctx.record({ section: `fan-out ${clients} clients`, metric: 'server RSS with clients (MB)', value: rss.toFixed(0) });
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
  const dbName = `plein_bench_${size.threads}_${size.posts}`;
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

  const { proc, baseUrl } = await startServer(dbUrl);
  const ctx: BenchContext = { baseUrl, databaseUrl: dbUrl, serverPid: proc.pid!, duration, record: (r) => rows.push(r), cannon, log };
  try {
    const db = createDb(dbUrl, { max: 2 });
    const ids = (await db.selectFrom('thread').select('id').orderBy('id').execute()).map((r) => r.id);
    await db.destroy();
    const pick = () => ids[Math.floor(Math.random() * ids.length)];
    const only = args.only?.split(',');
    const want = (name: string) => !only || only.includes(name);

    let ceiling = 0;
    if (want('api')) {
      const c = await cannon({ url: `${baseUrl}/api/_bench/ceiling`, connections: 64, duration });
      ceiling = c.requests.average;
      rows.push({ section: 'ceiling (one PK select)', metric: 'req/s · p99 (ms)', value: `${c.requests.average.toFixed(0)} · ${c.latency.p99}` });

      const t = await cannon({
        url: baseUrl,
        connections: 64,
        duration,
        requests: [{ setupRequest: (req: any) => ({ ...req, path: `/api/threads/${pick()}` }) }],
      });
      rows.push({ section: 'GET /api/threads/:id (+50 replies)', metric: 'req/s · p99 (ms)', value: `${t.requests.average.toFixed(0)} · ${t.latency.p99}`, target: 'p99 < 50' });
      rows.push({ section: 'GET /api/threads/:id (+50 replies)', metric: 'ratio to ceiling', value: `${((t.requests.average / ceiling) * 100).toFixed(0)} %`, target: '≥ 40 %' });
      if (t.non2xx) rows.push({ section: 'GET /api/threads/:id (+50 replies)', metric: 'non-2xx', value: String(t.non2xx) });

      const first = await cannon({ url: `${baseUrl}/api/channels/wmo/threads`, connections: 64, duration });
      rows.push({ section: 'GET /api/channels/:slug/threads', metric: 'first page req/s · p99 (ms)', value: `${first.requests.average.toFixed(0)} · ${first.latency.p99}` });
      let cursor: string | null = null;
      for (let page = 0; page < 40; page++) {
        const res = (await (await fetch(`${baseUrl}/api/channels/wmo/threads?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { nextCursor: string | null };
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      const deep = await cannon({ url: `${baseUrl}/api/channels/wmo/threads?limit=50${cursor ? `&cursor=${cursor}` : ''}`, connections: 64, duration });
      rows.push({ section: 'GET /api/channels/:slug/threads', metric: 'page 40 req/s · p99 (ms)', value: `${deep.requests.average.toFixed(0)} · ${deep.latency.p99}` });
    }

    for (const section of sections) if (want(section.name)) await section.run(ctx);

    if (!args['skip-fanout'] && want('fanout')) {
      await fanout(ctx, dbUrl, 1000);
      await fanout(ctx, dbUrl, 5000);
    }
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await stopPg();
    if (dir) await rm(dir, { recursive: true, force: true });
  }

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
