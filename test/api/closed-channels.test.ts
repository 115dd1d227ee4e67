// Closed channels (visibility "members"): only members, moderators and admins see them; everyone else
// gets 404 everywhere (list entry, threads, replies, handouts, search, websocket topics live and
// replayed, notifications). Membership by request with a motivation, decided by the channel's
// moderators or admins; automatic for verified members of organisations listed on the channel.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { replyTo, startThread } from '../support/forum';
import { pdf } from '../support/files';
import { connect } from '../support/ws';

let t: TestApp;
let admin: TestUser;
let channelMod: TestUser;
let member: TestUser;
let outsider: TestUser;
let thread: { id: string; postId: string };
let attachmentId: string;

const anon = () => request(t.app.server);

beforeAll(async () => {
  // The web routes too: the short link /p/:postId.
  t = await createTestApp({ serveClient: true });
  admin = await signUp(t, { role: 'admin' });
  channelMod = await signUp(t, { displayName: 'Kanaal Moderator' });
  member = await signUp(t, { displayName: 'Marieke Lid' });
  outsider = await signUp(t, { displayName: 'Olaf Buitenstaander' });
  await admin.agent.post('/api/channels').send({ slug: 'intervisie', name: 'Intervisie Zwolle', postingPolicy: 'open', visibility: 'members' }).expect(201);
  await admin.agent.put(`/api/channels/intervisie/moderators/${channelMod.id}`).expect(204);
  await admin.agent.put(`/api/channels/intervisie/moderators/${member.id}`).expect(204);
  await admin.agent.delete(`/api/channels/intervisie/moderators/${member.id}`).expect(204); // a plain member again
  thread = await startThread(member, 'intervisie', { title: 'Casus geheimhouding wijkteam', body: '<p>Vertrouwelijke casus over geheimhouding</p>' });
  const up = await member.agent.post('/api/attachments').attach('file', pdf('Vertrouwelijk verslag'), 'verslag.pdf');
  expect(up.status).toBe(201);
  attachmentId = up.body.attachment.id;
  await replyTo(channelMod, thread.id, '<p>Goede vraag over geheimhouding</p>');
  await replyTo(member, thread.id, '<p>Zie bijlage</p>', { attachmentIds: [attachmentId] });
});
afterAll(async () => {
  await t.close();
});

