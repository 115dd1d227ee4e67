import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { seedDemo } from '../../server/seed/demo';
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

  it('stores channel names and descriptions as plain text', async () => {
    const res = await admin.agent.post('/api/channels').send({ slug: 'participatie', name: '<b>Participatie</b><script>x()</script>', description: '<img src=x onerror=alert(1)>Werk en <i>inkomen</i>', postingPolicy: 'open' });
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({ name: 'Participatie', description: 'Werk en inkomen' });
    const empty = await admin.agent.post('/api/channels').send({ slug: 'leeg', name: '<b> </b>', postingPolicy: 'open' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields.name).toBeTruthy();
  });

  it('keeps threadCount and lastActivityAt with thread creation and replies', async () => {
    await admin.agent.post('/api/channels').send({ slug: 'schulden', name: 'Schulden', postingPolicy: 'open' }).expect(201);
    const thread = await startThread(member, 'schulden');
    const afterThread = (await request(t.app.server).get('/api/channels/schulden')).body.channel;
    const created = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread;
    expect(afterThread).toMatchObject({ threadCount: 1, lastActivityAt: created.lastActivityAt });
    await replyTo(member, thread.id);
    const replied = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body;
    const afterReply = (await request(t.app.server).get('/api/channels/schulden')).body.channel;
    expect(afterReply.threadCount).toBe(1);
    expect(afterReply.lastActivityAt).toBe(replied.replies.items[0].createdAt);
    expect(replied.thread.lastActivityAt).toBe(afterReply.lastActivityAt);
    expect(new Date(afterReply.lastActivityAt).getTime()).toBeGreaterThanOrEqual(new Date(afterThread.lastActivityAt).getTime());
  });

  it('lists each channel with its most recently active thread (pinned or not), and none for an empty channel', async () => {
    await admin.agent.post('/api/channels').send({ slug: 'mantelzorg', name: 'Mantelzorg', postingPolicy: 'open' }).expect(201);
    await admin.agent.post('/api/channels').send({ slug: 'leeg', name: 'Leeg kanaal', postingPolicy: 'open' }).expect(201);
    const latestOf = async (slug: string) => (await request(t.app.server).get('/api/channels')).body.items.find((c: { slug: string }) => c.slug === slug).latestThread;
    expect(await latestOf('leeg')).toBeNull();
    const pinned = await startThread(member, 'mantelzorg', { title: 'Spelregels van dit kanaal' });
    await t.db.updateTable('thread').set({ pinned: true }).where('id', '=', pinned.id).execute();
    const busy = await startThread(member, 'mantelzorg', { title: 'Respijtzorg in de regio' });
    expect(await latestOf('mantelzorg')).toMatchObject({ id: busy.id, title: 'Respijtzorg in de regio' });
    await replyTo(member, pinned.id);
    const latest = await latestOf('mantelzorg');
    expect(latest).toMatchObject({ id: pinned.id, title: 'Spelregels van dit kanaal' });
    expect(latest.lastActivityAt).toBe((await request(t.app.server).get(`/api/threads/${pinned.id}`)).body.thread.lastActivityAt);
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

  it('walks threads with identical activity times without gaps or duplicates, 50 per page by default', async () => {
    const channel = await createChannel(t, 'gelijk');
    const at = new Date('2026-01-05T10:00:00.123456Z');
    const rows = await t.db
      .insertInto('thread')
      .values(Array.from({ length: 123 }, (_, i) => ({ channel_id: channel.id, author_id: member.id, title: `Gelijk ${i}`, kind: 'discussion' as const, first_post_id: null, last_activity_at: i % 3 ? at : new Date(at.getTime() + i), created_at: at })))
      .returning('id')
      .execute();
    const first = await request(t.app.server).get('/api/channels/gelijk/threads');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.items).toHaveLength(50);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.app.server).get('/api/channels/gelijk/threads').query({ limit: 7, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((x: { id: string }) => x.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(123 / 7));
    expect(seen).toHaveLength(123);
    expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.id)));
    const all = await request(t.app.server).get('/api/channels/gelijk/threads').query({ limit: 200 });
    expect(all.body.items.map((x: { id: string }) => x.id)).toEqual(seen);
    expect(all.body.nextCursor).toBeNull();
  });

  it('answers an empty channel with no items and a lastEventId, and an unknown slug with 404 (whatever the cursor)', async () => {
    await createChannel(t, 'zonder-vragen');
    const empty = await request(t.app.server).get('/api/channels/zonder-vragen/threads');
    expect(empty.status).toBe(200);
    expect(empty.body.items).toEqual([]);
    expect(empty.body.nextCursor).toBeNull();
    expect(empty.body.lastEventId).toMatch(/^[0-9]+$/);
    for (const query of [{}, { cursor: 'e30' }, { limit: 3 }]) {
      const res = await request(t.app.server).get('/api/channels/bestaat-niet/threads').query(query);
      expect(res.status, JSON.stringify(query)).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('gives a lastEventId that covers the threads listed (their thread.created events are not newer)', async () => {
    await createChannel(t, 'watermerk');
    const thread = await startThread(member, 'watermerk');
    const res = await request(t.app.server).get('/api/channels/watermerk/threads');
    expect(res.body.items.map((x: { id: string }) => x.id)).toEqual([thread.id]);
    const created = await t.db.selectFrom('event').select('id').where('topic', '=', 'channel:watermerk').where('type', '=', 'thread.created').executeTakeFirstOrThrow();
    expect(BigInt(res.body.lastEventId)).toBeGreaterThanOrEqual(BigInt(created.id));
  });

  it('rejects a garbage or tampered cursor and out-of-range limits with 400', async () => {
    const page = await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 2 });
    const valid = JSON.parse(Buffer.from(page.body.nextCursor, 'base64url').toString());
    const tampered = [
      { ...valid, id: `${valid.id}; drop table thread` },
      { ...valid, us: '1e9' },
      { ...valid, extra: 1 },
      { p: valid.p, id: valid.id },
      [valid.p, valid.us, valid.id],
    ].map((v) => Buffer.from(JSON.stringify(v)).toString('base64url'));
    for (const cursor of ['%%%', 'bm9wZQ', 'e30', `${page.body.nextCursor}=`, Buffer.from('not json').toString('base64url'), Buffer.from(JSON.stringify({ p: 'ja', us: 'x', id: '1' })).toString('base64url'), ...tampered]) {
      const res = await request(t.app.server).get('/api/channels/wmo/threads').query({ cursor });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 0 })).status).toBe(400);
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 500 })).status).toBe(400);
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 'veel' })).status).toBe(400);
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 201 })).status).toBe(400);
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 200 })).status).toBe(200);
    expect((await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 1 })).body.items).toHaveLength(1);
  });
});

