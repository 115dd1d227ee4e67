// Moderation: what is pushed live (and what never is), counts that stay right, the reports queue's
// pages, and actions that fail or race leaving nothing behind.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { recordIfModerating } from '../../server/moderation/audit';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect } from '../support/ws';

let t: TestApp;
let expert: TestUser;
let member: TestUser;
let other: TestUser;
let mod: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  await createChannel(t, 'wmo');
  await createChannel(t, 'jeugd');
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t);
  other = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
  admin = await signUp(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

const lastEventId = async () => (await t.db.selectFrom('event_counter').select('last_id').where('id', '=', 1).executeTakeFirstOrThrow()).last_id;
const eventsSince = (id: string | number | bigint) => t.db.selectFrom('event').selectAll().where('id', '>', String(id)).orderBy('id').execute();
const auditOf = (targetType: 'thread' | 'post' | 'user', targetId: string) =>
  t.db.selectFrom('moderation_action').selectAll().where('target_type', '=', targetType).where('target_id', '=', targetId).orderBy('id').execute();
const countAudit = async () => Number((await t.db.selectFrom('moderation_action').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const until = (days = 7) => new Date(Date.now() + days * 86400_000).toISOString();

describe('thread actions are pushed live', () => {
  it('pin, unpin, lock and unlock push thread.updated on the thread and its channel; repeating one changes and logs nothing', async () => {
    const thread = await startThread(expert, 'landelijk');
    for (const [action, field, value] of [['pin', 'pinned', true], ['lock', 'locked', true], ['unpin', 'pinned', false], ['unlock', 'locked', false]] as const) {
      const from = await lastEventId();
      const res = await mod.agent.post(`/api/threads/${thread.id}/${action}`).send({ reason: 'Test' });
      expect(res.status).toBe(200);
      expect(res.body.thread[field]).toBe(value);
      const events = await eventsSince(from);
      expect(events.map((e) => [e.topic, e.type])).toEqual([
        [`thread:${thread.id}`, 'thread.updated'],
        ['channel:landelijk', 'thread.updated'],
      ]);
      expect(events[0].payload).toEqual({ thread: { id: thread.id, [field]: value } });
      expect(events.every((e) => e.audience === 'public')).toBe(true);
    }
    const from = await lastEventId();
    await mod.agent.post(`/api/threads/${thread.id}/unpin`).send({}).expect(200);
    expect(await eventsSince(from)).toHaveLength(0);
    expect((await auditOf('thread', thread.id)).map((r) => r.action)).toEqual(['pin', 'lock', 'unpin', 'unlock']);
  });

  it('a live subscriber of the channel sees the pin', async () => {
    const thread = await startThread(expert, 'landelijk');
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: ['channel:landelijk'] });
    await socket.next((f) => f.type === 'subscribed');
    await mod.agent.post(`/api/threads/${thread.id}/pin`).send({}).expect(200);
    const frame = await socket.next((f) => f.type === 'event' && f.event === 'thread.updated' && f.data.thread.id === thread.id);
    expect(frame.data.thread.pinned).toBe(true);
    socket.close();
  });

  it('move keeps both channels\' thread counts and last activity right and tells the thread and both channels', async () => {
    const old = await startThread(expert, 'landelijk', { title: 'Blijft staan' });
    const moving = await startThread(expert, 'landelijk', { title: 'Gaat verhuizen' });
    await replyTo(member, moving.id); // the moving thread is the most recently active of landelijk
    const channel = (slug: string) => t.db.selectFrom('channel').select(['thread_count', 'last_activity_at']).where('slug', '=', slug).executeTakeFirstOrThrow();
    const threadActivity = (id: string) => t.db.selectFrom('thread').select('last_activity_at').where('id', '=', id).executeTakeFirstOrThrow();
    const [landelijk, jeugd] = [await channel('landelijk'), await channel('jeugd')];
    const from = await lastEventId();
    const res = await mod.agent.post(`/api/threads/${moving.id}/move`).send({ channelSlug: 'jeugd', reason: 'Hoort bij jeugd' });
    expect(res.status).toBe(200);
    expect(res.body.thread).toMatchObject({ channelSlug: 'jeugd', channelName: 'Jeugd' });
    const [landelijkAfter, jeugdAfter] = [await channel('landelijk'), await channel('jeugd')];
    expect(landelijkAfter.thread_count).toBe(landelijk.thread_count - 1);
    expect(jeugdAfter.thread_count).toBe(jeugd.thread_count + 1);
    const newest = await t.db.selectFrom('thread').select((eb) => eb.fn.max('last_activity_at').as('m')).where('channel_id', '=', (await t.db.selectFrom('channel').select('id').where('slug', '=', 'landelijk').executeTakeFirstOrThrow()).id).executeTakeFirstOrThrow();
    expect(landelijkAfter.last_activity_at).toEqual(newest.m);
    expect(landelijkAfter.last_activity_at!.getTime()).toBeGreaterThanOrEqual((await threadActivity(old.id)).last_activity_at.getTime());
    expect(jeugdAfter.last_activity_at).toEqual((await threadActivity(moving.id)).last_activity_at);

    const events = await eventsSince(from);
    const updated = events.filter((e) => e.type === 'thread.updated').map((e) => e.topic);
    expect(updated).toEqual([`thread:${moving.id}`, 'channel:landelijk', 'channel:jeugd']);
    // Readers of the thread get the new channel's name for the breadcrumb.
    expect(events.find((e) => e.topic === `thread:${moving.id}`)?.payload).toMatchObject({ thread: { channelSlug: 'jeugd', channelName: 'Jeugd', moved: true } });
    expect(events.find((e) => e.topic === 'channel:jeugd' && e.type === 'thread.created')?.payload).toMatchObject({ thread: { id: moving.id, channelSlug: 'jeugd', title: 'Gaat verhuizen' } });
    expect(events.find((e) => e.topic === 'channel:landelijk')?.payload).toMatchObject({ thread: { id: moving.id, channelSlug: 'jeugd', moved: true } });
    // The channel's list follows.
    const list = await request(t.app.server).get('/api/channels/jeugd/threads');
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(moving.id);
    expect((await request(t.app.server).get('/api/channels/landelijk/threads')).body.items.map((i: { id: string }) => i.id)).not.toContain(moving.id);
    // Moving to where it is changes nothing.
    const again = await lastEventId();
    await mod.agent.post(`/api/threads/${moving.id}/move`).send({ channelSlug: 'jeugd' }).expect(200);
    expect(await eventsSince(again)).toHaveLength(0);
    expect((await auditOf('thread', moving.id)).filter((r) => r.action === 'move')).toHaveLength(1);
  });
});

describe('hiding is pushed without its content', () => {
  it('readers get {postId, threadId, hidden} and nothing else; moderators and the author get the post as they may see it', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Mevrouw Jansen woont op de Dorpsstraat 12</p>');
    const anon = await connect(t.app);
    const asOther = await connect(t.app, { cookie: other.cookie });
    const asMod = await connect(t.app, { cookie: mod.cookie });
    const asAuthor = await connect(t.app, { cookie: member.cookie });
    for (const s of [anon, asOther, asMod, asAuthor]) {
      s.send({ type: 'subscribe', topics: [`thread:${thread.id}`] });
      await s.next((f) => f.type === 'subscribed');
    }
    const from = await lastEventId();
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Persoonsgegevens' }).expect(200);

    // Stored events: the public ones carry no content and no reason.
    const events = await eventsSince(from);
    const pub = events.filter((e) => e.audience === 'public');
    expect(pub.map((e) => e.type)).toEqual(['post.hidden']);
    expect(pub[0].payload).toMatchObject({ postId: post.id, threadId: thread.id, hidden: true });
    expect(JSON.stringify(pub)).not.toMatch(/Dorpsstraat 12|Persoonsgegevens/);
    expect(events.find((e) => e.audience === 'moderators' && e.topic === 'mod')?.payload).toMatchObject({ postId: post.id, reason: 'Persoonsgegevens' });

    // Over the socket.
    for (const s of [anon, asOther]) {
      const f = await s.next((x) => x.type === 'event' && x.event === 'post.hidden');
      expect(f.data).toMatchObject({ postId: post.id, threadId: thread.id, hidden: true });
      expect(JSON.stringify(f)).not.toMatch(/Dorpsstraat 12|Persoonsgegevens/);
    }
    const modFrame = await asMod.next((x) => x.type === 'event' && x.event === 'post.updated');
    expect(modFrame.data.post).toMatchObject({ id: post.id, hidden: true, hiddenReason: 'Persoonsgegevens', body: '<p>Mevrouw Jansen woont op de Dorpsstraat 12</p>' });
    const authorFrame = await asAuthor.next((x) => x.type === 'event' && x.event === 'post.updated');
    expect(authorFrame.data.post).toMatchObject({ id: post.id, hiddenReason: 'Persoonsgegevens' });
    // Give any stray frame a moment to arrive, then check the readers never got the content.
    await new Promise((r) => setTimeout(r, 300));
    for (const s of [anon, asOther]) {
      expect(s.frames.filter((f) => f.type === 'event').map((f) => f.event)).toEqual(['post.hidden']);
      expect(JSON.stringify(s.frames)).not.toMatch(/Dorpsstraat 12|Persoonsgegevens/);
    }
    for (const s of [anon, asOther, asMod, asAuthor]) s.close();
  });

  it('unhide pushes the post as members see it again, attachments included', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Terug zichtbaar</p>');
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Even weg' }).expect(200);
    const from = await lastEventId();
    await mod.agent.post(`/api/posts/${post.id}/unhide`).send({}).expect(200);
    const events = await eventsSince(from);
    expect(events.map((e) => [e.topic, e.type, e.audience])).toEqual([[`thread:${thread.id}`, 'post.updated', 'public']]);
    expect(events[0].payload).toMatchObject({ post: { id: post.id, hidden: false, body: '<p>Terug zichtbaar</p>', attachments: [] } });
  });

  it('hide and unhide answer with the post as it was pushed: whole with its reason to moderators, then as members see it', async () => {
    const thread = await startThread(expert, 'landelijk');
    const handout = await member.agent.post('/api/attachments').attach('file', Buffer.from('gemeente;aantal\nUtrecht;12\n'), 'overzicht.csv').expect(201);
    const post = await replyTo(member, thread.id, '<p>Met een overzicht</p>', { attachmentIds: [handout.body.attachment.id] });
    const whole = { id: post.id, threadId: thread.id, body: '<p>Met een overzicht</p>', attachments: [expect.objectContaining({ id: handout.body.attachment.id })] };

    let from = await lastEventId();
    const hidden = await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Controle' }).expect(200);
    expect(hidden.body.post).toMatchObject({ ...whole, hidden: true, hiddenReason: 'Controle' });
    const pushed = (await eventsSince(from)).filter((e) => e.type === 'post.updated');
    expect(pushed.map((e) => e.audience)).toEqual(['moderators', `user:${member.id}`]);
    for (const e of pushed) expect((e.payload as { post: unknown }).post).toEqual(hidden.body.post);

    from = await lastEventId();
    const shown = await mod.agent.post(`/api/posts/${post.id}/unhide`).send({}).expect(200);
    expect(shown.body.post).toMatchObject({ ...whole, hidden: false });
    expect(shown.body.post).not.toHaveProperty('hiddenReason');
    const [event] = await eventsSince(from);
    expect((event.payload as { post: unknown }).post).toEqual(shown.body.post);
    // The page a signed-in reader gets adds their own part (myAppreciation) to the post as pushed.
    expect((await other.agent.get(`/api/threads/${thread.id}`)).body.replies.items.find((p: { id: string }) => p.id === post.id)).toEqual({ ...shown.body.post, myAppreciation: false });
  });

  it('hiding twice is 409 and logs, pushes and notifies once; unhiding a visible post is 409', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Eén' }).expect(200);
    const from = await lastEventId();
    const twice = await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Twee' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_hidden');
    expect(await eventsSince(from)).toHaveLength(0);
    expect((await auditOf('post', post.id)).map((r) => r.reason)).toEqual(['Eén']);
    const notes = await t.db.selectFrom('notification').select('id').where('post_id', '=', post.id).where('kind', '=', 'post_hidden').execute();
    expect(notes).toHaveLength(1);
    await mod.agent.post(`/api/posts/${post.id}/unhide`).send({}).expect(200);
    const visible = await mod.agent.post(`/api/posts/${post.id}/unhide`).send({});
    expect(visible.status).toBe(409);
    expect(visible.body.error.code).toBe('not_hidden');
  });

  it('hiding an unknown post is 404 and writes nothing', async () => {
    const before = await countAudit();
    expect((await mod.agent.post('/api/posts/999999999/hide').send({ reason: 'x' })).status).toBe(404);
    expect(await countAudit()).toBe(before);
  });

  it('keeps thread.replyCount equal to the replies the thread lists (hidden replies stay listed as hidden), also after deleting a hidden reply', async () => {
    const thread = await startThread(expert, 'landelijk');
    const a = await replyTo(member, thread.id);
    await replyTo(other, thread.id);
    const check = async () => {
      const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
      expect(res.body.thread.replyCount).toBe(res.body.replies.items.length);
      return res.body.thread.replyCount as number;
    };
    expect(await check()).toBe(2);
    await mod.agent.post(`/api/posts/${a.id}/hide`).send({ reason: 'Spam' }).expect(200);
    expect(await check()).toBe(2);
    await mod.agent.post(`/api/posts/${a.id}/unhide`).send({}).expect(200);
    expect(await check()).toBe(2);
    await mod.agent.post(`/api/posts/${a.id}/hide`).send({ reason: 'Spam' }).expect(200);
    await mod.agent.delete(`/api/posts/${a.id}`).expect(204);
    expect(await check()).toBe(1);
  });
});

