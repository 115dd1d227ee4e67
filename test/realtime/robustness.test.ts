import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTEN_APPLICATION_NAME } from '../../server/realtime/hub';
import { writeEvent } from '../../server/realtime/outbox';
import { RETENTION_EVENTS, SESSION_ENDED } from '../../server/realtime/plugin';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';
import { type Frame, connect, wsBase } from '../support/ws';

let t: TestApp;
let expert: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert' });
});
afterAll(async () => {
  await t.close();
});

const isEvent = (f: Frame) => f.type === 'event';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function lastEventId(): Promise<string> {
  const row = await t.db.selectFrom('event_counter').select('last_id').where('id', '=', 1).executeTakeFirstOrThrow();
  return String(row.last_id);
}

/** Appends `count` events to `topic` in one set-based statement (for big backlogs). */
async function bulkEvents(topic: string, count: number, options: { bytes?: number; ageHours?: number } = {}): Promise<void> {
  const filler = 'x'.repeat(options.bytes ?? 10);
  await sql`
    with c as (update event_counter set last_id = last_id + ${count} where id = 1 returning last_id)
    insert into event (id, topic, type, payload, created_at)
    select c.last_id - ${count} + g, ${topic}, 'post.updated', jsonb_build_object('n', g, 'filler', ${filler}::text),
           now() - make_interval(hours => ${options.ageHours ?? 0})
      from c, generate_series(1, ${count}) g`.execute(t.db);
}