describe('demo channels', () => {
  let fresh: TestApp;
  beforeAll(async () => {
    fresh = await createTestApp();
  });
  afterAll(async () => {
    await fresh.close();
  });

  it('seeds once even when two instances start at the same moment, with consistent counts', async () => {
    const results = await Promise.all([seedDemo(fresh.db), seedDemo(fresh.db)]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const logins = results.find((r) => r !== null)!;
    expect(logins.every((l) => l.password.length >= 10)).toBe(true);

    const channels = (await request(fresh.app.server).get('/api/channels')).body.items as { slug: string; postingPolicy: string; threadCount: number; lastActivityAt: string | null }[];
    expect(channels.map((c) => c.slug)).toEqual(['landelijk', 'jeugd', 'wmo', 'participatie', 'armoede-en-schulden']);
    expect(channels.map((c) => c.postingPolicy)).toEqual(['experts_ask', 'open', 'open', 'open', 'open']);
    for (const c of channels) {
      const list = (await request(fresh.app.server).get(`/api/channels/${c.slug}/threads`)).body;
      expect(list.items).toHaveLength(c.threadCount);
      expect(c.lastActivityAt).toBe(list.items.reduce((max: string, x: { lastActivityAt: string }) => (x.lastActivityAt > max ? x.lastActivityAt : max), ''));
      for (const summary of list.items) {
        const page = (await request(fresh.app.server).get(`/api/threads/${summary.id}`)).body;
        expect(page.replies.items).toHaveLength(page.thread.replyCount);
      }
    }

    const [question] = (await request(fresh.app.server).get('/api/channels/landelijk/threads')).body.items;
    expect(question).toMatchObject({ channelSlug: 'landelijk', channelName: 'Landelijk' });
    const page = (await request(fresh.app.server).get(`/api/threads/${question.id}`)).body;
    expect(page.thread.kind).toBe('question');
    expect(page.thread.author).toMatchObject({ role: 'expert', jobTitle: 'Directeur Expertise Platform' });
    expect(page.thread.body).toContain('<strong>Toelichting:</strong>');
    expect(page.thread.body).toMatch(/Laat weten als je het interessant vindt als wij hierover een aanvullende videosessie organiseren\.<\/p>$/);
    expect(page.replies.items.length).toBeGreaterThanOrEqual(5);
    for (const reply of page.replies.items) expect(reply.author.organisation).not.toBe('');
    const quoting = page.replies.items.filter((p: { quotePostId: string | null }) => p.quotePostId);
    expect(quoting.length).toBeGreaterThanOrEqual(1);
    for (const q of quoting) expect(page.replies.items.map((p: { id: string }) => p.id)).toContain(q.quotePostId);
  });
});
