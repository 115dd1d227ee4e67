// npm run soak [-- --seconds 120]
// Two server instances on one (embedded) database, under readers, writers (with Idempotency-Key) and
// websocket watchers. Midway one instance is killed with SIGKILL and started again, and PostgreSQL is
// restarted. At the end: every acknowledged write is stored exactly once; every watcher has every
// reply event of its thread, in order, exactly once; no 5xx came back except from the killed instance
// while it was down and while PostgreSQL was down. Prints a table; exits 1 when a check fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { createDb } from '../server/db';
import { databaseUrl, freePort, startEmbeddedPostgres } from '../server/db/embedded';
import { migrateToLatest } from '../server/db/migrate';
import { DEMO_PASSWORD, seedDemo } from '../server/seed/demo';

const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
const SECONDS = Number(values.seconds ?? process.env.SOAK_SECONDS ?? 120);
const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.log(`soak: ${m}`);

interface Instance {
  name: string;
  port: number;
  proc: ChildProcess | null;
  /** Periods in which it was down on purpose (killed until healthy again). */
  down: Array<[number, number]>;
}

async function startInstance(i: Instance, dbUrl: string): Promise<void> {
  i.proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(i.port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${i.port}`, RATE_LIMITS: 'off', SEED_DEMO: 'false', SKIP_CLIENT_BUILD: 'true', RUN_JOBS: 'false', LOG_LEVEL: 'error', WS_MAX_PER_ADDRESS: '10000', APP_SECRET: 'soak-secret-0123456789abcdef0123456789' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitReady(i, 'did not become ready');
}

/** Polls /api/ready (up to 60 s): the instance serves, with its database pool and LISTEN connection up. */
async function waitReady(i: Instance, failure: string): Promise<void> {
  for (let n = 0; n < 600; n++) {
    if (await fetch(`http://127.0.0.1:${i.port}/api/ready`).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`instance ${i.name} ${failure}`);
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plein-soak-'));
  await chmod(dir, 0o755);
  const pgPort = await freePort();
  let pg = await startEmbeddedPostgres(path.join(dir, 'pgdata'), { port: pgPort });
  const dbUrl = databaseUrl(pg.url, 'postgres');
  const db = createDb(dbUrl, { max: 2 });
  await migrateToLatest(db);
  await seedDemo(db);
  const thread = await db.selectFrom('thread').select('id').where('locked', '=', false).orderBy('id').executeTakeFirstOrThrow();
  const instances: Instance[] = [
    { name: 'A', port: await freePort(), proc: null, down: [] },
    { name: 'B', port: await freePort(), proc: null, down: [] },
  ];
  for (const i of instances) await startInstance(i, dbUrl);
  const pick = () => instances[Math.floor(Math.random() * instances.length)];
  const pgDown: Array<[number, number]> = [];

  // Every response, to find 5xx outside the allowed windows.
  const responses: Array<{ instance: string; status: number; at: number }> = [];
  async function call(i: Instance, url: string, init: RequestInit = {}): Promise<Response | null> {
    const at = Date.now();
    try {
      const res = await fetch(`http://127.0.0.1:${i.port}${url}`, { ...init, signal: AbortSignal.timeout(10_000) });
      responses.push({ instance: i.name, status: res.status, at });
      return res;
    } catch {
      responses.push({ instance: i.name, status: 0, at });
      return null;
    }
  }

  const base0 = `http://127.0.0.1:${instances[0].port}`;
  const cookies: string[] = [];
  for (const email of ['anne@plein.example', 'sander@plein.example', 'fatima@plein.example']) {
    const res = await fetch(`${base0}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base0 }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
    cookies.push(res.headers.get('set-cookie')!.split(';')[0]);
  }
  const start = (await (await fetch(`${base0}/api/threads/${thread.id}`)).json()) as { lastEventId: string };

  // Watchers: from the page's watermark; on a drop they reconnect (to either instance) with lastEventId.
  interface Watcher {
    events: Array<{ id: bigint; postId: string }>;
    reconnects: number;
    last: string;
    socket?: WebSocket;
  }
  const watchers: Watcher[] = [];
  let stopping = false;
  function watch(w: Watcher) {
    const i = pick();
    const ws = new WebSocket(`ws://127.0.0.1:${i.port}/api/ws`, { headers: { origin: `http://127.0.0.1:${i.port}` } });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topics: [`thread:${thread.id}`], lastEventId: w.last })));
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; id?: string; event?: string; data?: { post?: { id: string } } };
      if (f.type !== 'event') return;
      w.last = f.id!;
      if (f.event === 'reply.created') w.events.push({ id: BigInt(f.id!), postId: f.data!.post!.id });
    });
    const again = () => {
      if (stopping) return;
      w.reconnects++;
      setTimeout(() => watch(w), 200 + Math.random() * 300);
    };
    ws.on('close', again);
    ws.on('error', () => ws.terminate());
    w.socket = ws;
  }
  for (let n = 0; n < 4; n++) {
    const w: Watcher = { events: [], reconnects: 0, last: start.lastEventId };
    watchers.push(w);
    watch(w);
  }

  // Writers: each write has its own Idempotency-Key and is retried with it until acknowledged.
  const acked = new Map<string, string>(); // key → post id
  const deadline = Date.now() + SECONDS * 1000;
  async function writer(n: number) {
    let seq = 0;
    while (Date.now() < deadline) {
      const key = `soak-${n}-${++seq}-${randomUUID()}`;
      for (let attempt = 0; attempt < 60 && !acked.has(key); attempt++) {
        const i = pick();
        const res = await call(i, `/api/threads/${thread.id}/replies`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: cookies[n % cookies.length], origin: `http://127.0.0.1:${i.port}`, 'idempotency-key': key },
          body: JSON.stringify({ body: `<p>Soak ${key}</p>` }),
        });
        if (res?.status === 201) acked.set(key, ((await res.json()) as { post: { id: string } }).post.id);
        else await sleep(250);
      }
      await sleep(50);
    }
  }
  async function reader() {
    while (Date.now() < deadline) {
      await call(pick(), `/api/threads/${thread.id}?limit=20`);
      await sleep(20);
    }
  }

  const faults = (async () => {
    await sleep(SECONDS * 400);
    const victim = instances[0];
    log(`SIGKILL instance ${victim.name}`);
    const t0 = Date.now();
    victim.proc!.kill('SIGKILL');
    await sleep(1000);
    await startInstance(victim, dbUrl);
    victim.down.push([t0, Date.now()]);
    log(`instance ${victim.name} back after ${Date.now() - t0} ms`);
    await sleep(SECONDS * 200);
    log('restarting PostgreSQL');
    const p0 = Date.now();
    await pg.stop();
    pg = await startEmbeddedPostgres(path.join(dir, 'pgdata'), { port: pgPort });
    // Both instances ready again (pool and LISTEN reconnected).
    for (const i of instances) await waitReady(i, 'was not ready again 60 s after PostgreSQL restarted');
    pgDown.push([p0, Date.now()]);
    log(`PostgreSQL back after ${Date.now() - p0} ms`);
  })();

  await Promise.all([...[0, 1, 2, 3].map(writer), reader(), reader(), faults]);
  // Let the watchers catch up with the last writes.
  const stored = await db.selectFrom('post').select(['id', 'body_text']).where('thread_id', '=', thread.id).where('body_text', 'like', 'Soak %').execute();
  const storedIds = new Set(stored.map((p) => p.id));
  for (let n = 0; n < 100 && watchers.some((w) => new Set(w.events.map((e) => e.postId)).size < storedIds.size); n++) await sleep(100);
  stopping = true;
  for (const w of watchers) w.socket?.close();

  // Checks.
  const byKey = new Map<string, number>();
  for (const p of stored) {
    const key = /Soak (\S+)/.exec(p.body_text)?.[1] ?? '';
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  const ackedOnce = [...acked.keys()].every((k) => byKey.get(k) === 1);
  const noDuplicates = [...byKey.values()].every((n) => n === 1);
  const watcherResults = watchers.map((w) => {
    const ids = w.events.map((e) => e.id);
    const inOrder = ids.every((id, k) => k === 0 || id > ids[k - 1]);
    const posts = w.events.map((e) => e.postId);
    const once = new Set(posts).size === posts.length;
    const all = [...storedIds].every((id) => posts.includes(id));
    return { inOrder, once, all, reconnects: w.reconnects, count: posts.length };
  });
  const within = (at: number, windows: Array<[number, number]>) => windows.some(([a, b]) => at >= a - 500 && at <= b + 500);
  const bad5xx = responses.filter((r) => (r.status >= 500 || r.status === 0) && !(within(r.at, instances.find((i) => i.name === r.instance)!.down) || within(r.at, pgDown)));
  const allowed5xx = responses.filter((r) => r.status >= 500 || r.status === 0).length - bad5xx.length;

  const rows: Array<[string, string, boolean]> = [
    ['writes acknowledged', String(acked.size), acked.size > 0],
    ['acknowledged writes stored exactly once', ackedOnce ? 'yes' : 'no', ackedOnce],
    ['no write stored twice (Idempotency-Key)', noDuplicates ? 'yes' : 'no', noDuplicates],
    ...watcherResults.map((w, k): [string, string, boolean] => [`watcher ${k + 1}: every reply event, in order, once`, `${w.count} events, ${w.reconnects} reconnects, in order ${w.inOrder ? 'yes' : 'no'}, once ${w.once ? 'yes' : 'no'}, all ${w.all ? 'yes' : 'no'}`, w.inOrder && w.once && w.all]),
    ['requests', String(responses.length), true],
    ['5xx or no answer while an instance or PostgreSQL was down', String(allowed5xx), true],
    ['5xx or no answer otherwise', String(bad5xx.length), bad5xx.length === 0],
  ];
  console.log(`\nPlein soak — ${SECONDS} s, two instances, SIGKILL of one and a PostgreSQL restart\n`);
  for (const [what, value, ok] of rows) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what.padEnd(58)} ${value}`);
  for (const i of instances) i.proc?.kill('SIGTERM');
  await sleep(1500);
  await db.destroy();
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(rows.every(([, , ok]) => ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(`soak: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
