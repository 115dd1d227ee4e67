import { type Db, createDb } from '../../../server/db';
import { loadThreadPage } from '../../../server/threads/queries';
import type { Section } from './index';

/** The ceiling (one indexed PK select), the thread page on random threads, and channel lists (first and deep page). */
export const apiSection: Section = {
  name: 'api',
  async run(ctx) {
    // Also the connections of the "without HTTP" run below.
    const db = createDb(ctx.databaseUrl, { max: DATA_ONLY_CONNECTIONS });
    const ids = (await db.selectFrom('thread').select('id').orderBy('id').execute()).map((r) => r.id);
    const channel = await db.selectFrom('channel').select('slug').orderBy('thread_count', 'desc').limit(1).executeTakeFirstOrThrow();
    const pick = () => ids[Math.floor(Math.random() * ids.length)];

    const c = await ctx.cannon({ url: `${ctx.baseUrl}/api/_bench/ceiling`, connections: 64, duration: ctx.duration });
    const ceiling = c.requests.average;
    ctx.shared.ceiling = ceiling;
    ctx.record({ section: 'ceiling (one PK select)', metric: 'req/s · p99 (ms)', value: `${ceiling.toFixed(0)} · ${c.latency.p99}` });

    const t = await ctx.cannon({
      url: ctx.baseUrl,
      connections: 64,
      duration: ctx.duration,
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/threads/${pick()}` }) }],
    });
    const thread = 'GET /api/threads/:id (+50 replies), uniform random';
    ctx.shared.uniformThreadPage = t.requests.average;
    ctx.record({ section: thread, metric: 'req/s · p99 (ms)', value: `${t.requests.average.toFixed(0)} · ${t.latency.p99}`, target: 'p99 < 50' });
    ctx.record({ section: thread, metric: 'ratio to ceiling', value: `${((t.requests.average / ceiling) * 100).toFixed(0)} %`, target: '≥ 40 %' });
    if (t.non2xx || t.errors) ctx.record({ section: thread, metric: 'non-2xx / errors', value: `${t.non2xx} / ${t.errors}` });
    // The same page without HTTP: what the database (and the driver) can do for it on this machine,
    // with the server idle. The HTTP figure cannot rise above this one, whatever the server does.
    const dataOnly = await pagesPerSecond(db, ctx.duration, pick);
    await db.destroy();
    ctx.record({ section: thread, metric: 'data only, no HTTP (pages/s)', value: `${dataOnly.toFixed(0)} = ${((dataOnly / ceiling) * 100).toFixed(0)} % of ceiling` });

    const list = `/api/channels/${channel.slug}/threads`;
    const first = await ctx.cannon({ url: `${ctx.baseUrl}${list}`, connections: 64, duration: ctx.duration });
    ctx.record({ section: 'GET /api/channels/:slug/threads', metric: 'first page req/s · p99 (ms)', value: `${first.requests.average.toFixed(0)} · ${first.latency.p99}` });
    let cursor: string | null = null;
    let page = 1;
    for (; page < 40; page++) {
      const res = (await (await fetch(`${ctx.baseUrl}${list}?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { nextCursor: string | null };
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    const deep = await ctx.cannon({ url: `${ctx.baseUrl}${list}?limit=50${cursor ? `&cursor=${cursor}` : ''}`, connections: 64, duration: ctx.duration });
    ctx.record({ section: 'GET /api/channels/:slug/threads', metric: `page ${page + 1} (×50) req/s · p99 (ms)`, value: `${deep.requests.average.toFixed(0)} · ${deep.latency.p99}` });
  },
};

const DATA_ONLY_CONNECTIONS = 16;

/** Thread pages read with loadThreadPage on every connection of `db` for `duration` seconds, in the bench process. */
async function pagesPerSecond(db: Db, duration: number, pick: () => string): Promise<number> {
  const until = Date.now() + duration * 1000;
  let pages = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: DATA_ONLY_CONNECTIONS }, async () => {
      while (Date.now() < until) {
        await loadThreadPage(db, pick(), null, 50);
        pages++;
      }
    }),
  );
  return pages / ((Date.now() - started) / 1000);
}