/** A websocket that completes the handshake and then never reads nor answers pings. */
async function rawSocket(subscribeTo?: string): Promise<net.Socket> {
  const base = new URL(await wsBase(t.app));
  const raw = net.connect(Number(base.port), '127.0.0.1');
  await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
  raw.write(
    `GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: ${PUBLIC_URL}\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve) => raw.once('data', () => resolve()));
  if (subscribeTo) {
    const payload = Buffer.from(JSON.stringify({ type: 'subscribe', topics: [subscribeTo] }));
    const mask = Buffer.from([1, 2, 3, 4]);
    raw.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]));
  }
  return raw;
}

describe('the ordering trap is designed out', () => {
  it('the writer with the lower id commits last: neither the live loop nor a replaying client skips it', async () => {
    const thread = await startThread(expert, 'landelijk');
    const topic = `thread:${thread.id}`;
    const live = await connect(t.app);
    live.send({ type: 'subscribe', topics: [topic] });
    await live.next((f) => f.type === 'subscribed');
    const before = await lastEventId();

    // Writer A takes the lower id and keeps its transaction open.
    let releaseA!: () => void;
    const aHolds = new Promise<void>((resolve) => (releaseA = resolve));
    let idA = '';
    const a = t.db.transaction().execute(async (trx) => {
      idA = await writeEvent(trx, { topic, type: 'post.updated', payload: { n: 'A' } });
      await aHolds;
    });
    await waitFor(() => idA !== '', 'writer A to take its id');

    // Writer B starts meanwhile. With a plain sequence it would take the next id and commit first,
    // and a reader that saw it would move past A's id. Here it cannot take an id until A commits.
    let idB = '';
    let bCommitted = false;
    const b = t.db
      .transaction()
      .execute(async (trx) => {
        idB = await writeEvent(trx, { topic, type: 'post.updated', payload: { n: 'B' } });
      })
      .then(() => (bCommitted = true));

    // A client replays from before both writers while A is still open: nothing is visible yet.
    const replaying = await connect(t.app);
    replaying.send({ type: 'subscribe', topics: [topic], lastEventId: before });
    await replaying.next((f) => f.type === 'subscribed');
    replaying.send({ type: 'ping' });
    await replaying.next((f) => f.type === 'pong');
    const visible = await t.db.selectFrom('event').select('id').where('id', '>', before).execute();
    expect(visible).toHaveLength(0);
    expect(bCommitted).toBe(false);

    releaseA();
    await Promise.all([a, b]);
    expect(BigInt(idB)).toBe(BigInt(idA) + 1n);

    for (const socket of [live, replaying]) {
      const frames = await socket.collect(isEvent, 2);
      expect(frames.map((f) => [f.id, f.data.n])).toEqual([
        [idA, 'A'],
        [idB, 'B'],
      ]);
    }
    // A fresh replay from before both sees both too, and nothing twice anywhere.
    const late = await connect(t.app);
    late.send({ type: 'subscribe', topics: [topic], lastEventId: before });
    expect((await late.collect(isEvent, 2)).map((f) => f.id)).toEqual([idA, idB]);
    for (const socket of [live, replaying, late]) {
      socket.send({ type: 'ping' });
      await socket.collect((f) => f.type === 'pong', socket === replaying ? 2 : 1);
      expect(socket.frames.filter(isEvent)).toHaveLength(2);
      socket.close();
    }
  });

  it('replay and live meet without a gap or a duplicate while events keep coming', async () => {
    const thread = await startThread(expert, 'landelijk');
    const topic = `thread:${thread.id}`;
    const before = await lastEventId();
    const written: string[] = [];
    let writing = true;
    const writer = (async () => {
      while (writing || written.length < 40) {
        written.push(await t.db.transaction().execute((trx) => writeEvent(trx, { topic, type: 'post.updated', payload: { i: written.length } })));
      }
    })();
    // Subscribe mid-stream with a replay from before the first write.
    await waitFor(() => written.length >= 10, 'some events');
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [topic], lastEventId: before });
    await waitFor(() => written.length >= 30, 'more events');
    writing = false;
    await writer;
    const frames = await socket.collect(isEvent, written.length);
    expect(frames.map((f) => f.id)).toEqual(written);
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    expect(socket.frames.filter(isEvent)).toHaveLength(written.length);
    socket.close();
  });
});

describe('replay', () => {
  it('delivers a large backlog (20 MB) completely and in order to a client that is briefly slow', async () => {
    const thread = await startThread(expert, 'landelijk');
    const topic = `thread:${thread.id}`;
    const before = await lastEventId();
    await bulkEvents(topic, 1000, { bytes: 20_000 }); // 20 MB: far more than one send buffer
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [topic], lastEventId: before });
    // The client is briefly slow (stops reading for a moment): the replay waits for it instead of
    // treating it as a dead consumer.
    const tcp = (socket.ws as unknown as { _socket: net.Socket })._socket;
    tcp.pause();
    await sleep(1000);
    tcp.resume();
    const frames = await socket.collect(isEvent, 1000, 60_000);
    expect(frames.map((f) => f.data.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it('answers replay_gap for an id this database never issued', async () => {
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: ['channel:landelijk'], lastEventId: '999999999999' });
    expect((await socket.next((f) => f.type === 'error')).code).toBe('replay_gap');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it('accepts lastEventId as a number too, and treats one beyond bigint as a gap', async () => {
    const thread = await startThread(expert, 'landelijk');
    const before = await lastEventId();
    const id = await t.db.transaction().execute((trx) => writeEvent(trx, { topic: `thread:${thread.id}`, type: 'post.updated', payload: { n: 1 } }));
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${thread.id}`], lastEventId: Number(before) });
    expect((await socket.next(isEvent)).id).toBe(id);
    socket.send({ type: 'subscribe', topics: [`thread:${thread.id}`], lastEventId: '9999999999999999999' });
    expect((await socket.next((f) => f.type === 'error')).code).toBe('replay_gap');
    socket.close();
  });

  it('rejects a malformed lastEventId with an error frame', async () => {
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: ['channel:landelijk'], lastEventId: 'gisteren' });
    expect((await socket.next((f) => f.type === 'error')).code).toBe('invalid_frame');
    socket.close();
  });
});

