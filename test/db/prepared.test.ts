import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../server/db';
import { executePrepared } from '../../server/db/prepared';
import { type TestApp, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk');
});
afterAll(async () => {
  await t.close();
});

describe('prepared statements (thread page, session lookup)', () => {
  it('keeps answering each thread with its own content after PostgreSQL switches to a cached plan', async () => {
    const author = await signUp(t);
    const a = await startThread(author, 'landelijk', { title: 'Vraag over mantelzorg' });
    const b = await startThread(author, 'landelijk', { title: 'Vraag over schuldhulp' });
    await replyTo(author, a.id, '<p>Antwoord bij mantelzorg</p>');
    // More than five executions per connection: from then on PostgreSQL may use a generic plan.
    for (let i = 0; i < 12; i++) {
      const [ra, rb] = await Promise.all([request(t.app.server).get(`/api/threads/${a.id}`), author.agent.get(`/api/threads/${b.id}`)]);
      expect(ra.body.thread.title).toBe('Vraag over mantelzorg');
      expect(ra.body.replies.items.map((r: { body: string }) => r.body)).toEqual(['<p>Antwoord bij mantelzorg</p>']);
      expect(rb.body.thread.title).toBe('Vraag over schuldhulp');
      expect(rb.body.replies.items).toEqual([]);
    }
    expect((await request(t.app.server).get('/api/threads/999999999')).status).toBe(404);
  });

  it('prepares a statement once per connection and reuses it', async () => {
    const db = createDb(t.config.databaseUrl!, { max: 1 });
    try {
      const query = (id: string) => db.selectFrom('user').select('id').where('id', '=', id);
      for (const id of ['1', '2', '3']) await executePrepared(db, query(id));
      const prepared = await sql<{ n: string }>`select count(*)::text as n from pg_prepared_statements where statement like '%plein:prepared%'`.execute(db);
      expect(prepared.rows[0].n).toBe('1');
    } finally {
      await db.destroy();
    }
  });
});
