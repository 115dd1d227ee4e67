// Issue 20: moderators are told about new reports (bell, live count) and read the audit log in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect } from '../support/ws';

let t: TestApp;
let expert: TestUser;
let member: TestUser;
let other: TestUser;
let mod: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  await createChannel(t, 'wmo');
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t, { displayName: 'Mila Melder' });
  other = await signUp(t, { displayName: 'Otto Overig' });
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

describe('new reports', () => {
  it('one notification per new report group and a live count; a second report on the same post only grows the group', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Gemelde draad' });
    const post = await replyTo(other, thread.id, '<p>Een twijfelachtige reactie</p>');
    const socket = await connect(t.app, { cookie: mod.cookie });
    socket.send({ type: 'subscribe', topics: ['mod'] });
    await socket.next((f) => f.type === 'subscribed');
    const before = (await mod.agent.get('/api/mod/count')).body.openCount;

    await member.agent.post('/api/reports').send({ postId: post.id, reason: 'Onvriendelijk' }).expect(201);
    expect((await socket.next((f) => f.event === 'moderation.count')).data.openCount).toBe(before + 1);
    await expert.agent.post('/api/reports').send({ postId: post.id, reason: 'Klopt niet' }).expect(201);
    const notes = (await mod.agent.get('/api/notifications')).body.items.filter((n: { kind: string }) => n.kind === 'report');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ postId: post.id, threadId: thread.id });
    expect(notes[0].text).toContain('Gemelde draad');
    expect((await mod.agent.get('/api/mod/count')).body.openCount).toBe(before + 1);
    // Members are not told, and may not read the count.
    expect((await member.agent.get('/api/mod/count')).status).toBe(403);

    const group = (await mod.agent.get('/api/mod/reports')).body.items.find((g: { post: { id: string } }) => g.post.id === post.id);
    await mod.agent.post(`/api/mod/reports/${group.reportId}/resolve`).send({ resolution: 'dismiss' }).expect(200);
    expect((await socket.next((f) => f.event === 'moderation.count' && f.data.openCount === before)).data.openCount).toBe(before);
    socket.close();
  });

  it('reporting one\'s own post or a hidden post is refused and nobody is told', async () => {
    const thread = await startThread(expert, 'landelijk');
    const own = await replyTo(member, thread.id);
    const res = await member.agent.post('/api/reports').send({ postId: own.id, reason: 'x' });
    expect(res.status).toBe(409);
    const hidden = await replyTo(other, thread.id);
    await mod.agent.post(`/api/posts/${hidden.id}/hide`).send({ reason: 'Off-topic' }).expect(200);
    expect((await member.agent.post('/api/reports').send({ postId: hidden.id, reason: 'x' })).status).toBe(409);
    const notes = (await mod.agent.get('/api/notifications')).body.items.filter((n: { kind: string; postId: string }) => n.kind === 'report' && [own.id, hidden.id].includes(n.postId));
    expect(notes).toEqual([]);
  });
});

describe('audit log in words', () => {
  it('shows the thread title, the post excerpt, the user name and a move from and to', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Verhuizende vraag' });
    const post = await replyTo(other, thread.id, '<p>Deze reactie wordt verborgen</p>');
    await mod.agent.post(`/api/threads/${thread.id}/move`).send({ channelSlug: 'wmo' }).expect(200);
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Persoonlijk' }).expect(200);
    await mod.agent.post(`/api/mod/users/${other.id}/suspend`).send({ until: new Date(Date.now() + 86400_000).toISOString(), reason: 'Herhaald' }).expect(200);
    const items = (await mod.agent.get('/api/mod/audit-log?limit=3')).body.items;
    expect(items[0]).toMatchObject({ action: 'suspend', targetType: 'user', target: { label: 'Otto Overig' } });
    expect(items[1]).toMatchObject({ action: 'hide', targetType: 'post', target: { label: 'Deze reactie wordt verborgen', threadTitle: 'Verhuizende vraag', threadId: thread.id } });
    expect(items[2]).toMatchObject({ action: 'move', targetType: 'thread', target: { label: 'Verhuizende vraag', fromChannel: 'Landelijk', toChannel: 'Wmo' } });
  });
});