describe('retention', () => {
  it('trims only events older than 24 hours that are not among the newest 100,000, as a prefix; older replays get replay_gap', async () => {
    const thread = await startThread(expert, 'landelijk');
    const topic = `thread:${thread.id}`;
    // Everything so far is old, plus 100,050 more old events.
    await sql`update event set created_at = now() - interval '48 hours'`.execute(t.db);
    const start = BigInt(await lastEventId());
    await bulkEvents(topic, RETENTION_EVENTS + 50, { ageHours: 48 });
    const lastOfTopic = BigInt(await lastEventId());
    // The bulk insert sends no NOTIFY: the hub's poll finds it later and delivers it live, which would
    // reach the replay clients below. The hub reads events in id order, so once an event written after
    // the bulk reaches a subscriber of another topic, that delivery is over.
    const observer = await connect(t.app);
    observer.send({ type: 'subscribe', topics: ['channel:landelijk'] });
    await observer.next((f) => f.type === 'subscribed');
    await startThread(expert, 'landelijk');
    await observer.next(isEvent, 60_000);
    observer.close();
    const last = BigInt(await lastEventId());
    // One event inside the window that is young: it and everything after it stay.
    const young = start + 20n;
    await t.db.updateTable('event').set({ created_at: new Date() }).where('id', '=', young.toString()).execute();

    const deleted = await t.app.realtime.trim();
    expect(deleted).toBe(Number(young) - 1);
    const kept = await t.db.selectFrom('event').select([(eb) => eb.fn.min('id').as('min'), (eb) => eb.fn.countAll().as('n')]).executeTakeFirstOrThrow();
    expect(BigInt(String(kept.min))).toBe(young);
    expect(BigInt(String(kept.n))).toBe(last - young + 1n);

    // Now the young event ages: the newest 100,000 are still kept.
    await t.db.updateTable('event').set({ created_at: new Date(Date.now() - 48 * 3600 * 1000) }).where('id', '=', young.toString()).execute();
    await t.app.realtime.trim();
    const after = await t.db.selectFrom('event').select([(eb) => eb.fn.min('id').as('min'), (eb) => eb.fn.countAll().as('n')]).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(RETENTION_EVENTS);
    expect(BigInt(String(after.min))).toBe(last - BigInt(RETENTION_EVENTS) + 1n);

    const tooOld = await connect(t.app);
    tooOld.send({ type: 'subscribe', topics: [topic], lastEventId: (last - BigInt(RETENTION_EVENTS) - 1n).toString() });
    expect((await tooOld.next((f) => f.type === 'error')).code).toBe('replay_gap');
    expect(tooOld.frames.filter(isEvent)).toHaveLength(0);
    tooOld.close();

    const justKept = await connect(t.app);
    justKept.send({ type: 'subscribe', topics: [topic], lastEventId: (lastOfTopic - 3n).toString() });
    expect((await justKept.collect(isEvent, 3)).map((f) => BigInt(f.id!))).toEqual([lastOfTopic - 2n, lastOfTopic - 1n, lastOfTopic]);
    justKept.send({ type: 'ping' });
    await justKept.next((f) => f.type === 'pong');
    expect(justKept.frames.some((f) => f.type === 'error')).toBe(false);
    justKept.close();
  });
});

