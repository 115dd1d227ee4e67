import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
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
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t);
  other = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
  admin = await signUp(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

const audit = (targetType: 'thread' | 'post', targetId: string) =>
  t.db.selectFrom('moderation_action').selectAll().where('target_type', '=', targetType).where('target_id', '=', targetId).orderBy('id').execute();

describe('thread actions', () => {
  it('pins a thread to the top of its channel and logs it', async () => {
    const a = await startThread(expert, 'landelijk', { title: 'Oud' });
    await startThread(expert, 'landelijk', { title: 'Nieuw' });
    const res = await mod.agent.post(`/api/threads/${a.id}/pin`).send({});
    expect(res.status).toBe(200);
    expect(res.body.thread.pinned).toBe(true);
    const list = await request(t.app.server).get('/api/channels/landelijk/threads');
    expect(list.body.items[0].id).toBe(a.id);
    expect((await audit('thread', a.id)).map((r) => r.action)).toEqual(['pin']);
    await mod.agent.post(`/api/threads/${a.id}/unpin`).send({}).expect(200);
  });

  it('locks a thread: members get 403 thread_locked, the thread shows it, unlock opens it again', async () => {
    const thread = await startThread(expert, 'landelijk');
    await mod.agent.post(`/api/threads/${thread.id}/lock`).send({ reason: 'Afgerond' }).expect(200);
    const res = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Nog iets</p>' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('thread_locked');
    expect((await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread.locked).toBe(true);
    await mod.agent.post(`/api/threads/${thread.id}/unlock`).send({}).expect(200);
    await replyTo(member, thread.id);
  });

  it('moves a thread, keeping both channels\' counts right; an unknown channel is 404', async () => {
    const thread = await startThread(expert, 'landelijk');
    const before = (await request(t.app.server).get('/api/channels/wmo')).body.channel.threadCount;
    expect((await mod.agent.post(`/api/threads/${thread.id}/move`).send({ channelSlug: 'bestaat-niet' })).status).toBe(404);
    const res = await mod.agent.post(`/api/threads/${thread.id}/move`).send({ channelSlug: 'wmo' });
    expect(res.status).toBe(200);
    expect(res.body.thread.channelSlug).toBe('wmo');
    expect((await request(t.app.server).get('/api/channels/wmo')).body.channel.threadCount).toBe(before + 1);
    expect((await audit('thread', thread.id)).at(-1)).toMatchObject({ action: 'move', data: { from: 'landelijk', to: 'wmo' } });
  });

  it('refuses every moderator route to a member with 403 and changes nothing', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(other, thread.id);
    const calls = [
      member.agent.post(`/api/threads/${thread.id}/pin`).send({}),
      member.agent.post(`/api/threads/${thread.id}/lock`).send({}),
      member.agent.post(`/api/threads/${thread.id}/move`).send({ channelSlug: 'wmo' }),
      member.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'x' }),
      member.agent.post(`/api/posts/${post.id}/unhide`).send({}),
      member.agent.get('/api/mod/reports'),
      member.agent.get('/api/mod/audit-log'),
      member.agent.post(`/api/mod/users/${other.id}/suspend`).send({ until: new Date(Date.now() + 86400000).toISOString(), reason: 'x' }),
      expert.agent.post(`/api/threads/${thread.id}/pin`).send({}),
    ];
    for (const res of await Promise.all(calls)) expect(res.status).toBe(403);
    const row = await t.db.selectFrom('thread').select(['pinned', 'locked']).where('id', '=', thread.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ pinned: false, locked: false });
    expect(await audit('thread', thread.id)).toHaveLength(0);
  });
});

