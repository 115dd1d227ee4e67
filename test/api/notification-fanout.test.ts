// Notifying very many people at once (a thread or channel with 10,000 watchers): one batch, nothing
// refused by PostgreSQL's limit of 65,535 parameters per statement.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeNotifications } from '../../server/notifications/notify';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

let t: TestApp;
let author: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk');
  author = await signUp(t, { displayName: 'Auteur' });
});
afterAll(async () => {
  await t.close();
});

describe('notifying 10,000 watchers', () => {
  it('stores one notice each and merges a second into the open group, with the unread count in each push', async () => {
    const thread = await startThread(author, 'landelijk', { title: 'Een onderwerp met heel veel volgers' });
    const { rows } = await sql<{ id: string }>`
      insert into "user" (email, display_name, password_hash, avatar_key, suspended_until, suspension_reason, email_verified_at)
      select 'volger' || g || '@plein.example', 'Volger ' || g, null, null, null, null, now() from generate_series(1, 10000) g
      returning id::text`.execute(t.db);
    const watchers = rows.map((r) => r.id);
    const notice = (n: number) =>
      watchers.map((userId) => ({ userId, kind: 'reply', threadId: thread.id, actorId: author.id, data: { threadTitle: 'Een onderwerp met heel veel volgers', n }, groupKey: `reply:${thread.id}` }));

    const first = await t.db.transaction().execute((trx) => storeNotifications(trx, notice(1)));
    expect(first).toHaveLength(10000);
    const second = await t.db.transaction().execute((trx) => storeNotifications(trx, notice(2)));
    expect(second).toHaveLength(10000);
    expect(second.every((e) => (e.payload as { unreadCount: number }).unreadCount === 1)).toBe(true);

    const stored = await t.db
      .selectFrom('notification')
      .select([(eb) => eb.fn.countAll<string>().as('rows'), (eb) => eb.fn.min('count').as('min'), (eb) => eb.fn.max('count').as('max')])
      .where('thread_id', '=', thread.id)
      .where('kind', '=', 'reply')
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ rows: '10000', min: 2, max: 2 });
  }, 120_000);
});