describe('reports queue', () => {
  it('pages groups per post, longest waiting first, without overlap; a bad cursor is 400', async () => {
    const t2 = await createTestApp();
    try {
      await createChannel(t2, 'wmo');
      const author = await signUp(t2);
      const r1 = await signUp(t2);
      const r2 = await signUp(t2);
      const m = await signUp(t2, { role: 'moderator' });
      const th = await startThread(author, 'wmo');
      const posts = [];
      for (let i = 0; i < 3; i++) posts.push(await replyTo(author, th.id, `<p>Bericht ${i}</p>`));
      for (const p of posts) await r1.agent.post('/api/reports').send({ postId: p.id, reason: `Spam ${p.id}` }).expect(201);
      await r2.agent.post('/api/reports').send({ postId: posts[0].id, reason: 'Ook spam' }).expect(201);
      const first = await m.agent.get('/api/mod/reports').query({ status: 'open', limit: 2 });
      expect(first.status).toBe(200);
      expect(first.body.items.map((g: { post: { id: string } }) => g.post.id)).toEqual([posts[0].id, posts[1].id]);
      expect(first.body.items[0]).toMatchObject({ count: 2, post: { excerpt: 'Bericht 0', hidden: false, author: { id: author.id } } });
      expect(first.body.items[0].reports.map((r: { reporter: { id: string } }) => r.reporter.id)).toEqual([r1.id, r2.id]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await m.agent.get('/api/mod/reports').query({ status: 'open', limit: 2, cursor: first.body.nextCursor });
      expect(second.body.items.map((g: { post: { id: string } }) => g.post.id)).toEqual([posts[2].id]);
      expect(second.body.nextCursor).toBeNull();
      expect((await m.agent.get('/api/mod/reports').query({ cursor: 'bm9wZQ' })).status).toBe(400);
    } finally {
      await t2.close();
    }
  });

  it('filters the queue to one thread', async () => {
    const a = await startThread(expert, 'landelijk');
    const b = await startThread(expert, 'landelijk');
    const pa = await replyTo(member, a.id);
    const pb = await replyTo(member, b.id);
    await other.agent.post('/api/reports').send({ postId: pa.id, reason: 'A' }).expect(201);
    await other.agent.post('/api/reports').send({ postId: pb.id, reason: 'B' }).expect(201);
    const res = await mod.agent.get('/api/mod/reports').query({ status: 'open', threadId: a.id });
    expect(res.body.items.map((g: { post: { id: string } }) => g.post.id)).toEqual([pa.id]);
    expect((await mod.agent.get('/api/mod/reports').query({ threadId: 'x' })).status).toBe(400);
    expect((await member.agent.get('/api/mod/reports').query({ threadId: a.id })).status).toBe(403);
  });

  it('refuses reporting a post a moderator already hid (409)', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Weg' }).expect(200);
    const res = await other.agent.post('/api/reports').send({ postId: post.id, reason: 'Spam' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_hidden');
  });

  it('a resolve that fails leaves the reports open, the post visible and no audit row', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(admin, thread.id, '<p>Bericht van de beheerder</p>');
    const r = await member.agent.post('/api/reports').send({ postId: post.id, reason: 'Onaardig' });
    const before = await countAudit();
    const res = await mod.agent.post(`/api/mod/reports/${r.body.report.id}/resolve`).send({ resolution: 'suspend', reason: 'x', until: until() });
    expect(res.status).toBe(403);
    expect(await countAudit()).toBe(before);
    const report = await t.db.selectFrom('report').select('status').where('id', '=', r.body.report.id).executeTakeFirstOrThrow();
    expect(report.status).toBe('open');
    const admRow = await t.db.selectFrom('user').select('suspended_until').where('id', '=', admin.id).executeTakeFirstOrThrow();
    expect(admRow.suspended_until).toBeNull();
  });

  it('two moderators resolving the same post at once: one wins, the other gets 409, one audit row', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    const r = await other.agent.post('/api/reports').send({ postId: post.id, reason: 'Spam' });
    const mod2 = await signUp(t, { role: 'moderator' });
    const results = await Promise.all([
      mod.agent.post(`/api/mod/reports/${r.body.report.id}/resolve`).send({ resolution: 'hide', reason: 'Spam' }),
      mod2.agent.post(`/api/mod/reports/${r.body.report.id}/resolve`).send({ resolution: 'dismiss' }),
    ]);
    expect(results.map((x) => x.status).sort()).toEqual([200, 409]);
    expect((await auditOf('post', post.id)).filter((a) => a.action.startsWith('resolve_reports_'))).toHaveLength(1);
  });

  it('resolving by hiding a post that is hidden already resolves the reports and logs no second hide', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    const r = await other.agent.post('/api/reports').send({ postId: post.id, reason: 'Spam' });
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Spam' }).expect(200);
    const res = await mod.agent.post(`/api/mod/reports/${r.body.report.id}/resolve`).send({ resolution: 'hide', reason: 'Spam' });
    expect(res.status).toBe(200);
    expect((await auditOf('post', post.id)).map((a) => a.action)).toEqual(['hide', 'resolve_reports_hide']);
  });
});

