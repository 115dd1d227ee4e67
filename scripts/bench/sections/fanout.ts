import { benchAccount } from '../account';
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '../../../server/db';
import type { BenchContext } from '../index';
import type { Section } from './index';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPLIES = Number(process.env.BENCH_FANOUT_REPLIES ?? 50);

async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  return Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/**
 * N websocket clients (in a separate process, scripts/bench/ws-clients.ts) subscribe to one thread;
 * a reply is posted through the API and we time until the last client has its event, over 50 replies.
 */
/** What the client process (ws-clients.ts) reports. */
type ClientMessage = { type: 'ready'; open: number; errors: number } | { type: 'delivered'; postId: string; lastAt: number } | { type: 'stopped'; errors: number; closed: number };

async function fanout(ctx: BenchContext, clients: number): Promise<void> {
  const db = createDb(ctx.databaseUrl, { max: 1 });
  const thread = await db.selectFrom('thread').select('id').where('locked', '=', false).orderBy('id').limit(1).executeTakeFirstOrThrow();
  await db.destroy();
  const cookie = await benchAccount(ctx, `fanout-${clients}-${Date.now()}@bench.example`, `Bench Poster ${Date.now().toString(36)}`);
  const child = fork(path.join(here, '../ws-clients.ts'), [`${ctx.baseUrl.replace('http', 'ws')}/api/ws`, `thread:${thread.id}`, String(clients)], {
    execArgv: ['--import', 'tsx'],
  });
  const messages: ClientMessage[] = [];
  const waiters = new Set<() => void>();
  child.on('message', (m) => {
    messages.push(m as ClientMessage);
    for (const w of [...waiters]) w();
  });
  const waitFor = <T extends ClientMessage['type']>(type: T, pred: (m: Extract<ClientMessage, { type: T }>) => boolean, timeoutMs: number) =>
    new Promise<Extract<ClientMessage, { type: T }>>((resolve, reject) => {
      const check = () => {
        const found = messages.find((m): m is Extract<ClientMessage, { type: T }> => m.type === type && pred(m as Extract<ClientMessage, { type: T }>));
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`fan-out ${clients}: timed out`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const section = `fan-out ${clients} clients`;
  try {
    const ready = await waitFor('ready', () => true, 180_000);
    const rss = await rssMb(ctx.serverPid);
    const latencies: number[] = [];
    /** The reply's own answer (its transaction), part of each latency. */
    const answered: number[] = [];
    let lost = 0;
    for (let i = 0; i < REPLIES; i++) {
      const t0 = performance.timeOrigin + performance.now();
      const res = await fetch(`${ctx.baseUrl}/api/threads/${thread.id}/replies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin: ctx.baseUrl },
        body: JSON.stringify({ body: `<p>Fan-out ${clients} #${i}</p>` }),
      });
      if (res.status !== 201) throw new Error(`reply failed: ${res.status} ${await res.text()}`);
      const { post } = (await res.json()) as { post: { id: string } };
      answered.push(performance.timeOrigin + performance.now() - t0);
      const delivered = await waitFor('delivered', (m) => m.postId === post.id, 30_000).catch(() => null);
      if (!delivered) {
        lost++;
        continue;
      }
      latencies.push(delivered.lastAt - t0);
    }
    child.send({ type: 'stop' });
    const stopped = await waitFor('stopped', () => true, 30_000).catch(() => ({ errors: -1, closed: -1 }));
    latencies.sort((a, b) => a - b);
    answered.sort((a, b) => a - b);
    const pctOf = (list: number[], p: number) => (list.length ? list[Math.min(list.length - 1, Math.ceil((p / 100) * list.length) - 1)].toFixed(1) : 'n/a');
    const pct = (p: number) => pctOf(latencies, p);
    ctx.record({
      section,
      metric: 'connected / errors / dropped',
      value: `${ready.open} / ${stopped.errors} / ${stopped.closed}`,
      target: clients >= 5000 ? 'no errors' : undefined,
    });
    ctx.record({ section, metric: `reply → last client p50 / p99 (ms, ${latencies.length} replies)`, value: `${pct(50)} / ${pct(99)}`, target: clients <= 1000 ? 'p99 < 100' : undefined });
    ctx.record({ section, metric: "of which the reply's own answer p50 / p99 (ms)", value: `${pctOf(answered, 50)} / ${pctOf(answered, 99)}` });
    if (lost) ctx.record({ section, metric: 'replies not received by every client', value: String(lost) });
    ctx.record({ section, metric: 'server RSS with clients (MB)', value: rss.toFixed(0) });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

export const fanoutSection: Section = {
  name: 'fanout',
  async run(ctx) {
    const counts = (process.env.BENCH_FANOUT_CLIENTS ?? '1000,5000').split(',').map(Number);
    for (const n of counts) await fanout(ctx, n);
  },
};