describe('connections', () => {
  it('limits the inbound frame rate per socket with error frames, and the socket stays up', async () => {
    const socket = await connect(t.app);
    for (let i = 0; i < 100; i++) socket.send({ type: 'ping' });
    const limited = await socket.next((f) => f.type === 'error' && f.code === 'rate_limited');
    expect(limited.code).toBe('rate_limited');
    const answered = (await socket.collect((f) => f.type === 'pong', 1)).length;
    expect(answered).toBeGreaterThan(0);
    await socket.collect((f) => f.type === 'pong' || f.type === 'error', 100);
    expect(socket.frames.filter((f) => f.type === 'pong').length).toBeLessThan(100);
    // After a pause the bucket has refilled.
    await sleep(1500);
    const pongs = socket.frames.filter((f) => f.type === 'pong').length;
    socket.send({ type: 'ping' });
    await socket.collect((f) => f.type === 'pong', pongs + 1);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it('closes the sockets of a session that ended (logout), and keeps the others', async () => {
    const member = await signUp(t);
    const other = await signUp(t);
    const a = await connect(t.app, { cookie: member.cookie });
    const b = await connect(t.app, { cookie: member.cookie });
    const c = await connect(t.app, { cookie: other.cookie });
    const anon = await connect(t.app);
    for (const s of [a, b, c, anon]) {
      s.send({ type: 'ping' });
      await s.next((f) => f.type === 'pong');
    }
    await member.agent.post('/api/auth/logout').expect(204);
    await t.app.realtime.checkSessions();
    expect((await a.closed).code).toBe(SESSION_ENDED);
    expect((await b.closed).code).toBe(SESSION_ENDED);
    for (const s of [c, anon]) {
      s.send({ type: 'ping' });
      await s.collect((f) => f.type === 'pong', 2);
      expect(s.ws.readyState).toBe(s.ws.OPEN);
      s.close();
    }
  });

  it('heartbeat: terminates a socket that does not answer pings, keeps one that does', async () => {
    const silent = await rawSocket();
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    silent.on('data', () => {}); // reads, but never answers a ping
    const healthy = await connect(t.app);
    let pings = 0;
    healthy.ws.on('ping', () => pings++);

    t.app.realtime.heartbeat();
    await waitFor(() => pings === 1, 'the first ping');
    // The automatic pong precedes this frame on the wire, so the server has seen it once it answers.
    healthy.send({ type: 'ping' });
    await healthy.next((f) => f.type === 'pong');
    t.app.realtime.heartbeat();
    await silentClosed;
    await waitFor(() => pings === 2, 'the second ping');
    healthy.send({ type: 'ping' });
    await healthy.collect((f) => f.type === 'pong', 2);
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    healthy.close();
  });

  it('unsubscribe stops the events of that topic only', async () => {
    const one = await startThread(expert, 'landelijk');
    const two = await startThread(expert, 'landelijk');
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${one.id}`, `thread:${two.id}`] });
    await socket.next((f) => f.type === 'subscribed');
    socket.send({ type: 'unsubscribe', topics: [`thread:${one.id}`] });
    await socket.next((f) => f.type === 'unsubscribed');
    await t.db.transaction().execute(async (trx) => {
      await writeEvent(trx, { topic: `thread:${one.id}`, type: 'post.updated', payload: { n: 1 } });
      await writeEvent(trx, { topic: `thread:${two.id}`, type: 'post.updated', payload: { n: 2 } });
    });
    expect((await socket.next(isEvent)).topic).toBe(`thread:${two.id}`);
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    expect(socket.frames.filter(isEvent)).toHaveLength(1);
    socket.close();
  });

  it('allows at most 50 topics per socket, counted across frames', async () => {
    const channel = await t.db.selectFrom('channel').select('id').where('slug', '=', 'landelijk').executeTakeFirstOrThrow();
    const rows = await t.db
      .insertInto('thread')
      .values(Array.from({ length: 60 }, (_, i) => ({ channel_id: channel.id, author_id: expert.id, title: `Draad ${i}`, kind: 'discussion' as const })))
      .returning('id')
      .execute();
    const topics = rows.map((r) => `thread:${r.id}`);
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: topics.slice(0, 40) });
    expect((await socket.next((f) => f.type === 'subscribed')).topics).toHaveLength(40);
    socket.send({ type: 'subscribe', topics: topics.slice(40, 60) });
    expect((await socket.collect((f) => f.type === 'subscribed', 2))[1].topics).toHaveLength(10);
    const refused = await socket.collect((f) => f.type === 'error', 10);
    expect(refused.every((f) => f.code === 'too_many_topics')).toBe(true);
    socket.close();

    // A topic named twice in one frame counts once: 47 + a, a, b, c = 50 topics, all accepted.
    const again = await connect(t.app);
    again.send({ type: 'subscribe', topics: topics.slice(0, 47) });
    await again.next((f) => f.type === 'subscribed');
    again.send({ type: 'subscribe', topics: [topics[47], topics[47], topics[48], topics[49]] });
    expect((await again.collect((f) => f.type === 'subscribed', 2))[1].topics).toHaveLength(4);
    again.send({ type: 'ping' });
    await again.next((f) => f.type === 'pong');
    expect(again.frames.filter((f) => f.type === 'error')).toHaveLength(0);
    again.close();
  });

  it('rejects binary frames with an error frame', async () => {
    const socket = await connect(t.app);
    socket.ws.send(Buffer.from([1, 2, 3]));
    expect((await socket.next((f) => f.type === 'error')).code).toBe('invalid_frame');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it('a handshake without a session cookie needs no Origin (anonymous, public topics only)', async () => {
    const socket = await connect(t.app, { origin: 'https://elders.example' });
    socket.send({ type: 'subscribe', topics: ['channel:landelijk', 'user:me'] });
    expect((await socket.next((f) => f.type === 'subscribed')).topics).toEqual(['channel:landelijk']);
    expect((await socket.next((f) => f.type === 'error')).code).toBe('forbidden_topic');
    socket.close();
  });

  it('moderators may subscribe to mod and receive moderator-only events; members (and demoted moderators) may not', async () => {
    const mod = await signUp(t, { role: 'moderator' });
    const member = await signUp(t);
    const m = await connect(t.app, { cookie: mod.cookie });
    const thread = await startThread(expert, 'landelijk');
    m.send({ type: 'subscribe', topics: ['mod', `thread:${thread.id}`] });
    await m.next((f) => f.type === 'subscribed');
    const x = await connect(t.app, { cookie: member.cookie });
    x.send({ type: 'subscribe', topics: [`thread:${thread.id}`] });
    await x.next((f) => f.type === 'subscribed');
    await t.db.transaction().execute(async (trx) => {
      await writeEvent(trx, { topic: 'mod', type: 'thread.updated', payload: { queue: 1 }, audience: 'moderators' });
      await writeEvent(trx, { topic: `thread:${thread.id}`, type: 'post.updated', payload: { modOnly: true }, audience: 'moderators' });
      await writeEvent(trx, { topic: `thread:${thread.id}`, type: 'post.updated', payload: { everyone: true } });
    });
    expect((await m.collect(isEvent, 3)).map((f) => f.topic)).toEqual(['mod', `thread:${thread.id}`, `thread:${thread.id}`]);
    expect((await x.next(isEvent)).data).toEqual({ everyone: true });
    x.send({ type: 'ping' });
    await x.next((f) => f.type === 'pong');
    expect(x.frames.filter(isEvent)).toHaveLength(1);
    x.close();

    // The moderator steps down: after the periodic check the open socket gets no moderator events.
    await t.db.updateTable('user').set({ role: 'member' }).where('id', '=', mod.id).execute();
    await t.app.realtime.checkSessions();
    await t.db.transaction().execute(async (trx) => {
      await writeEvent(trx, { topic: 'mod', type: 'thread.updated', payload: { queue: 2 }, audience: 'moderators' });
      await writeEvent(trx, { topic: `thread:${thread.id}`, type: 'post.updated', payload: { modOnly: 2 }, audience: 'moderators' });
      await writeEvent(trx, { topic: `thread:${thread.id}`, type: 'post.updated', payload: { everyone: 2 } });
    });
    const fourth = (await m.collect(isEvent, 4))[3];
    expect(fourth.data).toEqual({ everyone: 2 });
    m.send({ type: 'ping' });
    await m.next((f) => f.type === 'pong');
    expect(m.frames.filter(isEvent)).toHaveLength(4);
    m.close();
  });
});

describe('appendEvent', () => {
  it('makes user topics personal by default and refuses an audience nobody matches', async () => {
    await t.db.transaction().execute(async (trx) => {
      const id = await writeEvent(trx, { topic: 'user:42', type: 'notification.created', payload: {} });
      const row = await trx.selectFrom('event').select('audience').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.audience).toBe('user:42');
    });
    await expect(
      t.db.transaction().execute((trx) => writeEvent(trx, { topic: 'mod', type: 'post.hidden', payload: {}, audience: 'moderator' })),
    ).rejects.toThrow(/unknown audience/);
  });
});

describe('the LISTEN connection', () => {
  it('reconnects after the database drops it and keeps delivering', async () => {
    const thread = await startThread(expert, 'landelijk');
    const topic = `thread:${thread.id}`;
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [topic] });
    await socket.next((f) => f.type === 'subscribed');
    const listeners = async () =>
      (
        await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and application_name = ${LISTEN_APPLICATION_NAME}`.execute(t.db)
      ).rows.map((r) => r.pid);
    const old = await listeners();
    expect(old.length).toBeGreaterThan(0);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = ${LISTEN_APPLICATION_NAME}`.execute(t.db);
    await waitFor(async () => {
      const now = await listeners();
      return t.app.realtime.listening && now.length >= old.length && now.every((pid) => !old.includes(pid));
    }, 'a new LISTEN connection', 30_000);
    const id = await t.db.transaction().execute((trx) => writeEvent(trx, { topic, type: 'post.updated', payload: { after: 'reconnect' } }));
    expect((await socket.next(isEvent)).id).toBe(id);
    socket.close();
  });
});