describe('audit log', () => {
  it('records a role change with its reason in the same transaction', async () => {
    const u = await signUp(t);
    await admin.agent.put(`/api/admin/users/${u.id}/role`).send({ role: 'moderator', reason: 'Nieuwe moderator voor Wmo' }).expect(200);
    const rows = await auditOf('user', u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'set_role', actor_id: admin.id, target_type: 'user', reason: 'Nieuwe moderator voor Wmo', data: { from: 'member', to: 'moderator' } });
    const before = await countAudit();
    expect((await admin.agent.put('/api/admin/users/999999999/role').send({ role: 'expert' })).status).toBe(404);
    expect(await countAudit()).toBe(before);
  });

  it('pages with a keyset cursor and filters by action', async () => {
    const thread = await startThread(expert, 'landelijk');
    for (const a of ['pin', 'lock', 'unpin', 'unlock']) await mod.agent.post(`/api/threads/${thread.id}/${a}`).send({}).expect(200);
    const p1 = await mod.agent.get('/api/mod/audit-log').query({ targetType: 'thread', targetId: thread.id, limit: 3 });
    expect(p1.body.items.map((i: { action: string }) => i.action)).toEqual(['unlock', 'unpin', 'lock']);
    const p2 = await mod.agent.get('/api/mod/audit-log').query({ targetType: 'thread', targetId: thread.id, limit: 3, cursor: p1.body.nextCursor });
    expect(p2.body.items.map((i: { action: string }) => i.action)).toEqual(['pin']);
    expect(p2.body.nextCursor).toBeNull();
    const locks = await mod.agent.get('/api/mod/audit-log').query({ action: 'lock', targetId: thread.id });
    expect(locks.body.items).toHaveLength(1);
    for (const cursor of ['nope', Buffer.from(JSON.stringify({ id: '1', extra: 1 })).toString('base64url')]) {
      const bad = await mod.agent.get('/api/mod/audit-log').query({ cursor });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_cursor']);
    }
  });

  it('a moderator cannot change the audit log through any route', async () => {
    const entry = (await t.db.selectFrom('moderation_action').select('id').limit(1).executeTakeFirstOrThrow()).id;
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      for (const url of ['/api/mod/audit-log', `/api/mod/audit-log/${entry}`]) {
        const res = await mod.agent[method](url).send({ reason: 'gewist' });
        expect([404, 405], `${method} ${url}`).toContain(res.status);
      }
    }
    // And no route of the API is under the audit log's path except reading it.
    const routes = t.app.printRoutes({ commonPrefix: false }).split('\n').filter((l) => l.includes('audit-log'));
    expect(routes).toEqual([expect.stringMatching(/audit-log \(GET, HEAD\)$/)]);
    expect((await t.db.selectFrom('moderation_action').select('reason').where('id', '=', entry).executeTakeFirstOrThrow()).reason).not.toBe('gewist');
  });
});