describe('hiding posts', () => {
  it('requires a reason (400)', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    expect((await mod.agent.post(`/api/posts/${post.id}/hide`).send({})).status).toBe(400);
    expect((await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: '   ' })).status).toBe(400);
  });

  it('hides for members, shows content and reason to the author and moderators, pushes no content, notifies the author', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Geheime persoonsgegevens</p>');
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${thread.id}`] });
    await socket.next((f) => f.type === 'subscribed');
    const res = await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Bevat persoonsgegevens' });
    expect(res.status).toBe(200);
    const frame = await socket.next((f) => f.type === 'event' && f.event === 'post.hidden');
    expect(JSON.stringify(frame)).not.toContain('Geheime');
    expect(frame.data.post).toMatchObject({ id: post.id, hidden: true, body: '' });
    socket.close();

    const asOther = await other.agent.get(`/api/threads/${thread.id}`);
    expect(asOther.body.replies.items[0]).toMatchObject({ hidden: true, body: '' });
    const asAuthor = await member.agent.get(`/api/threads/${thread.id}`);
    expect(asAuthor.body.replies.items[0]).toMatchObject({ body: '<p>Geheime persoonsgegevens</p>', hiddenReason: 'Bevat persoonsgegevens' });
    const notes = await t.db.selectFrom('notification').selectAll().where('user_id', '=', member.id).where('kind', '=', 'post_hidden').execute();
    expect(notes).toHaveLength(1);

    await mod.agent.post(`/api/posts/${post.id}/unhide`).send({}).expect(200);
    expect((await other.agent.get(`/api/threads/${thread.id}`)).body.replies.items[0].body).toBe('<p>Geheime persoonsgegevens</p>');
    expect((await audit('post', post.id)).map((r) => r.action)).toEqual(['hide', 'unhide']);
  });

  it('shows moderators the edit history', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Versie 1</p>');
    await member.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>Versie 2</p>' }).expect(200);
    const res = await mod.agent.get(`/api/posts/${post.id}/revisions`);
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ body: '<p>Versie 1</p>' });
  });
});

describe('reports', () => {
  it('queues reports grouped per post and resolves them all by hiding in one action', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Reclame voor mijn bedrijf</p>');
    const r1 = await other.agent.post('/api/reports').send({ postId: post.id, reason: ' Spam ' });
    expect(r1.status).toBe(201);
    expect(r1.body).toEqual({ report: { id: expect.stringMatching(/^[1-9][0-9]*$/), postId: post.id, reason: 'Spam', status: 'open' } });
    await expert.agent.post('/api/reports').send({ postId: post.id, reason: 'Reclame' }).expect(201);
    const queue = await mod.agent.get('/api/mod/reports?status=open');
    const group = queue.body.items.find((g: { post: { id: string } }) => g.post.id === post.id);
    expect(group.count).toBe(2);
    expect(group.reports.map((r: { reason: string }) => r.reason).sort()).toEqual(['Reclame', 'Spam']);
    const res = await mod.agent.post(`/api/mod/reports/${r1.body.report.id}/resolve`).send({ resolution: 'hide', reason: 'Reclame' });
    expect(res.status).toBe(200);
    expect(res.body.resolved).toBe(2);
    expect((await other.agent.get(`/api/threads/${thread.id}`)).body.replies.items[0].hidden).toBe(true);
    const after = await mod.agent.get('/api/mod/reports?status=open');
    expect(after.body.items.find((g: { post: { id: string } }) => g.post.id === post.id)).toBeUndefined();
  });

  it('refuses reporting one\'s own post or the same post twice with 409', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    expect((await member.agent.post('/api/reports').send({ postId: post.id, reason: 'Eigen' })).status).toBe(409);
    await other.agent.post('/api/reports').send({ postId: post.id, reason: 'Eén' }).expect(201);
    const twice = await other.agent.post('/api/reports').send({ postId: post.id, reason: 'Twee' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_reported');
  });

  it('dismisses reports, and can suspend the author instead', async () => {
    const thread = await startThread(expert, 'landelijk');
    const spammer = await signUp(t);
    const post = await replyTo(spammer, thread.id);
    const r = await other.agent.post('/api/reports').send({ postId: post.id, reason: 'Spam' });
    const until = new Date(Date.now() + 7 * 86400000).toISOString();
    expect((await mod.agent.post(`/api/mod/reports/${r.body.report.id}/resolve`).send({ resolution: 'suspend', reason: 'Spam' })).status).toBe(400);
    await mod.agent.post(`/api/mod/reports/${r.body.report.id}/resolve`).send({ resolution: 'suspend', reason: 'Spam', until }).expect(200);
    const blocked = await spammer.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>meer spam</p>' });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('suspended');
  });
});

describe('suspension', () => {
  it('lets a suspended member read and log in, but answers every write with 403 suspended, and shows until when and why', async () => {
    const thread = await startThread(expert, 'landelijk');
    const s = await signUp(t);
    const post = await replyTo(s, thread.id);
    const until = new Date(Date.now() + 3 * 86400000).toISOString();
    await mod.agent.post(`/api/mod/users/${s.id}/suspend`).send({ until, reason: 'Herhaaldelijk off-topic' }).expect(200);
    expect((await s.agent.get(`/api/threads/${thread.id}`)).status).toBe(200);
    await s.agent.post('/api/auth/login').send({ email: s.email, password: s.password }).expect(200);
    const me = await s.agent.get('/api/me');
    expect(me.body.user.suspension).toEqual({ until, reason: 'Herhaaldelijk off-topic' });
    const writes = [
      s.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>x</p>' }),
      s.agent.post('/api/channels/wmo/threads').send({ title: 'x', body: '<p>x</p>', kind: 'question' }),
      s.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>y</p>' }),
      s.agent.delete(`/api/posts/${post.id}`),
      s.agent.patch('/api/me').send({ bio: 'x' }),
      s.agent.post('/api/reports').send({ postId: thread.postId, reason: 'x' }),
    ];
    for (const res of await Promise.all(writes)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('suspended');
    }
    await mod.agent.post(`/api/mod/users/${s.id}/unsuspend`).send({}).expect(200);
    await replyTo(s, thread.id);
  });

  it('does not let a moderator suspend an admin or a moderator (403), nor suspend into the past (400)', async () => {
    expect((await mod.agent.post(`/api/mod/users/${admin.id}/suspend`).send({ until: new Date(Date.now() + 86400000).toISOString(), reason: 'x' })).status).toBe(403);
    const mod2 = await signUp(t, { role: 'moderator' });
    expect((await mod.agent.post(`/api/mod/users/${mod2.id}/suspend`).send({ until: new Date(Date.now() + 86400000).toISOString(), reason: 'x' })).status).toBe(403);
    const res = await mod.agent.post(`/api/mod/users/${other.id}/suspend`).send({ until: '2020-01-01T00:00:00.000Z', reason: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.until).toBeTruthy();
  });
});

describe('audit log', () => {
  it('records role changes and filters by actor, target and action', async () => {
    const u = await signUp(t);
    await admin.agent.put(`/api/admin/users/${u.id}/role`).send({ role: 'expert' }).expect(200);
    const byTarget = await mod.agent.get('/api/mod/audit-log').query({ targetType: 'user', targetId: u.id });
    expect(byTarget.body.items).toHaveLength(1);
    expect(byTarget.body.items[0]).toMatchObject({ action: 'set_role', actor: { id: admin.id }, data: { from: 'member', to: 'expert' } });
    const byActor = await mod.agent.get('/api/mod/audit-log').query({ actor: admin.id, action: 'set_role' });
    expect(byActor.body.items.every((i: { actor: { id: string } }) => i.actor.id === admin.id)).toBe(true);
  });

  it('offers no route to change or delete it, and refuses it even in SQL', async () => {
    for (const method of ['put', 'patch', 'delete'] as const) {
      const res = await mod.agent[method]('/api/mod/audit-log').send({});
      expect([404, 405]).toContain(res.status);
      const one = await mod.agent[method]('/api/mod/audit-log/1').send({});
      expect([404, 405]).toContain(one.status);
    }
    await expect(sql`delete from moderation_action`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`update moderation_action set reason = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('records a moderator editing or deleting a member\'s post, but not members editing their own', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Vraag over beschermd wonen' });
    const reply = await replyTo(member, thread.id, '<p>Eerste versie</p>');
    await member.agent.patch(`/api/posts/${reply.id}`).send({ body: '<p>Tweede versie</p>' }).expect(200);
    expect(await audit('post', reply.id)).toHaveLength(0);
    await mod.agent.patch(`/api/posts/${reply.id}`).send({ body: '<p>Zonder telefoonnummer</p>' }).expect(200);
    expect((await audit('post', reply.id)).map((r) => [r.action, r.actor_id, r.data])).toEqual([['edit_post', mod.id, { threadId: thread.id, changed: ['body'] }]]);
    await mod.agent.delete(`/api/posts/${reply.id}`).expect(204);
    expect((await audit('post', reply.id)).map((r) => r.action)).toEqual(['edit_post', 'delete_post']);
    // A refused edit writes nothing.
    const own = await replyTo(other, thread.id);
    await member.agent.patch(`/api/posts/${own.id}`).send({ body: '<p>Niet van mij</p>' }).expect(403);
    expect(await audit('post', own.id)).toHaveLength(0);
  });

  it('records deleting a whole thread and creating a channel', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Dubbel gestelde vraag' });
    await mod.agent.delete(`/api/posts/${thread.postId}`).expect(204);
    expect(await audit('thread', thread.id)).toEqual([expect.objectContaining({ action: 'delete_thread', actor_id: mod.id, data: expect.objectContaining({ title: 'Dubbel gestelde vraag', channel: 'landelijk' }) })]);
    const created = await admin.agent.post('/api/channels').send({ slug: 'jeugd', name: 'Jeugd', postingPolicy: 'open' });
    expect(created.status).toBe(201);
    const log = await mod.agent.get('/api/mod/audit-log').query({ action: 'create_channel' });
    expect(log.body.items[0]).toMatchObject({ action: 'create_channel', actor: { id: admin.id }, targetType: 'channel', targetId: created.body.channel.id });
  });

  it('writes nothing when the action fails', async () => {
    const before = await t.db.selectFrom('moderation_action').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    await mod.agent.post('/api/threads/99999999/pin').send({}).expect(404);
    await mod.agent.post(`/api/mod/users/${admin.id}/suspend`).send({ until: new Date(Date.now() + 86400000).toISOString(), reason: 'x' }).expect(403);
    const after = await t.db.selectFrom('moderation_action').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