describe('a closed channel to non-members', () => {
  it('keeps its posts\' edit history, "nuttig", best answer and reading position from them (404, nothing changes)', async () => {
    const reply = await replyTo(channelMod, thread.id, '<p>Eerste versie over de casus</p>');
    await channelMod.agent.patch(`/api/posts/${reply.id}`).send({ body: '<p>Tweede versie</p>' }).expect(200);
    const expertOutside = await signUp(t, { role: 'expert', displayName: 'Eline Expert' });
    for (const who of [outsider.agent, expertOutside.agent]) {
      expect((await who.get(`/api/posts/${reply.id}/revisions`)).status).toBe(404);
      expect((await who.put(`/api/posts/${reply.id}/appreciation`)).status).toBe(404);
      expect((await who.post(`/api/threads/${thread.id}/accepted-answer`).send({ postId: reply.id })).status).toBe(404);
      expect((await who.delete(`/api/threads/${thread.id}/accepted-answer`)).status).toBe(404);
      expect((await who.put(`/api/threads/${thread.id}/read`).send({ postId: reply.id })).status).toBe(404);
    }
    expect((await anon().get(`/api/posts/${reply.id}/revisions`)).status).toBe(404);
    // The short link's redirect would carry the thread's title.
    const short = await anon().get(`/p/${reply.id}`);
    expect(short.status).toBe(404);
    expect(short.headers.location).toBeUndefined();
    const own = await member.agent.get(`/p/${reply.id}`);
    expect(own.status).toBe(302);
    expect(own.headers.location).toBe(`/t/${thread.id}/casus-geheimhouding-wijkteam#post-${reply.id}`);
    const after = await member.agent.get(`/api/threads/${thread.id}`).expect(200);
    expect(after.body.thread.acceptedAnswer).toBeNull();
    expect(after.body.replies.items.find((p: { id: string }) => p.id === reply.id).appreciationCount).toBe(0);
    // Members see the history and may mark the reply.
    expect((await member.agent.get(`/api/posts/${reply.id}/revisions`).expect(200)).body.items[0].body).toContain('Eerste versie');
    expect((await member.agent.put(`/api/posts/${reply.id}/appreciation`).expect(200)).body.appreciationCount).toBe(1);
  });

  it('is shown to members, the channel moderator and admins, and to nobody else', async () => {
    for (const who of [member, channelMod, admin]) {
      const list = await who.agent.get('/api/channels').expect(200);
      expect(list.body.items.map((c: { slug: string }) => c.slug)).toContain('intervisie');
      expect((await who.agent.get('/api/channels/intervisie').expect(200)).body.channel.visibility).toBe('members');
      await who.agent.get(`/api/threads/${thread.id}`).expect(200);
    }
    expect((await member.agent.get('/api/channels/intervisie')).body.channel.myMembership).toBe('member');
    expect((await channelMod.agent.get('/api/channels/intervisie')).body.channel.myMembership).toBe('moderator');
    for (const who of [outsider.agent, anon()]) {
      const list = await who.get('/api/channels').expect(200);
      expect(list.body.items.map((c: { slug: string }) => c.slug)).not.toContain('intervisie');
      expect((await who.get('/api/channels/intervisie')).status).toBe(404);
      expect((await who.get('/api/channels/intervisie/threads')).status).toBe(404);
      expect((await who.get(`/api/threads/${thread.id}`)).status).toBe(404);
      expect((await who.get(`/api/threads/${thread.id}/replies`)).status).toBe(404);
      expect((await who.get(`/api/attachments/${attachmentId}/download`)).status).toBe(404);
      const hits = await who.get('/api/search').query({ q: 'geheimhouding' }).expect(200);
      expect(hits.body.items).toEqual([]);
      const similar = await who.get('/api/search/similar').query({ title: 'geheimhouding wijkteam' }).expect(200);
      expect(similar.body.items).toEqual([]);
    }
    const found = await member.agent.get('/api/search').query({ q: 'geheimhouding' }).expect(200);
    expect(found.body.items.map((h: { thread: { id: string } }) => h.thread.id)).toContain(thread.id);
    expect((await member.agent.get(`/api/attachments/${attachmentId}/download`)).status).toBe(200);
  });

  it('refuses a non-member writing in it with 404 and changes nothing', async () => {
    const before = await t.db.selectFrom('post').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect((await outsider.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Hallo</p>' })).status).toBe(404);
    expect((await outsider.agent.post('/api/channels/intervisie/threads').send({ title: 'Ik ook', body: '<p>x</p>', kind: 'discussion' })).status).toBe(404);
    const after = await t.db.selectFrom('post').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // Reporting its posts, or following it or its threads: 404 as well, nothing stored.
    expect((await outsider.agent.post('/api/reports').send({ postId: thread.postId, reason: 'Benieuwd' })).status).toBe(404);
    expect((await outsider.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'intervisie', level: 'watching' })).status).toBe(404);
    expect((await outsider.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'watching' })).status).toBe(404);
    expect(await t.db.selectFrom('report').select('id').where('reporter_id', '=', outsider.id).execute()).toEqual([]);
    expect(await t.db.selectFrom('subscription').select('user_id').where('user_id', '=', outsider.id).execute()).toEqual([]);
  });

  it('refuses its websocket topics to non-members, live and in replay, while members get the events', async () => {
    const outsiderWs = await connect(t.app, { cookie: outsider.cookie });
    const visitorWs = await connect(t.app);
    const memberWs = await connect(t.app, { cookie: member.cookie });
    try {
      for (const ws of [outsiderWs, visitorWs]) {
        ws.send({ type: 'subscribe', topics: [`thread:${thread.id}`, 'channel:intervisie'], lastEventId: '0' });
        const errors = await ws.collect((f) => f.type === 'error' && f.code === 'forbidden_topic', 2);
        expect(errors.map((e) => e.topic).sort()).toEqual(['channel:intervisie', `thread:${thread.id}`].sort());
      }
      memberWs.send({ type: 'subscribe', topics: [`thread:${thread.id}`], lastEventId: '0' });
      // Replay: the replies written before the subscription come back to the member.
      await memberWs.collect((f) => f.type === 'event' && f.event === 'reply.created', 2);
      // Outsiders also subscribed to public topics: they must not receive anything of the closed channel.
      outsiderWs.send({ type: 'subscribe', topics: ['user:me'] });
      await outsiderWs.next((f) => f.type === 'subscribed');
      const live = await replyTo(channelMod, thread.id, '<p>Live in besloten kanaal</p>');
      const got = await memberWs.next((f) => f.type === 'event' && f.event === 'reply.created' && f.data.post.id === live.id);
      expect(got.data.post.body).toContain('Live in besloten kanaal');
      await new Promise((r) => setTimeout(r, 300));
      for (const ws of [outsiderWs, visitorWs]) expect(ws.frames.filter((f) => f.type === 'event')).toEqual([]);
      // Events in a closed channel carry its audience: stored as members-only.
      const stored = await t.db.selectFrom('event').select('audience').where('topic', '=', `thread:${thread.id}`).execute();
      expect(new Set(stored.map((e) => e.audience))).toEqual(new Set([`members:${(await t.db.selectFrom('channel').select('id').where('slug', '=', 'intervisie').executeTakeFirstOrThrow()).id}`]));
    } finally {
      outsiderWs.close();
      visitorWs.close();
      memberWs.close();
    }
  });

  it('stops live events of a thread moved into a closed channel for those already subscribed outside it', async () => {
    await admin.agent.post('/api/channels').send({ slug: 'openbaar', name: 'Openbaar', postingPolicy: 'open' }).expect(201);
    const moving = await startThread(member, 'openbaar', { title: 'Wordt verplaatst' });
    const outsiderWs = await connect(t.app, { cookie: outsider.cookie });
    const memberWs = await connect(t.app, { cookie: member.cookie });
    try {
      for (const ws of [outsiderWs, memberWs]) {
        ws.send({ type: 'subscribe', topics: [`thread:${moving.id}`] });
        await ws.next((f) => f.type === 'subscribed');
      }
      const mod = await signUp(t, { role: 'moderator' });
      await mod.agent.post(`/api/threads/${moving.id}/move`).send({ channelSlug: 'intervisie' }).expect(200);
      const secret = await replyTo(member, moving.id, '<p>Nu besloten</p>');
      await memberWs.next((f) => f.type === 'event' && f.data?.post?.id === secret.id);
      await new Promise((r) => setTimeout(r, 300));
      expect(outsiderWs.frames.some((f) => f.type === 'event' && f.data?.post?.id === secret.id)).toBe(false);
      expect((await outsider.agent.get(`/api/threads/${moving.id}`)).status).toBe(404);
    } finally {
      outsiderWs.close();
      memberWs.close();
    }
  });

  it('keeps its threads out of browsing without words (by author, by channel) for non-members', async () => {
    const ids = async (agent: TestUser['agent'] | ReturnType<typeof anon>, query: string) =>
      ((await agent.get(`/api/search?${query}`).expect(200)).body.items as { thread: { id: string } }[]).map((i) => i.thread.id);
    expect(await ids(member.agent, `author=${member.id}`)).toContain(thread.id);
    expect(await ids(admin.agent, 'channel=intervisie')).toContain(thread.id);
    for (const who of [outsider.agent, anon()]) {
      expect(await ids(who, `author=${member.id}`)).not.toContain(thread.id);
      expect(await ids(who, 'channel=intervisie')).toEqual([]);
    }
  });

  it('never notifies a non-member, even when @mentioned', async () => {
    await replyTo(member, thread.id, '<p>Wat vindt @Olaf Buitenstaander hiervan?</p>');
    const inbox = await outsider.agent.get('/api/notifications').expect(200);
    expect(inbox.body.items.filter((n: { threadId: string }) => n.threadId === thread.id)).toEqual([]);
    expect(inbox.body.unreadCount).toBe(0);
    const rows = await t.db.selectFrom('notification').select('id').where('user_id', '=', outsider.id).execute();
    expect(rows).toEqual([]);
  });
});