describe('suspension', () => {
  it('a suspended member is refused every write route with 403 suspended, reads and sees why', async () => {
    const thread = await startThread(expert, 'landelijk');
    const s = await signUp(t);
    const post = await replyTo(s, thread.id);
    const res = await mod.agent.post(`/api/mod/users/${s.id}/suspend`).send({ until: until(3), reason: 'Spam' });
    expect(res.status).toBe(200);
    expect((await s.agent.get('/api/me')).body.user.suspension).toMatchObject({ reason: 'Spam' });
    const writes = await Promise.all([
      s.agent.post('/api/channels/wmo/threads').send({ title: 'x', body: '<p>x</p>', kind: 'question' }),
      s.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>x</p>' }),
      s.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>y</p>' }),
      s.agent.delete(`/api/posts/${post.id}`),
      s.agent.post('/api/reports').send({ postId: thread.postId, reason: 'x' }),
      s.agent.post('/api/attachments').attach('file', Buffer.from('hallo'), 'a.txt'),
      s.agent.put('/api/me/avatar').attach('file', Buffer.from('x'), 'a.png'),
      s.agent.post(`/api/threads/${thread.id}/video-session`).send({}),
      s.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'watching' }),
      s.agent.patch('/api/me').send({ bio: 'x' }),
    ]);
    expect(writes.map((w) => [w.status, w.body.error?.code])).toEqual(writes.map(() => [403, 'suspended']));
    expect((await s.agent.get(`/api/threads/${thread.id}`)).status).toBe(200);
    expect((await s.agent.get('/api/search').query({ q: 'keukentafel' })).status).toBe(200);
    const audit = await auditOf('user', s.id);
    expect(audit.map((a) => a.action)).toEqual(['suspend']);
    expect(audit[0].data).toMatchObject({ until: expect.any(String) });
  });

  it('a suspended moderator cannot moderate', async () => {
    const m2 = await signUp(t, { role: 'moderator' });
    await admin.agent.post(`/api/mod/users/${m2.id}/suspend`).send({ until: until(), reason: 'Even niet' }).expect(200);
    const thread = await startThread(expert, 'landelijk');
    const res = await m2.agent.post(`/api/threads/${thread.id}/pin`).send({});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('suspended');
  });
});

