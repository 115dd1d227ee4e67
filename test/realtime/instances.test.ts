import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { type TestApp, type TestUser, browser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';
import { type Frame, connect } from '../support/ws';

let t: TestApp;
let b: FastifyInstance;
let expert: TestUser;
let onA: TestUser;
let onB: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  b = await t.another();
  await createChannel(t, 'jeugd', 'open');
  expert = await signUp(t, { role: 'expert' });
  onA = await signUp(t);
  onB = await signUp(t);
});
afterAll(async () => {
  await t.close();
});

const replies = (f: Frame) => f.type === 'event' && f.event === 'reply.created';

describe('two instances on one database', () => {
  it('replies posted concurrently through A and B reach clients on both, in id order and exactly once; a late client replays the same sequence', async () => {
    const thread = await startThread(expert, 'jeugd');
    const topic = `thread:${thread.id}`;
    const page = await browser(t.app).get(`/api/threads/${thread.id}`).expect(200);
    const clientA = await connect(t.app);
    const clientB = await connect(b);
    for (const c of [clientA, clientB]) {
      c.send({ type: 'subscribe', topics: [topic] });
      await c.next((f) => f.type === 'subscribed');
    }

    const agentB = browser(b);
    await agentB.post('/api/auth/login').send({ email: onB.email, password: onB.password }).expect(200);
    const post = async (agent: ReturnType<typeof browser>, label: string, n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const res = await agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>${label} ${i}</p>` });
        expect(res.status).toBe(201);
        ids.push(res.body.post.id);
      }
      return ids;
    };
    // Writers on both instances at the same time.
    const [viaA, viaB] = await Promise.all([post(onA.agent, 'via A', 12), post(agentB, 'via B', 12)]);
    const all = new Set([...viaA, ...viaB]);

    const sequences: string[][] = [];
    for (const c of [clientA, clientB]) {
      const frames = await c.collect(replies, 24);
      const eventIds = frames.map((f) => BigInt(f.id!));
      expect(eventIds.every((id, i) => i === 0 || id > eventIds[i - 1])).toBe(true);
      const postIds = frames.map((f) => f.data.post.id as string);
      expect(new Set(postIds)).toEqual(all);
      // Each instance's own writes keep their order within the merged stream.
      expect(postIds.filter((id) => viaA.includes(id))).toEqual(viaA);
      expect(postIds.filter((id) => viaB.includes(id))).toEqual(viaB);
      sequences.push(frames.map((f) => f.id!));
    }
    // Both instances deliver the very same sequence.
    expect(sequences[0]).toEqual(sequences[1]);

    // A client that loaded the page before all this and connects to B now replays the same sequence.
    const late = await connect(b);
    late.send({ type: 'subscribe', topics: [topic], lastEventId: page.body.lastEventId });
    expect((await late.collect(replies, 24)).map((f) => f.id)).toEqual(sequences[0]);

    // No duplicates arrive later.
    for (const c of [clientA, clientB, late]) {
      c.send({ type: 'ping' });
      await c.next((f) => f.type === 'pong');
      expect(c.frames.filter(replies)).toHaveLength(24);
      c.close();
    }
  });

  it('a client that reconnects to the other instance resumes from its last event without loss', async () => {
    const thread = await startThread(expert, 'jeugd');
    const topic = `thread:${thread.id}`;
    const first = await connect(t.app);
    first.send({ type: 'subscribe', topics: [topic] });
    await first.next((f) => f.type === 'subscribed');
    const res = await onA.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Een</p>' }).expect(201);
    const seen = await first.next(replies);
    expect(seen.data.post.id).toBe(res.body.post.id);
    first.close();
    await first.closed;

    const missed: string[] = [];
    for (let i = 0; i < 5; i++) missed.push((await onA.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>Gemist ${i}</p>` }).expect(201)).body.post.id);

    const second = await connect(b);
    second.send({ type: 'subscribe', topics: [topic], lastEventId: seen.id });
    const replayed = await second.collect(replies, 5);
    expect(replayed.map((f) => f.data.post.id)).toEqual(missed);
    const live = (await onA.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Live</p>' }).expect(201)).body.post.id;
    expect((await second.collect(replies, 6))[5].data.post.id).toBe(live);
    second.close();
  });
});
