import net from 'node:net';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEvent } from '../../server/realtime/outbox';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect, wsBase } from '../support/ws';

let t: TestApp;
let expert: TestUser;
let member: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t);
});
afterAll(async () => {
  await t.close();
});

const isEvent = (type: string) => (f: { type: string; event?: string }) => f.type === 'event' && f.event === type;

describe('live delivery', () => {
  it('pushes a new reply to a subscribed visitor without a reload', async () => {
    const thread = await startThread(expert, 'landelijk');
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${thread.id}`] });
    await socket.next((f) => f.type === 'subscribed');
    const post = await replyTo(member, thread.id, '<p>Live!</p>');
    const frame = await socket.next(isEvent('reply.created'));
    expect(frame.topic).toBe(`thread:${thread.id}`);
    expect(frame.data.post).toMatchObject({ id: post.id, body: '<p>Live!</p>' });
    expect(Number(frame.id)).toBeGreaterThan(0);
    socket.close();
  });

  it('pushes new threads on the channel topic', async () => {
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: ['channel:landelijk'] });
    await socket.next((f) => f.type === 'subscribed');
    const thread = await startThread(expert, 'landelijk', { title: 'Nieuw in het kanaal' });
    const frame = await socket.next(isEvent('thread.created'));
    expect(frame.data.thread).toMatchObject({ id: thread.id, title: 'Nieuw in het kanaal' });
    socket.close();
  });

  it('answers pings and keeps the socket up after an invalid frame', async () => {
    const socket = await connect(t.app);
    socket.send('dit is geen json');
    expect((await socket.next((f) => f.type === 'error')).code).toBe('invalid_frame');
    socket.send({ type: 'dans' });
    await socket.collect((f) => f.type === 'error', 2);
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it('closes a connection that sends an oversized frame (1009)', async () => {
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: ['x'.repeat(100 * 1024)] });
    const { code } = await socket.closed;
    expect(code).toBe(1009);
  });

  it('refuses topics the caller may not see with an error frame and sends no events', async () => {
    const other = await signUp(t);
    const socket = await connect(t.app, { cookie: member.cookie });
    socket.send({ type: 'subscribe', topics: [`user:${other.id}`, 'thread:999999', 'channel:bestaat-niet', 'mod', 'nonsense'] });
    const errors = await socket.collect((f) => f.type === 'error', 5);
    expect(errors.every((e) => e.code === 'forbidden_topic')).toBe(true);
    await t.db.transaction().execute((trx) => writeEvent(trx, { topic: `user:${other.id}`, type: 'notification.created', payload: { secret: true }, audience: `user:${other.id}` }));
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    expect(socket.frames.filter((f) => f.type === 'event')).toHaveLength(0);
    socket.close();
  });

  it('delivers user:me only to its owner, and refuses user:me for visitors', async () => {
    const mine = await connect(t.app, { cookie: member.cookie });
    mine.send({ type: 'subscribe', topics: ['user:me'] });
    await mine.next((f) => f.type === 'subscribed');
    await t.db.transaction().execute((trx) => writeEvent(trx, { topic: `user:${member.id}`, type: 'notification.created', payload: { n: 1 }, audience: `user:${member.id}` }));
    expect((await mine.next(isEvent('notification.created'))).data).toEqual({ n: 1 });
    const anon = await connect(t.app);
    anon.send({ type: 'subscribe', topics: ['user:me'] });
    expect((await anon.next((f) => f.type === 'error')).code).toBe('forbidden_topic');
    mine.close();
    anon.close();
  });

  it('refuses a cookie-carrying handshake from a foreign origin', async () => {
    await expect(connect(t.app, { cookie: member.cookie, origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });
});

describe('replay', () => {
  it('replays what a reconnecting client missed, in order, then continues live without duplicates', async () => {
    const thread = await startThread(expert, 'landelijk');
    const first = await connect(t.app);
    first.send({ type: 'subscribe', topics: [`thread:${thread.id}`] });
    await first.next((f) => f.type === 'subscribed');
    await replyTo(member, thread.id, '<p>Gezien</p>');
    const seen = await first.next(isEvent('reply.created'));
    first.close();
    await first.closed;

    const missed = [];
    for (let i = 0; i < 3; i++) missed.push((await replyTo(member, thread.id, `<p>Gemist ${i}</p>`)).id);

    const again = await connect(t.app);
    again.send({ type: 'subscribe', topics: [`thread:${thread.id}`], lastEventId: seen.id });
    const replayed = await again.collect(isEvent('reply.created'), 3);
    expect(replayed.map((f) => f.data.post.id)).toEqual(missed);
    const live = await replyTo(member, thread.id, '<p>Weer live</p>');
    const next = await again.collect(isEvent('reply.created'), 4);
    expect(next[3].data.post.id).toBe(live.id);
    const ids = again.frames.filter((f) => f.type === 'event').map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    again.close();
  });

  it('loses nothing between loading a page and subscribing: the page carries its lastEventId', async () => {
    const thread = await startThread(expert, 'landelijk');
    const page = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(page.body.lastEventId).toMatch(/^\d+$/);
    // A reply lands after the page was loaded but before the socket subscribes.
    const between = await replyTo(member, thread.id, '<p>Tussendoor</p>');
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${thread.id}`], lastEventId: page.body.lastEventId });
    const frame = await socket.next(isEvent('reply.created'));
    expect(frame.data.post.id).toBe(between.id);
    const list = await request(t.app.server).get('/api/channels/landelijk/threads');
    expect(list.body.lastEventId).toMatch(/^\d+$/);
    socket.close();
  });

  it('answers replay_gap when the missed events are no longer kept', async () => {
    const thread = await startThread(expert, 'landelijk');
    const old = await replyTo(member, thread.id);
    const oldEvent = await t.db.selectFrom('event').select('id').where('topic', '=', `thread:${thread.id}`).orderBy('id', 'desc').executeTakeFirstOrThrow();
    await replyTo(member, thread.id);
    await replyTo(member, thread.id);
    // Simulate retention having trimmed everything up to the newest event.
    await sql`delete from event where id < (select max(id) from event)`.execute(t.db);
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${thread.id}`], lastEventId: oldEvent.id });
    expect((await socket.next((f) => f.type === 'error')).code).toBe('replay_gap');
    expect(old.id).toBeTruthy();
    socket.close();
  });
});

describe('event ids become visible in order', () => {
  it('a writer that takes a later id cannot commit before the earlier one, so no reader skips an event', async () => {
    const thread = await startThread(expert, 'landelijk');
    const topic = `thread:${thread.id}`;
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [topic] });
    await socket.next((f) => f.type === 'subscribed');

    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstId = '';
    let secondId = '';
    let secondDone = false;
    const first = t.db.transaction().execute(async (trx) => {
      firstId = await writeEvent(trx, { topic, type: 'post.updated', payload: { n: 'first' } });
      await firstHolds; // stays open: the "slow" writer with the lower id
    });
    while (!firstId) await new Promise((r) => setTimeout(r, 10));
    const second = t.db
      .transaction()
      .execute(async (trx) => {
        secondId = await writeEvent(trx, { topic, type: 'post.updated', payload: { n: 'second' } });
      })
      .then(() => (secondDone = true));
    // The second writer waits for the counter row: it can neither take an id nor commit yet.
    await new Promise((r) => setTimeout(r, 300));
    expect(secondDone).toBe(false);
    const visible = await t.db.selectFrom('event').select('id').where('topic', '=', topic).execute();
    expect(visible).toHaveLength(0);
    releaseFirst();
    await Promise.all([first, second]);
    expect(BigInt(secondId)).toBe(BigInt(firstId) + 1n);
    const frames = await socket.collect(isEvent('post.updated'), 2);
    expect(frames.map((f) => f.data.n)).toEqual(['first', 'second']);
    socket.close();
  });
});

describe('several instances', () => {
  it('delivers replies posted through instance B to a client on instance A, in order and exactly once', async () => {
    const b = await t.another();
    const thread = await startThread(expert, 'landelijk');
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${thread.id}`] });
    await socket.next((f) => f.type === 'subscribed');
    const { browser } = await import('../support/app');
    const viaB = browser(b);
    await viaB.post('/api/auth/login').send({ email: member.email, password: member.password }).expect(200);
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await viaB.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>Via B ${i}</p>` });
      expect(res.status).toBe(201);
      sent.push(res.body.post.id);
    }
    const frames = await socket.collect(isEvent('reply.created'), 10);
    expect(frames.map((f) => f.data.post.id)).toEqual(sent);
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.frames.filter(isEvent('reply.created'))).toHaveLength(10);
    socket.close();
  });
});

describe('robustness', () => {
  it('cuts off a consumer that stops reading instead of buffering without bound', async () => {
    const thread = await startThread(expert, 'landelijk');
    const base = new URL(await wsBase(t.app));
    // A raw client that completes the handshake, subscribes, then never reads again.
    const raw = net.connect(Number(base.port), '127.0.0.1');
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.write(
      `GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: ${PUBLIC_URL}\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise<void>((resolve) => raw.once('data', () => resolve()));
    const payload = Buffer.from(JSON.stringify({ type: 'subscribe', topics: [`thread:${thread.id}`] }));
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
    raw.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    await new Promise((r) => setTimeout(r, 300));
    raw.pause();
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    const big = 'x'.repeat(64 * 1024);
    for (let batch = 0; batch < 20; batch++) {
      await t.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 20; i++) await writeEvent(trx, { topic: `thread:${thread.id}`, type: 'post.updated', payload: { big } });
      });
    }
    // The server terminated the socket once its send buffer passed the bound: reading again drains
    // what was buffered and then meets the end, far short of everything that was written.
    let received = 0;
    raw.on('data', (chunk: Buffer) => (received += chunk.length));
    raw.resume();
    await closed;
    expect(received).toBeLessThan(400 * big.length);
  });

  it('closes sockets with 1001 "going away" when the server shuts down', async () => {
    const c = await t.another();
    const socket = await connect(c);
    const { code } = await Promise.all([socket.closed, c.close()]).then(([r]) => r);
    expect(code).toBe(1001);
  });
});