describe('unsuspend and the audit helper for other domains', () => {
  it('lifting a suspension that is not there is 409 and logs nothing', async () => {
    const u = await signUp(t);
    const res = await mod.agent.post(`/api/mod/users/${u.id}/unsuspend`).send({});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_suspended');
    await mod.agent.post(`/api/mod/users/${u.id}/suspend`).send({ until: until(1), reason: 'Even' }).expect(200);
    await mod.agent.post(`/api/mod/users/${u.id}/unsuspend`).send({ reason: 'Afgesproken' }).expect(200);
    expect((await auditOf('user', u.id)).map((a) => [a.action, a.reason])).toEqual([['suspend', 'Even'], ['unsuspend', 'Afgesproken']]);
    expect((await u.agent.get('/api/me')).body.user.suspension).toBeNull();
  });

  it('recordIfModerating logs a moderator acting on someone else\'s content only', async () => {
    const results = await t.db.transaction().execute(async (trx) => [
      await recordIfModerating(trx, { id: mod.id, role: 'moderator', suspendedUntil: null }, member.id, { action: 'delete_post', targetType: 'post', targetId: '424242' }),
      await recordIfModerating(trx, { id: mod.id, role: 'moderator', suspendedUntil: null }, mod.id, { action: 'delete_post', targetType: 'post', targetId: '424242' }),
      await recordIfModerating(trx, { id: member.id, role: 'member', suspendedUntil: null }, other.id, { action: 'delete_post', targetType: 'post', targetId: '424242' }),
    ]);
    expect(results).toEqual([true, false, false]);
    expect((await auditOf('post', '424242')).map((a) => a.actor_id)).toEqual([mod.id]);
  });
});
