// A forum-like load: thread popularity is Zipf-distributed (s = 1.1, the most popular thread gets
// about a tenth of the views), readers are 80 % anonymous (half without any cookie, half with a
// cookie that holds no session, like an analytics or consent cookie) and 20 % signed in, all accepting
// gzip as browsers do, and 2 % of
// the requests are replies, posted while the readers read (each invalidates pages in the cache).
// 64 connections. Each class runs on its own (with the replies) for its share of the ceiling, then
// the whole mix; per-request kinds are tracked so a class's figures exclude the replies.
import { readFileSync } from 'node:fs';
import { benchAccount } from '../account';
import autocannon from 'autocannon';
import { createDb } from '../../../server/db';
import type { BenchContext } from '../index';
import type { Section } from './index';

const CONNECTIONS = 64;
const ZIPF_S = 1.1;
// BENCH_MIX_REPLY_SHARE: another share of replies, for a comparison (0: reads alone).
const REPLY_SHARE = Number(process.env.BENCH_MIX_REPLY_SHARE ?? 0.02);
const SIGNED_IN_SHARE = 0.2;
/** Of the reads in the whole mix: channel first pages (the rest are thread pages). */
const CHANNEL_SHARE = 0.1;
const ACCOUNTS = 32;

type Kind = 'anonymous thread page' | 'signed-in thread page' | 'channel first page' | 'reply';

/** Ranks 1..n with weight 1/k^s, sampled by binary search over the cumulative weights. */
function zipf(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / k ** s;
    cdf[k - 1] = sum;
  }
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** CPU time the machine spent (user, nice, system, irq, softirq; not idle, not steal), in ticks of 10 ms; 0 where /proc is absent. */
function cpuTicks(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return f[0] + f[1] + f[2] + f[5] + f[6];
  } catch {
    return 0;
  }
}

