import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

// SEARCH_CONCURRENCY: searches beyond it wait in the server, in order, not in PostgreSQL.
let t: TestApp;
let member: TestUser;

beforeAll(async () => {
  t = await createTestApp({ searchConcurrency: 1 });
  await createChannel(t, 'wmo');
  member = await signUp(t);
  await startThread(member, 'wmo', { title: 'Inloopspreekuur in de wijk', body: '<p>Wie heeft ervaring met een inloopspreekuur?</p>' });
});
afterAll(async () => {
  await t.close();
});

/** Statements of this test's database that wait for a lock: here only searches run (their text is cut at 1 kB). */
async function waitingSearches(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `select count(*) as n from pg_stat_activity
     where datname = current_database() and wait_event_type = 'Lock' and query like '/* plein:prepared */ select%'`,
  );
  return Number(rows[0].n);
}

describe('searches at once', () => {
  it('runs no more than SEARCH_CONCURRENCY in PostgreSQL; the others wait their turn and are answered', async () => {
    // A transaction that locks the thread table stops every search inside PostgreSQL.
    const locker = new pg.Client({ connectionString: t.config.databaseUrl });
    const watcher = new pg.Client({ connectionString: t.config.databaseUrl });
    await locker.connect();
    await watcher.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table thread in access exclusive mode');
      const searches = [1, 2, 3].map(() =>
        request(t.app.server)
          .get('/api/search')
          .query({ q: 'inloopspreekuur' })
          .then((res) => res),
      );
      const deadline = Date.now() + 10_000;
      while ((await waitingSearches(watcher)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Time for the other two to reach PostgreSQL, if nothing held them back.
      await new Promise((r) => setTimeout(r, 500));
      expect(await waitingSearches(watcher)).toBe(1);

      await locker.query('commit');
      const answers = await Promise.all(searches);
      for (const res of answers) {
        expect(res.status).toBe(200);
        expect(res.body.items.map((i: { thread: { title: string } }) => i.thread.title)).toEqual(['Inloopspreekuur in de wijk']);
      }
    } finally {
      await locker.end();
      await watcher.end();
    }
  });
});
