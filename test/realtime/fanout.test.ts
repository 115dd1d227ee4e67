// Live fan-out writes one pre-framed buffer per event to every socket that may see it: the bytes on
// the wire are a valid websocket frame for each receiver, identical for all of them, and a consumer
// that stops reading is still cut off at 1 MiB while the others get everything.
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';
import { type Frame, connect, wsBase } from '../support/ws';

let t: TestApp;
let expert: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'jeugd', 'open');
  expert = await signUp(t, { role: 'expert' });
});
afterAll(async () => {
  await t.close();
});

const isEvent = (f: Frame) => f.type === 'event';

/** Appends `count` events of about `bytes` each to `topic`, committed at once. */
async function bulkEvents(topic: string, count: number, bytes: number): Promise<void> {
  const filler = 'x'.repeat(bytes);
  await t.db.transaction().execute(async (trx) => {
    await sql`
      with c as (update event_counter set last_id = last_id + ${count} where id = 1 returning last_id)
      insert into event (id, topic, type, payload)
      select c.last_id - ${count} + g, ${topic}, 'post.updated', jsonb_build_object('n', g, 'filler', ${filler}::text)
        from c, generate_series(1, ${count}) g`.execute(trx);
    await sql`select pg_notify('plein_events', '')`.execute(trx);
  });
}

/** A websocket client on a bare TCP socket: subscribes, then reads (or not) raw bytes. */
async function rawClient(topic: string): Promise<{ socket: net.Socket; bytes: Buffer[]; closed: Promise<void> }> {
  const base = new URL(await wsBase(t.app));
  const socket = net.connect(Number(base.port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: ${PUBLIC_URL}\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const bytes: Buffer[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (b) => bytes.push(b));
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  const payload = Buffer.from(JSON.stringify({ type: 'subscribe', topics: [topic] }));
  const mask = Buffer.from([1, 2, 3, 4]);
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]));
  return { socket, bytes, closed };
}

/** Splits server frames (unmasked) out of the bytes after the handshake's blank line. */
function frames(chunks: Buffer[]): Array<{ fin: boolean; opcode: number; text: string; raw: Buffer }> {
  const all = Buffer.concat(chunks);
  let at = all.indexOf('\r\n\r\n') + 4;
  const out = [];
  while (at + 2 <= all.length) {
    const fin = (all[at] & 0x80) !== 0;
    const opcode = all[at] & 0x0f;
    let len = all[at + 1] & 0x7f;
    let head = 2;
    if (len === 126) {
      len = all.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      len = Number(all.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (at + head + len > all.length) break;
    out.push({ fin, opcode, text: all.subarray(at + head, at + head + len).toString(), raw: all.subarray(at, at + head + len) });
    at += head + len;
  }
  return out;
}

describe('live fan-out', () => {
  it('sends every receiver the same bytes: one final text frame per event, the event as JSON', async () => {
    const thread = await startThread(expert, 'jeugd');
    const topic = `thread:${thread.id}`;
    const clients = await Promise.all([rawClient(topic), rawClient(topic), rawClient(topic)]);
    const viaWs = await connect(t.app);
    viaWs.send({ type: 'subscribe', topics: [topic] });
    await viaWs.next((f) => f.type === 'subscribed');
    await new Promise((r) => setTimeout(r, 200));
    // Small (7-bit length), medium (16-bit) and large (64-bit) frames.
    for (const size of [10, 2_000, 70_000]) await bulkEvents(topic, 1, size);
    const received = await viaWs.collect(isEvent, 3);
    expect(received.map((f) => f.data.filler.length)).toEqual([10, 2_000, 70_000]);
    const until = Date.now() + 10_000;
    while (clients.some((c) => frames(c.bytes).filter((f) => f.text.includes('"event"')).length < 3) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const perClient = clients.map((c) => frames(c.bytes).filter((f) => f.text.includes('"type":"event"')));
    for (const list of perClient) {
      expect(list.map((f) => [f.fin, f.opcode])).toEqual([
        [true, 1],
        [true, 1],
        [true, 1],
      ]);
      expect(list.map((f) => JSON.parse(f.text))).toEqual(received.map((f) => ({ type: 'event', id: f.id, topic, event: 'post.updated', data: f.data })));
    }
    expect(perClient[1].map((f) => f.raw)).toEqual(perClient[0].map((f) => f.raw));
    expect(perClient[2].map((f) => f.raw)).toEqual(perClient[0].map((f) => f.raw));
    for (const c of clients) c.socket.destroy();
    viaWs.close();
  });

  it('cuts off a live consumer that stops reading once 1 MiB waits for it; the others get every event', async () => {
    const thread = await startThread(expert, 'jeugd');
    const topic = `thread:${thread.id}`;
    const stalled = await rawClient(topic);
    const healthy = await connect(t.app);
    healthy.send({ type: 'subscribe', topics: [topic] });
    await healthy.next((f) => f.type === 'subscribed');
    await new Promise((r) => setTimeout(r, 200));
    stalled.socket.pause(); // reads nothing more: the kernel's buffers fill (several MB on loopback), then the server's
    for (let i = 0; i < 12; i++) await bulkEvents(topic, 10, 200_000); // 24 MB
    expect(await healthy.collect(isEvent, 120, 50_000)).toHaveLength(120);
    stalled.socket.resume();
    await stalled.closed;
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    healthy.close();
  }, 90_000);
});
