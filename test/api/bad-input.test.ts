// Bad input gets a clear 4xx in the error shape and changes nothing: NUL bytes, ids beyond bigint,
// cursors and dates out of range, meeting links that are not links. And the small confidentiality
// fixes: no-store on signed-in answers, an exact Origin check, a cap on websockets per address.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect } from '../support/ws';

let t: TestApp;
let expert: TestUser;
let member: TestUser;
let mod: TestUser;
let threadId: string;
let replyId: string;

beforeAll(async () => {
  t = await createTestApp({ wsMaxPerAddress: loadConfig({}).wsMaxPerAddress });
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t, { displayName: 'Gewone Naam' });
  mod = await signUp(t, { role: 'moderator' });
  threadId = (await startThread(expert, 'landelijk')).id;
  replyId = (await replyTo(member, threadId)).id;
});
afterAll(async () => {
  await t.close();
});

const expectClientError = (res: request.Response) => {
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
};
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('NUL bytes are refused with 400 wherever text goes in', () => {
  const anonymous = () => request(t.app.server);
  const cases: Array<[string, () => request.Test]> = [
    ['search q', () => anonymous().get('/api/search?q=wmo%00')],
    ['channel slug', () => anonymous().get('/api/channels/land%00elijk')],
    ['login e-mail', () => anonymous().post('/api/auth/login').set('Origin', PUBLIC_URL).send({ email: 'a\u0000@b.nl', password: 'x' })],
    ['mention prefix', () => member.agent.get('/api/users/mention?prefix=ma%00')],
    ['audit-log filter', () => mod.agent.get('/api/mod/audit-log?action=hide%00')],
    ['display name', () => member.agent.patch('/api/me').send({ displayName: 'Ma\u0000rieke' })],
    ['reply body', () => member.agent.post(`/api/threads/${threadId}/replies`).send({ body: '<p>Hallo\u0000</p>' })],
    ['report reason', () => expert.agent.post('/api/reports').send({ postId: replyId, reason: 'Spam\u0000' })],
    ['hide reason', () => mod.agent.post(`/api/posts/${replyId}/hide`).send({ reason: 'Weg\u0000' })],
    ['session title', () => expert.agent.post(`/api/threads/${threadId}/video-session`).send({ title: 'Sessie\u0000' })],
  ];
  for (const [name, send] of cases) {
    it(name, async () => {
      const before = await t.db.selectFrom('event_counter').select('last_id').executeTakeFirstOrThrow();
      const res = await send();
      expectClientError(res);
      expect(res.status).toBe(400);
      // Nothing was written: no event, the name and the post unchanged.
      expect((await t.db.selectFrom('event_counter').select('last_id').executeTakeFirstOrThrow()).last_id).toBe(before.last_id);
    });
  }
  it('changes nothing: the display name and the reply are as they were', async () => {
    expect((await member.agent.get('/api/me')).body.user.displayName).toBe('Gewone Naam');
    const post = await t.db.selectFrom('post').select(['hidden_at']).where('id', '=', replyId).executeTakeFirstOrThrow();
    expect(post.hidden_at).toBeNull();
  });
});