/** A small seeded generator (mulberry32): the same popular threads in every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Stats {
  count: number;
  errors: number;
  times: number[];
}

async function signUpAccounts(ctx: BenchContext): Promise<string[]> {
  const cookies: string[] = [];
  const stamp = Date.now().toString(36);
  // Sign-up mails a verification link (issue 16): benchAccount marks the address verified and logs in.
  for (let i = 0; i < ACCOUNTS; i++) cookies.push(await benchAccount(ctx, `mix-${stamp}-${i}@bench.example`, `Lezer ${stamp} ${i}`));
  return cookies;
}

export const mixSection: Section = {
  name: 'mix',
  async run(ctx) {
    const db = createDb(ctx.databaseUrl, { max: 1 });
    const ids = (await db.selectFrom('thread').select('id').where('locked', '=', false).orderBy('id').execute()).map((r) => r.id);
    const channel = await db.selectFrom('channel').select('slug').orderBy('thread_count', 'desc').limit(1).executeTakeFirstOrThrow();
    await db.destroy();
    const random = seeded(20261203);
    // Which thread is the most popular is random, not the oldest.
    const byRank = [...ids];
    for (let i = byRank.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [byRank[i], byRank[j]] = [byRank[j], byRank[i]];
    }
    const rank = zipf(byRank.length, ZIPF_S, Math.random);
    const popular = () => byRank[rank()];
    const cookies = await signUpAccounts(ctx);
    const someone = () => cookies[Math.floor(Math.random() * cookies.length)];
    let replyNo = 0;

    // On a shared machine the load drifts within minutes: the ceiling is measured right before and
    // right after this section's runs, and the shares are of their mean.
    // A shared virtual machine also loses time to its host (steal): CPU time per request, which steal
    // does not count, is a second, steadier measure of the same ratio.
    const ceilingCpu: number[] = [];
    const measureCeiling = async () => {
      const cpu = cpuTicks();
      const r = await ctx.cannon({ url: `${ctx.baseUrl}/api/_bench/ceiling`, connections: CONNECTIONS, duration: ctx.duration });
      ceilingCpu.push(((cpuTicks() - cpu) * 10) / Math.max(1, r.requests.total));
      return r.requests.average;
    };
    const before = await measureCeiling();
    const results: Array<{ section: string; stats: Stats; seconds: number; target?: string; cache?: string; cpuMs: number }> = [];

    // Readers are browsers (and crawlers): they accept gzip.
    // (BENCH_ACCEPT_GZIP=false: readers that do not, for a comparison.)
    const browser: Record<string, string> = process.env.BENCH_ACCEPT_GZIP === 'false' ? {} : { 'accept-encoding': 'gzip, deflate, br' };
    const anonymousHeaders = () => (Math.random() < 0.5 ? browser : { ...browser, cookie: '_pk_id.1=4d2a9c1e3b; consent=analytics' });
    const read = (kind: Exclude<Kind, 'reply'>) => {
      if (kind === 'channel first page') return { method: 'GET', path: `/api/channels/${channel.slug}/threads`, headers: anonymousHeaders() };
      const headers = kind === 'signed-in thread page' ? { ...browser, cookie: someone() } : anonymousHeaders();
      return { method: 'GET', path: `/api/threads/${popular()}`, headers };
    };
    const reply = () => ({
      method: 'POST',
      path: `/api/threads/${popular()}/replies`,
      headers: { cookie: someone(), origin: ctx.baseUrl, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `<p>Bench-reactie ${++replyNo}: bij ons werkt dat ook zo.</p>` }),
    });

    /** The server's page cache counters (hits, misses, …) from its metrics. */
    const cacheCounts = async () => {
      const text = await ctx.metrics();
      return Object.fromEntries([...text.matchAll(/^plein_page_cache\{what="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    };
    let lastCache = '';
    let lastCpuMs = 0;

    /** 64 connections for `duration` seconds; `pick` chooses each request's kind. Per-kind counts and latencies. */
    async function run(pick: () => Kind): Promise<{ total: Stats; byKind: Map<Kind, Stats>; seconds: number }> {
      const before = await cacheCounts();
      const cpu = cpuTicks();
      const byKind = new Map<Kind, Stats>();
      const total: Stats = { count: 0, errors: 0, times: [] };
      const started = Date.now();
      await new Promise<void>((resolve, reject) => {
        const instance = autocannon(
          {
            url: ctx.baseUrl,
            connections: CONNECTIONS,
            duration: ctx.duration,
            requests: [
              {
                setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
                  const kind = pick();
                  // The context lives until this client's next request: the response handler reads the kind there.
                  context.kind = kind;
                  const r = kind === 'reply' ? reply() : read(kind);
                  return { ...req, ...r, headers: { ...(req.headers as Record<string, string>), ...r.headers } };
                },
              },
            ],
          },
          (err) => (err ? reject(err) : resolve()),
        );
        instance.on('response', (client: unknown, status: number, _bytes: number, time: number) => {
          const kind = (client as { requestIterator: { context: { kind: Kind } } }).requestIterator.context.kind;
          const s = byKind.get(kind) ?? { count: 0, errors: 0, times: [] };
          byKind.set(kind, s);
          for (const x of [s, total]) {
            x.count++;
            x.times.push(time);
            if (status >= 400) x.errors++;
          }
        });
      });
      lastCpuMs = ((cpuTicks() - cpu) * 10) / Math.max(1, total.count);
      const after = await cacheCounts();
      const hits = after.hits - before.hits;
      const misses = after.misses - before.misses;
      lastCache = `${((hits / Math.max(1, hits + misses)) * 100).toFixed(0)} % hits (${misses} misses, ${after.invalidations - before.invalidations} invalidations)`;
      return { total, byKind, seconds: (Date.now() - started) / 1000 };
    }

    const p99 = (s: Stats) => {
      const sorted = [...s.times].sort((a, b) => a - b);
      return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]) : Number.NaN;
    };
    const report = (section: string, stats: Stats, seconds: number, target?: string, cache?: string) => results.push({ section, stats, seconds, target, cache, cpuMs: lastCpuMs });
    const withReplies = (kind: Exclude<Kind, 'reply'>) => (): Kind => (Math.random() < REPLY_SHARE ? 'reply' : kind);

    // BENCH_MIX=anonymous,signed-in,channel,whole (the default: all): a subset, e.g. to profile one class.
    const chosen = process.env.BENCH_MIX?.split(',');
    const wanted = (name: string) => !chosen || chosen.includes(name);
    const classes = (
      [
        ['anonymous thread page', '≥ 50 %', 'anonymous'],
        ['signed-in thread page', '≥ 20 %', 'signed-in'],
        ['channel first page', '≥ uniform thread page', 'channel'],
      ] as Array<[Exclude<Kind, 'reply'>, string, string]>
    ).filter(([, , name]) => wanted(name));
    // A forum's cache is warm: its threads were read before (a cold start is the first seconds after a
    // deploy, not the steady state). Every thread page is read once, as some minutes of traffic would
    // have (at 600 reads/s, pages are at most 5 minutes old, so a steady-state cache still misses
    // about 6 % of the Zipf reads; "page cache during the run" shows what this run missed), then one
    // unmeasured run of the anonymous mix.
    let warmed = 0;
    await ctx.cannon({
      url: ctx.baseUrl,
      connections: CONNECTIONS,
      amount: ids.length,
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/threads/${ids[warmed++ % ids.length]}`, headers: browser }) }],
    });
    await run(withReplies('anonymous thread page'));
    for (const [kind, target] of classes) {
      const { byKind, seconds } = await run(withReplies(kind));
      const stats = byKind.get(kind) ?? { count: 0, errors: 0, times: [] };
      report(`mix: ${kind}${kind === 'channel first page' ? '' : ' (Zipf)'}, +2 % replies`, stats, seconds, target, lastCache);
    }
    const { total, byKind, seconds } = wanted('whole')
      ? await run(() => {
          if (Math.random() < REPLY_SHARE) return 'reply';
          if (Math.random() < CHANNEL_SHARE) return 'channel first page';
          return Math.random() < SIGNED_IN_SHARE ? 'signed-in thread page' : 'anonymous thread page';
        })
      : { total: null, byKind: new Map<Kind, Stats>(), seconds: 0 };
    if (total) report('mix: whole mix (80 % anonymous, 20 % signed in, 2 % replies)', total, seconds, 'p99 < 50', lastCache);
    const parts = [...byKind].map(([k, s]) => `${k} ${s.count} (p99 ${p99(s)})`).join(', ');
    if (total) ctx.log(`whole mix: ${parts}`);
    const after = await measureCeiling();
    const ceiling = (before + after) / 2;
    const ceilingMs = ceilingCpu.length === 2 && ceilingCpu.every((x) => x > 0) ? (ceilingCpu[0] + ceilingCpu[1]) / 2 : 0;
    if (ceilingMs) ctx.record({ section: 'mix: ceiling before / after its runs', metric: 'CPU ms per request (machine, without steal)', value: ceilingCpu.map((x) => x.toFixed(2)).join(' / ') });
    ctx.record({ section: 'mix: ceiling before / after its runs', metric: 'req/s', value: `${before.toFixed(0)} / ${after.toFixed(0)}` });
    for (const r of results) {
      const rate = r.stats.count / r.seconds;
      ctx.record({ section: r.section, metric: 'req/s · p99 (ms) · share of ceiling', value: `${rate.toFixed(0)} · ${p99(r.stats)} · ${((rate / ceiling) * 100).toFixed(0)} %`, target: r.target });
      if (r.stats.errors) ctx.record({ section: r.section, metric: 'errors (4xx/5xx)', value: String(r.stats.errors) });
      if (r.cache) ctx.record({ section: r.section, metric: 'page cache during the run', value: r.cache });
      if (r.cpuMs && ceilingMs) {
        ctx.record({ section: r.section, metric: 'CPU ms per request (all kinds) · ceiling ÷ this', value: `${r.cpuMs.toFixed(2)} · ${((ceilingMs / r.cpuMs) * 100).toFixed(0)} %` });
      }
      if (r.section.startsWith('mix: channel first page') && ctx.shared.uniformThreadPage) {
        ctx.record({ section: r.section, metric: 'times the uniform thread page', value: `${(rate / ctx.shared.uniformThreadPage).toFixed(1)} ×`, target: '≥ 1' });
      }
    }
    const replies = byKind.get('reply');
    if (replies) ctx.record({ section: 'mix: whole mix (80 % anonymous, 20 % signed in, 2 % replies)', metric: 'replies posted · p99 (ms)', value: `${replies.count} · ${p99(replies)}` });
  },
};
