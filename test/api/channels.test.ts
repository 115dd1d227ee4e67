import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let admin: TestUser;
let member: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signUp(t, { role: 'admin' });
  member = await signUp(t);
});
afterAll(async () => {
  await t.close();
});

describe('channels', () => {
  it('lets an admin create a channel and everyone list and read it', async () => {
    const res = await admin.agent.post('/api/channels').send({ slug: 'landelijk', name: 'Landelijk', description: 'Experts vragen', postingPolicy: 'experts_ask' });
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({ slug: 'landelijk', postingPolicy: 'experts_ask', threadCount: 0, lastActivityAt: null });
    const list = await request(t.app.server).get('/api/channels');
    expect(list.body.items.map((c: { slug: string }) => c.slug)).toContain('landelijk');
    expect((await request(t.app.server).get('/api/channels/landelijk')).body.channel.name).toBe('Landelijk');
  });

  it('refuses channel creation by members (403), visitors (401), duplicates (409) and bad slugs (400)', async () => {
    expect((await member.agent.post('/api/channels').send({ slug: 'jeugd', name: 'Jeugd', postingPolicy: 'open' })).status).toBe(403);
    expect((await request(t.app.server).post('/api/channels').send({ slug: 'jeugd', name: 'Jeugd', postingPolicy: 'open' })).status).toBe(401);
    await admin.agent.post('/api/channels').send({ slug: 'jeugd', name: 'Jeugd', postingPolicy: 'open' }).expect(201);
    const dup = await admin.agent.post('/api/channels').send({ slug: 'jeugd', name: 'Jeugd 2', postingPolicy: 'open' });
    expect(dup.status).toBe(409);
    const bad = await admin.agent.post('/api/channels').send({ slug: 'Met Spaties!', name: 'X', postingPolicy: 'open' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.slug).toBeTruthy();
    const policy = await admin.agent.post('/api/channels').send({ slug: 'x-y', name: 'X', postingPolicy: 'iedereen' });
    expect(policy.status).toBe(400);
  });

  it('answers an unknown channel with 404', async () => {
    expect((await request(t.app.server).get('/api/channels/bestaat-niet')).status).toBe(404);
    expect((await request(t.app.server).get('/api/channels/bestaat-niet/threads')).status).toBe(404);
  });
});

describe('thread list', () => {
  it('lists pinned first, then by last activity, and pages through everything exactly once', async () => {
    await createChannel(t, 'wmo');
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push((await startThread(member, 'wmo', { title: `Vraag ${i}` })).id);
    // Activity moves thread 2 to the top of the unpinned ones; thread 5 is pinned.
    await replyTo(member, ids[2]);
    await t.db.updateTable('thread').set({ pinned: true }).where('id', '=', ids[5]).execute();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 4, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((x: { id: string }) => x.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    expect(seen[0]).toBe(ids[5]);
    expect(seen[1]).toBe(ids[2]);
    expect(seen.slice(2)).toEqual([8, 7, 6, 4, 3, 1, 0].map((i) => ids[i]));

    const first = await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 1 });
    expect(first.body.items[0]).toMatchObject({ pinned: true, title: 'Vraag 5', replyCount: 0 });
    expect(first.body.items[0].excerpt).toContain('ervaringen');
    const channel = await request(t.app.server).get('/api/channels/wmo');
    expect(channel.body.channel.threadCount).toBe(9);
  });

  it('rejects a garbage or tampered cursor and out-of-range limits with 400', async () => {
    for (const cursor of ['%%%', 'bm9wZQ', Buffer.from(JSON.stringify({ p: 'ja', us: 'x', id: '1' })).toString('base64url')]) {
      const res = await request(t.app.server).get('/api/channels/wmo/threads').query({ cursor });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 0 })).status).toBe(400);
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 500 })).status).toBe(400);
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 'veel' })).status).toBe(400);
  });
});