describe('what a closed channel holds stays out of counts and feeds', () => {
  it("a member's profile counts only the posts the reader may see", async () => {
    const writer = await signUp(t, { displayName: 'Wim Schrijver' });
    await admin.agent.put(`/api/channels/intervisie/moderators/${writer.id}`).expect(204);
    await admin.agent.delete(`/api/channels/intervisie/moderators/${writer.id}`).expect(204);
    const own = await startThread(writer, 'intervisie', { title: 'Besloten casus van Wim' });
    await replyTo(writer, thread.id, '<p>Besloten reactie van Wim</p>');
    const count = async (agent: ReturnType<typeof anon> | TestUser['agent']) => (await agent.get(`/api/users/${writer.id}/contributions`).expect(200)).body.contributions;
    expect(await count(channelMod.agent)).toMatchObject({ threads: 1, replies: 1 });
    expect(await count(writer.agent)).toMatchObject({ threads: 1, replies: 1 });
    for (const who of [outsider.agent, anon()]) expect(await count(who)).toMatchObject({ threads: 0, replies: 0, bestAnswers: 0, appreciationsReceived: 0 });
    expect(own.id).toBeTruthy();
  });

  it('the personal calendar feed drops a session of a closed channel once I leave it', async () => {
    const leaver = await signUp(t, { displayName: 'Lotte Vertrekker' });
    await admin.agent.put(`/api/channels/intervisie/moderators/${leaver.id}`).expect(204);
    await admin.agent.delete(`/api/channels/intervisie/moderators/${leaver.id}`).expect(204);
    const closedThread = await startThread(member, 'intervisie', { title: 'Intervisie over geheimhouding' });
    const req = await leaver.agent.post(`/api/threads/${closedThread.id}/video-session`).send({ title: 'Besloten intervisiesessie' });
    expect(req.status).toBe(201);
    const id = req.body.videoSession.id as string;
    await admin.agent.post(`/api/video-sessions/${id}/take-on`).expect(200);
    const startsAt = new Date(Date.now() + 3 * 86400_000).toISOString();
    await admin.agent.patch(`/api/video-sessions/${id}`).send({ startsAt, durationMinutes: 60, capacity: 5, meetingUrl: 'https://teams.example/meet/besloten' }).expect(200);
    await leaver.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const url = (await leaver.agent.post('/api/me/calendar-feed').expect(200)).body.url as string;
    const feed = async () => (await anon().get(new URL(url).pathname + new URL(url).search).expect(200)).text.replace(/\r\n[ \t]/g, '');
    expect(await feed()).toContain('Besloten intervisiesessie');

    await leaver.agent.delete('/api/channels/intervisie/members/me').expect(204);
    const after = await feed();
    expect(after).not.toContain('Besloten intervisiesessie');
    expect(after).not.toContain('teams.example/meet/besloten');
    expect(after).toContain('BEGIN:VCALENDAR');
  });
});

