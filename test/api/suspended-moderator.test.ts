// A suspended moderator has a member's read rights and no write rights: hidden posts, their handouts,
// search hits, attendee lists, meeting links, calendars and the moderation topic are closed to them,
// over REST and over the websocket, live and replayed.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { pdf } from '../support/files';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect } from '../support/ws';

let t: TestApp;
let expert: TestUser;
let author: TestUser;
let activeMod: TestUser;
let suspendedMod: TestUser;
let threadId: string;
let hiddenReplyId: string;
let attachmentId: string;
let sessionId: string;

async function suspend(u: TestUser) {
  await t.db.updateTable('user').set({ suspended_until: new Date(Date.now() + 7 * 86400_000), suspension_reason: 'Onderzoek' }).where('id', '=', u.id).execute();
}

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert' });
  author = await signUp(t);
  activeMod = await signUp(t, { role: 'moderator' });
  suspendedMod = await signUp(t, { role: 'moderator' });
  threadId = (await startThread(expert, 'landelijk', { title: 'Beschermingsbewind aanvragen' })).id;
  attachmentId = (await author.agent.post('/api/attachments').attach('file', pdf(), 'dossier.pdf')).body.attachment.id;
  hiddenReplyId = (await replyTo(author, threadId, '<p>Dossier van klant Pietersen, zoekwoord zuurkool</p>', { attachmentIds: [attachmentId] })).id;
  await activeMod.agent.post(`/api/posts/${hiddenReplyId}/hide`).send({ reason: 'Cliëntgegevens' }).expect(200);
  sessionId = (await expert.agent.post(`/api/threads/${threadId}/video-session`).send({})).body.videoSession.id;
  await expert.agent.patch(`/api/video-sessions/${sessionId}`).send({ startsAt: new Date(Date.now() + 86400_000).toISOString(), durationMinutes: 60, capacity: 20, meetingUrl: 'https://meet.example/geheim' }).expect(200);
  await author.agent.post(`/api/video-sessions/${sessionId}/registrations`).expect(201);
  for (const m of [activeMod, suspendedMod]) await m.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: threadId, level: 'watching' }).expect(200);
  await suspend(suspendedMod);
});
afterAll(async () => {
  await t.close();
});

