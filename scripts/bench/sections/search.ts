import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { extractText } from '../../../server/search/handouts/extract';
import type { Section } from './index';

const ONE_WORD = ['wijkteam', 'schuldhulpverlening', 'mantelzorg', 'ambtenaren', 'samenwerkingsverbanden', 'vroegsignalering', 'huisarts', 'eenzaamheid'];
// Pairs that occur together in the generated posts (pairs that never do would answer from an empty
// bitmap and flatter the figures).
const TWO_WORDS = ['wijkteam huisarts', 'mantelzorg ouderen', 'schuldhulpverlening vroegsignalering', 'wachtlijst dagbesteding', 'privacy gegevensdeling', 'dagbesteding ouderen'];
// Spread over a thread: a title's own number ("Vraag 1234 over …") that no post holds, with a word
// from its posts; only the thread as a whole holds both.
const POST_WORDS = ['wijkteam', 'mantelzorg', 'huisarts', 'ouderen', 'privacy', 'dagbesteding'];
const TITLE_WORDS = ['wijkteam', 'mantelzorg', 'huisarts', 'ouderen', 'privacy', 'dagbesteding', 'armoede', 'inkoop', 'subsidie', 'leerplicht'];

/** A PDF of `pages` pages of running Dutch text, made with pdf-lib. */
async function fiftyPagePdf(file: string, pages: number): Promise<void> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    for (let n = 0; n < 45; n++) page.drawText(`Pagina ${i}, regel ${n}: de gemeente ondersteunt inwoners bij schuldhulpverlening en participatie.`, { x: 40, y: 800 - n * 17, size: 10, font });
  }
  await writeFile(file, await doc.save());
}

/** Search at 16 connections: one word, two words, words spread over a thread, similar questions; handout extraction. */
export const searchSection: Section = {
  name: 'search',
  async run(ctx) {
    const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)];
    const threads = ctx.size.threads;
    const spread = () => `${1 + Math.floor(Math.random() * threads)} ${pick(POST_WORDS)}`;
    const loads: [string, () => string, string][] = [
      ['one word', () => pick(ONE_WORD), 'p95 < 100'],
      ['two words in one post', () => pick(TWO_WORDS), 'p95 < 100'],
      ['words spread over title and posts', spread, 'p95 < 150'],
    ];
    // Unmeasured: a running server has planned its statements on every connection (five custom
    // plans per statement and connection before PostgreSQL keeps the generic one) and compiled its
    // hot code; a freshly started one spends its first seconds on that.
    await ctx.cannon({
      url: ctx.baseUrl,
      connections: 16,
      duration: 3,
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/search?q=${encodeURIComponent(loads[Math.floor(Math.random() * loads.length)][1]())}` }) }],
    });
    for (const [label, next, target] of loads) {
      const r = await ctx.cannon({
        url: ctx.baseUrl,
        connections: 16,
        duration: ctx.duration,
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/search?q=${encodeURIComponent(next())}` }) }],
      });
      ctx.record({ section: `GET /api/search (${label})`, metric: 'req/s · p95 · p99 (ms)', value: `${r.requests.average.toFixed(0)} · ${r.latency.p95} · ${r.latency.p99}`, target });
      if (r.non2xx || r.errors) ctx.record({ section: `GET /api/search (${label})`, metric: 'errors · non-2xx', value: `${r.errors} · ${r.non2xx}` });
    }
    const s = await ctx.cannon({
      url: ctx.baseUrl,
      connections: 16,
      duration: ctx.duration,
      // Two title words of the generated data ("Vraag 12 over wijkteam en huisarts"), so titles are read and ranked.
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/search/similar?title=${encodeURIComponent(`Hoe werkt ${pick(TITLE_WORDS)} samen met ${pick(TITLE_WORDS)}?`)}` }) }],
    });
    ctx.record({ section: 'GET /api/search/similar', metric: 'req/s · p95 · p99 (ms)', value: `${s.requests.average.toFixed(0)} · ${s.latency.p95} · ${s.latency.p99}`, target: 'p95 < 50' });

    // Handout text: the worker the job uses, with the server's default bounds.
    const file = path.join(os.tmpdir(), `plein-bench-50-pages-${process.pid}.pdf`);
    await fiftyPagePdf(file, 50);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const result = await extractText(file, 'application/pdf', { timeoutMs: 30_000, memoryMb: 256, maxPages: 300, maxChars: 300_000 });
      if (!result.ok) throw new Error(`extraction failed: ${result.error}`);
      times.push(Date.now() - started);
    }
    ctx.record({ section: 'handout text, 50-page PDF', metric: 'ms (3 runs)', value: times.join(' · '), target: '< 5000' });
  },
};