describe('ids, cursors and dates outside what the database holds are a 400, not a 500', () => {
  it('an id above 2^63-1 in a path', async () => {
    for (const url of ['/api/threads/9999999999999999999', '/api/threads/9223372036854775808/replies', '/api/users/99999999999999999999']) {
      const res = await request(t.app.server).get(url);
      expectClientError(res);
    }
    // The largest bigint is a well-formed id: simply not there.
    expect((await request(t.app.server).get('/api/threads/9223372036854775807')).status).toBe(404);
  });

  it('an id above 2^63-1 as a websocket topic is refused as a topic, and the socket stays usable', async () => {
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: ['thread:9999999999999999999'] });
    expect((await socket.next((f) => f.type === 'error')).code).toBe('forbidden_topic');
    socket.send({ type: 'subscribe', topics: [`thread:${threadId}`] });
    await socket.next((f) => f.type === 'subscribed');
    socket.close();
  });

  it('cursors with numbers out of range', async () => {
    const urls = [
      `/api/threads/${threadId}/replies?cursor=${cursor({ id: '99999999999999999999' })}`,
      `/api/threads/${threadId}/replies?cursor=${cursor({ id: '9999999999999999999' })}`,
      `/api/channels/landelijk/threads?cursor=${cursor({ p: false, us: '9999999999999999999', id: '1' })}`,
      `/api/search?q=wmo&cursor=${cursor({ s: 1e308, us: '1', id: '1' })}`,
      `/api/search?q=wmo&cursor=${cursor({ s: 1, us: '-9999999999999999999', id: '1' })}`,
    ];
    for (const url of urls) {
      const res = await request(t.app.server).get(url);
      expectClientError(res);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
    const res = await member.agent.get(`/api/notifications?cursor=${cursor({ us: '9999999999999999999', id: '1' })}`);
    expectClientError(res);
  });

  it('search dates before the year 1000', async () => {
    for (const q of ['from=0000-01-01', 'to=0000-12-31', 'from=0999-01-01']) {
      const res = await request(t.app.server).get(`/api/search?q=wmo&${q}`);
      expectClientError(res);
      expect(res.status).toBe(400);
    }
    expect((await request(t.app.server).get('/api/search?q=wmo&from=2024-01-01')).status).toBe(200);
  });

  it('a meeting link with a space is refused, so calendar.ics keeps working for registrants', async () => {
    const th = await startThread(expert, 'landelijk', { title: 'Sessie over de P-wet' });
    const id = (await expert.agent.post(`/api/threads/${th.id}/video-session`).send({})).body.videoSession.id;
    const schedule = { startsAt: new Date(Date.now() + 86400_000).toISOString(), durationMinutes: 60, capacity: 10 };
    for (const meetingUrl of ['https://meet.example/a b', 'https://', 'https://meet.example/"x"', 'ftp://meet.example/x']) {
      const res = await expert.agent.patch(`/api/video-sessions/${id}`).send({ ...schedule, meetingUrl });
      expectClientError(res);
      expect(res.status).toBe(400);
    }
    await expert.agent.patch(`/api/video-sessions/${id}`).send({ ...schedule, meetingUrl: 'https://meet.example/p-wet?pwd=abc' }).expect(200);
    await member.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const ics = await member.agent.get(`/api/video-sessions/${id}/calendar.ics`);
    expect(ics.status).toBe(200);
    expect(ics.text).toContain('https://meet.example/p-wet?pwd=abc');
  });
});

describe('confidentiality', () => {
  it('answers every signed-in API request with Cache-Control: no-store; public anonymous reads stay cacheable', async () => {
    for (const url of ['/api/me', '/api/notifications', '/api/me/export', '/api/me/video-sessions', `/api/threads/${threadId}`]) {
      const res = await member.agent.get(url);
      expect(res.status, url).toBe(200);
      // The cached pages say `private, no-store` themselves (server/page-cache).
      expect(res.headers['cache-control'], url).toMatch(/^(private, )?no-store$/);
    }
    expect((await request(t.app.server).get(`/api/threads/${threadId}`)).headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    // A profile photo is the same for everyone: it stays cacheable for signed-in readers too.
    expect((await member.agent.get(`/api/users/${expert.id}/avatar`)).headers['cache-control']).toMatch(/^public/);
  });

  it('compares the Origin\'s scheme, host and port with PUBLIC_URL', async () => {
    for (const origin of ['https://plein.test', 'http://plein.test:8080', 'http://evil.test', 'http://plein.test.evil.test']) {
      const res = await request(t.app.server).post(`/api/threads/${threadId}/replies`).set('Cookie', member.cookie).set('Origin', origin).send({ body: '<p>CSRF</p>' });
      expect(res.status, origin).toBe(403);
      expect(res.body.error.code).toBe('bad_origin');
      await expect(connect(t.app, { cookie: member.cookie, origin })).rejects.toThrow(/403/);
    }
    await member.agent.post(`/api/threads/${threadId}/replies`).send({ body: '<p>Vanaf de eigen site</p>' }).expect(201);
  });

  it('refuses a 21st open websocket from one address with 429, and takes one again after a close', async () => {
    const sockets = [];
    for (let i = 0; i < 20; i++) sockets.push(await connect(t.app));
    await expect(connect(t.app)).rejects.toThrow(/429/);
    sockets.pop()!.close();
    await new Promise((r) => setTimeout(r, 200));
    const again = await connect(t.app);
    again.close();
    for (const s of sockets) s.close();
  });
});