describe('membership requests', () => {
  it('lets a non-member ask with a motivation; the channel moderator approves; then they read and get live events', async () => {
    const asker = await signUp(t, { displayName: 'Aisha Aanvrager' });
    const res = await asker.agent.post('/api/channels/intervisie/membership-requests').send({ motivation: 'Ik werk in het wijkteam Zwolle-Zuid.' });
    expect(res.status).toBe(201);
    expect(res.body.request).toMatchObject({ status: 'pending', motivation: 'Ik werk in het wijkteam Zwolle-Zuid.', user: { id: asker.id } });
    // A second request while one is pending: 409, nothing new.
    expect((await asker.agent.post('/api/channels/intervisie/membership-requests').send({ motivation: 'Nogmaals' })).status).toBe(409);
    // Members who are not channel moderators may not see or decide the list.
    expect((await member.agent.get('/api/channels/intervisie/membership-requests')).status).toBe(403);
    expect((await member.agent.post(`/api/channels/intervisie/membership-requests/${res.body.request.id}/approve`)).status).toBe(403);
    // Deciding one's own request: 403, still pending.
    expect((await asker.agent.post(`/api/channels/intervisie/membership-requests/${res.body.request.id}/approve`)).status).toBe(403);
    // The channel's moderator is told (one notice that leads to the channel); plain members and the admin are not.
    const notices = async (u: TestUser, kind: string) => (await u.agent.get('/api/notifications').expect(200)).body.items.filter((n: { kind: string }) => n.kind === kind);
    expect(await notices(channelMod, 'membership_requested')).toMatchObject([{ threadId: null, count: 1, data: { channelSlug: 'intervisie', title: 'Intervisie Zwolle', actorName: 'Aisha Aanvrager' } }]);
    expect(await notices(member, 'membership_requested')).toEqual([]);
    expect(await notices(admin, 'membership_requested')).toEqual([]);
    const list = await channelMod.agent.get('/api/channels/intervisie/membership-requests').expect(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([res.body.request.id]);
    expect((await asker.agent.get(`/api/threads/${thread.id}`)).status).toBe(404);

    const ws = await connect(t.app, { cookie: asker.cookie });
    try {
      const ok = await channelMod.agent.post(`/api/channels/intervisie/membership-requests/${res.body.request.id}/approve`).expect(200);
      expect(ok.body.request.status).toBe('approved');
      expect((await channelMod.agent.post(`/api/channels/intervisie/membership-requests/${res.body.request.id}/decline`)).status).toBe(409);
      expect(await notices(asker, 'membership_approved')).toMatchObject([{ data: { channelSlug: 'intervisie', title: 'Intervisie Zwolle' } }]);
      expect(await notices(asker, 'membership_declined')).toEqual([]);
      await asker.agent.get(`/api/threads/${thread.id}`).expect(200);
      expect((await asker.agent.get('/api/channels/intervisie')).body.channel.myMembership).toBe('member');
      ws.send({ type: 'subscribe', topics: [`thread:${thread.id}`] });
      await ws.next((f) => f.type === 'subscribed');
      const live = await replyTo(member, thread.id, '<p>Welkom Aisha</p>');
      await ws.next((f) => f.type === 'event' && f.data?.post?.id === live.id);

      // Leaving: the channel is gone for them again, the open socket stops getting its events.
      await asker.agent.delete('/api/channels/intervisie/members/me').expect(204);
      expect((await asker.agent.get(`/api/threads/${thread.id}`)).status).toBe(404);
      expect((await asker.agent.delete('/api/channels/intervisie/members/me')).status).toBe(404);
      const after = await replyTo(member, thread.id, '<p>Na het vertrek</p>');
      await new Promise((r) => setTimeout(r, 400));
      expect(ws.frames.some((f) => f.type === 'event' && f.data?.post?.id === after.id)).toBe(false);
    } finally {
      ws.close();
    }
  });

  it('lets an admin decline; refuses requests for public channels (409), unknown ones (404) and visitors (401)', async () => {
    const asker = await signUp(t);
    const res = await asker.agent.post('/api/channels/intervisie/membership-requests').send({ motivation: 'Graag' }).expect(201);
    const declined = await admin.agent.post(`/api/channels/intervisie/membership-requests/${res.body.request.id}/decline`).expect(200);
    expect(declined.body.request.status).toBe('declined');
    const told = (await asker.agent.get('/api/notifications').expect(200)).body.items.map((n: { kind: string }) => n.kind);
    expect(told).toEqual(['membership_declined']);
    expect((await asker.agent.get(`/api/threads/${thread.id}`)).status).toBe(404);
    await admin.agent.post('/api/channels').send({ slug: 'open-plein', name: 'Open plein', postingPolicy: 'open' }).expect(201);
    expect((await asker.agent.post('/api/channels/open-plein/membership-requests').send({ motivation: 'x' })).status).toBe(409);
    expect((await asker.agent.post('/api/channels/bestaat-niet/membership-requests').send({ motivation: 'x' })).status).toBe(404);
    expect((await anon().post('/api/channels/intervisie/membership-requests').send({ motivation: 'x' })).status).toBe(401);
    expect((await asker.agent.post('/api/channels/intervisie/membership-requests').send({ motivation: '   ' })).status).toBe(400);
  });

  it('tells the admins when the channel has no moderator of its own; more requests gather in one notice', async () => {
    await admin.agent.post('/api/channels').send({ slug: 'zonder-moderator', name: 'Zonder moderator', postingPolicy: 'open', visibility: 'members' }).expect(201);
    const otherAdmin = await signUp(t, { role: 'admin' });
    for (const name of ['Eerste Aanvrager', 'Tweede Aanvrager']) {
      const asker = await signUp(t, { displayName: name });
      await asker.agent.post('/api/channels/zonder-moderator/membership-requests').send({ motivation: 'Graag' }).expect(201);
    }
    for (const who of [admin, otherAdmin]) {
      const items = (await who.agent.get('/api/notifications').expect(200)).body.items.filter((n: { kind: string }) => n.kind === 'membership_requested');
      expect(items).toMatchObject([{ count: 2, data: { channelSlug: 'zonder-moderator', actorName: 'Tweede Aanvrager' } }]);
    }
    expect((await channelMod.agent.get('/api/notifications')).body.items.filter((n: { data: { channelSlug?: string } }) => n.data.channelSlug === 'zonder-moderator')).toEqual([]);
  });

  it('makes verified members of an organisation listed on the channel members without asking', async () => {
    const colleague = await signUp(t, { email: 'p.devries@zwolle.example', displayName: 'Pieter de Vries' });
    await t.db.updateTable('user').set({ email_verified_at: new Date() }).where('id', '=', colleague.id).execute();
    const org = await admin.agent.post('/api/admin/organisations').send({ name: 'Gemeente Zwolle', domains: ['zwolle.example'] }).expect(201);
    expect((await colleague.agent.get(`/api/threads/${thread.id}`)).status).toBe(404);
    await admin.agent.patch('/api/channels/intervisie').send({ organisationIds: [org.body.organisation.id] }).expect(200);
    await colleague.agent.get(`/api/threads/${thread.id}`).expect(200);
    expect((await colleague.agent.get('/api/channels/intervisie')).body.channel.myMembership).toBe('organisation');
    expect((await colleague.agent.delete('/api/channels/intervisie/members/me')).status).toBe(409);
  });
});
