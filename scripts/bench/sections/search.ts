import type { Section } from './index';

const ONE_WORD = ['wijkteam', 'schuldhulpverlening', 'mantelzorg', 'ambtenaren', 'samenwerkingsverbanden', 'vroegsignalering', 'huisarts', 'eenzaamheid'];
// Pairs that occur together in the generated posts (pairs that never do would answer from an empty
// bitmap and flatter the figures).
const TWO_WORDS = ['wijkteam huisarts', 'mantelzorg ouderen', 'schuldhulpverlening vroegsignalering', 'wachtlijst dagbesteding', 'privacy gegevensdeling', 'dagbesteding ouderen'];

/** Search at 16 connections: one- and two-word Dutch queries, and the "similar questions" query. */
export const searchSection: Section = {
  name: 'search',
  async run(ctx) {
    const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)];
    for (const [label, list] of [['one word', ONE_WORD], ['two words', TWO_WORDS]] as const) {
      const r = await ctx.cannon({
        url: ctx.baseUrl,
        connections: 16,
        duration: ctx.duration,
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/search?q=${encodeURIComponent(pick(list as unknown as string[]))}` }) }],
      });
      ctx.record({ section: `GET /api/search (${label})`, metric: 'req/s · p95 · p99 (ms)', value: `${r.requests.average.toFixed(0)} · ${r.latency.p95} · ${r.latency.p99}`, target: 'p95 < 100, p99 < 200' });
    }
    const s = await ctx.cannon({
      url: ctx.baseUrl,
      connections: 16,
      duration: ctx.duration,
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/search/similar?title=${encodeURIComponent(`Hoe werkt ${pick(ONE_WORD)} bij jullie?`)}` }) }],
    });
    ctx.record({ section: 'GET /api/search/similar', metric: 'req/s · p95 · p99 (ms)', value: `${s.requests.average.toFixed(0)} · ${s.latency.p95} · ${s.latency.p99}`, target: 'p95 < 50' });
  },
};