describe('a suspended moderator reads as a member', () => {
  it('sees a hidden reply as members do: no body, no handouts, no reason; the active moderator sees it whole', async () => {
    const asSuspended = (await suspendedMod.agent.get(`/api/threads/${threadId}`).expect(200)).body.replies.items.find((p: { id: string }) => p.id === hiddenReplyId);
    expect(asSuspended).toMatchObject({ hidden: true, body: '', attachments: [] });
    expect(asSuspended.hiddenReason).toBeUndefined();
    const asActive = (await activeMod.agent.get(`/api/threads/${threadId}`).expect(200)).body.replies.items.find((p: { id: string }) => p.id === hiddenReplyId);
    expect(asActive.body).toContain('Pietersen');
  });

  it('cannot download the hidden reply\'s handout', async () => {
    await activeMod.agent.get(`/api/attachments/${attachmentId}/download`).expect(200);
    expect((await suspendedMod.agent.get(`/api/attachments/${attachmentId}/download`)).status).toBe(404);
  });

  it('does not find the hidden reply in search', async () => {
    const found = (u: TestUser) => u.agent.get('/api/search?q=zuurkool').then((r) => r.body.items.length);
    expect(await found(activeMod)).toBe(1);
    expect(await found(suspendedMod)).toBe(0);
  });

  it('gets no meeting link, no calendar entry and no attendee list of someone else\'s session', async () => {
    expect((await activeMod.agent.get(`/api/video-sessions/${sessionId}`)).body.videoSession.meetingUrl).toBe('https://meet.example/geheim');
    expect((await suspendedMod.agent.get(`/api/video-sessions/${sessionId}`)).body.videoSession.meetingUrl).toBeUndefined();
    await activeMod.agent.get(`/api/video-sessions/${sessionId}/attendees.csv`).expect(200);
    expect((await suspendedMod.agent.get(`/api/video-sessions/${sessionId}/attendees.csv`)).status).toBe(403);
    expect((await suspendedMod.agent.get(`/api/video-sessions/${sessionId}/calendar.ics`)).status).toBe(403);
    const thread = (await suspendedMod.agent.get(`/api/threads/${threadId}`)).body.thread;
    expect(JSON.stringify(thread)).not.toContain('meet.example');
  });

  it('is refused the mod topic, and gets no moderators-only events by replay', async () => {
    const socket = await connect(t.app, { cookie: suspendedMod.cookie });
    socket.send({ type: 'subscribe', topics: ['mod'], lastEventId: '0' });
    expect((await socket.next((f) => f.type === 'error')).code).toBe('forbidden_topic');
    socket.send({ type: 'subscribe', topics: [`thread:${threadId}`], lastEventId: '0' });
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    const text = JSON.stringify(socket.frames);
    expect(text).not.toContain('Pietersen');
    expect(text).not.toContain('Cliëntgegevens');
    socket.close();
  });

  it('loses the mod topic and moderators-only events when suspended while connected', async () => {
    const later = await signUp(t, { role: 'moderator' });
    const socket = await connect(t.app, { cookie: later.cookie });
    socket.send({ type: 'subscribe', topics: ['mod', `thread:${threadId}`] });
    await socket.next((f) => f.type === 'subscribed');
    await suspend(later);
    await t.app.realtime.checkSessions();
    const other = await replyTo(author, threadId, '<p>Nog een klantnaam: Verhoeven</p>');
    await activeMod.agent.post(`/api/posts/${other.id}/hide`).send({ reason: 'Weer cliëntgegevens' }).expect(200);
    // The public fact of the hide arrives; the moderators' copy (who hid it, and why) does not.
    await socket.next((f) => f.type === 'event' && f.event === 'post.hidden' && f.topic === `thread:${threadId}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.stringify(socket.frames)).not.toContain('Weer cliëntgegevens');
    expect(socket.frames.filter((f) => f.data?.moderation)).toEqual([]);
    expect(socket.frames.some((f) => f.topic === 'mod')).toBe(false);
    socket.close();
  });

  it('cannot use moderator routes (and an active moderator can)', async () => {
    expect((await suspendedMod.agent.get('/api/mod/reports?status=open')).status).toBe(403);
    // The edit history is everyone's, but a hidden post's earlier text is for moderators who act as such.
    await t.db.insertInto('post_revision').values({ post_id: hiddenReplyId, editor_id: activeMod.id, title: null, body_html: '<p>Dossier van klant Pietersen</p>' }).execute();
    const asSuspended = await suspendedMod.agent.get(`/api/posts/${hiddenReplyId}/revisions`);
    expect(asSuspended.status).toBe(200);
    expect(asSuspended.body.items).toEqual([]);
    const asActive = await activeMod.agent.get(`/api/posts/${hiddenReplyId}/revisions`);
    expect(asActive.body.items.map((r: { body: string }) => r.body)).toEqual(['<p>Dossier van klant Pietersen</p>']);
  });

  it('no longer sees notifications about a post that was hidden (an active moderator still does)', async () => {
    const reply = await replyTo(author, threadId, '<p>Melding over een hidden post</p>');
    await activeMod.agent.post(`/api/posts/${reply.id}/hide`).send({ reason: 'Test' }).expect(200);
    const about = async (u: TestUser) => (await request(t.app.server).get('/api/notifications').set('Cookie', u.cookie).expect(200)).body.items.filter((n: { postId: string | null }) => n.postId === reply.id).length;
    expect(await about(activeMod)).toBe(1);
    expect(await about(suspendedMod)).toBe(0);
  });
});
