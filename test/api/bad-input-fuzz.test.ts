// Every route in /api/openapi.json, driven with generated bad input (property-based, seeded and
// bounded): path ids out of range or not numbers, text with NUL bytes and odd Unicode, numbers of
// every size, wrong types, random JSON bodies. Each answer is a 4xx in the error shape or a 2xx,
// never a 5xx.
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';

const SEED = 20261203;
const RUNS_PER_ROUTE = 40;

interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: 'path' | 'query' }>;
  bodyProperties: string[];
}

let t: TestApp;
let admin: TestUser;
let operations: Operation[];

const badText = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '0', '-1', '1.5', '1e400', 'NaN', 'Infinity', '9223372036854775808', '99999999999999999999999', '１２３', '\u202e', '\ud800', '%', '%00', '../..', '<script>', 'true', 'null', 'x'.repeat(5000)),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
);
const badValue = fc.oneof(
  badText,
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(badText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), badText, { maxKeys: 3 }),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
);

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  admin = await signUp(t, { role: 'admin' });
  const expert = await signUp(t, { role: 'expert' });
  const thread = await startThread(expert, 'landelijk');
  await replyTo(expert, thread.id);
  const doc = (await request(t.app.server).get('/api/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []).filter((p): p is { name: string; in: 'path' | 'query' } => p.in === 'path' || p.in === 'query'),
      bodyProperties: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
    })),
  );
});
afterAll(async () => {
  await t.close();
});

/** Every UTF-8 byte percent-encoded (a lone surrogate becomes U+FFFD, as a browser would send it). */
const percentEncode = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** The one-click unsubscribe link from a mail opens in a browser: it answers with a Dutch HTML page, also for a bad token. */
const HTML_PAGES = new Set(['GET /api/unsubscribe']);

/** Routes whose purpose is to end the caller's session or account: fuzzed anonymously only. */
const ENDS_SESSION = new Set(['POST /api/auth/logout', 'DELETE /api/me', 'POST /api/me/password']);

describe('every route answers generated bad input with a 4xx, never a 5xx', () => {
  it('covers the documented API', () => {
    expect(operations.length).toBeGreaterThan(50);
  });

  it('holds for every operation, anonymous and signed in as an admin', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      if (op.path === '/api/ws' || op.path === '/api/openapi.json') continue;
      const pathParams = op.params.filter((p) => p.in === 'path');
      const queryParams = op.params.filter((p) => p.in === 'query');
      const input = fc.record({
        path: fc.tuple(...pathParams.map(() => badText)),
        query: fc.tuple(...queryParams.map(() => fc.option(badValue, { nil: undefined }))),
        body: fc.oneof(
          fc.record(Object.fromEntries(op.bodyProperties.map((k) => [k, badValue])), { requiredKeys: [] }),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        signedIn: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(input, async ({ path, query, body, signedIn }) => {
          let url = op.path;
          pathParams.forEach((p, i) => {
            url = url.replace(`{${p.name}}`, percentEncode(path[i]));
          });
          const search = new URLSearchParams();
          queryParams.forEach((p, i) => {
            const v = query[i];
            if (v !== undefined) search.append(p.name, typeof v === 'string' ? v : JSON.stringify(v));
          });
          const full = search.size ? `${url}?${search}` : url;
          const asAdmin = signedIn && !ENDS_SESSION.has(`${op.method} ${op.path}`);
          let req = request(t.app.server)[op.method.toLowerCase() as 'post'](full).set('Origin', PUBLIC_URL);
          if (asAdmin) req = req.set('Cookie', admin.cookie);
          if (op.method !== 'GET' && op.method !== 'DELETE') req = req.set('Content-Type', 'application/json').send(JSON.stringify(body));
          const res = await req;
          const label = `${op.method} ${full.slice(0, 200)} ${asAdmin ? '(admin)' : '(anonymous)'} body=${JSON.stringify(body).slice(0, 200)}`;
          if (res.status >= 500) failures.push(`${res.status} ${label}`);
          else if (res.status >= 400 && !(HTML_PAGES.has(`${op.method} ${op.path}`) && res.type === 'text/html') && !(res.body?.error && typeof res.body.error.code === 'string' && typeof res.body.error.message === 'string')) {
            failures.push(`${res.status} without the error shape: ${label}`);
          }
          return true;
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE },
      );
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
