// The page cache on two instances: B keeps anonymous pages and lists in memory, writes go through A,
// and every event type that changes a public page must reach B's readers once B has applied it.
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let b: FastifyInstance;
let expert: TestUser;
let member: TestUser;
let mod: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp({ pageCacheBytes: 16 * 1024 * 1024 });
  b = await t.another();
  await createChannel(t, 'jeugd', 'open');
  await createChannel(t, 'wmo', 'open');
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
  admin = await signUp(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

/** Waits until instance B has applied every event written so far. */
async function bCaughtUp(): Promise<void> {
  const { last_id } = await t.db.selectFrom('event_counter').select('last_id').where('id', '=', 1).executeTakeFirstOrThrow();
  for (let i = 0; i < 500; i++) {
    if ((b.realtime.lastDeliveredId ?? 0n) >= BigInt(last_id)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('instance B did not apply the events');
}

const anon = (path: string) => request(b.server).get(path);

/** Reads `path` anonymously on B until it is served from B's cache; returns that cached answer. */
async function warm(path: string) {
  await bCaughtUp();
  await anon(path).expect(200);
  const res = await anon(path).expect(200);
  expect(res.headers['x-page-cache']).toBe('hit');
  return res;
}

describe('the page cache follows the event log on every instance', () => {
  it('reply.created (and the counts’ thread.updated): the reply is in the next anonymous read after B applied its event', async () => {
    const thread = await startThread(expert, 'jeugd');
    const before = await warm(`/api/threads/${thread.id}`);
    expect(before.body.replies.items).toHaveLength(0);
    const list = await warm('/api/channels/jeugd/threads');
    const home = await warm('/api/channels');
    const reply = await replyTo(member, thread.id, '<p>Bij ons via de wijkteams.</p>');
    await bCaughtUp();
    const after = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(after.headers['x-page-cache']).toBe('miss');
    expect(after.body.replies.items.map((p: { id: string }) => p.id)).toEqual([reply.id]);
    expect(after.body.thread.replyCount).toBe(1);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const count = (res: request.Response) => res.body.items.find((i: { id: string }) => i.id === thread.id).replyCount;
    expect(count(list)).toBe(0);
    expect(count(await anon('/api/channels/jeugd/threads').expect(200))).toBe(1);
    const latest = (res: request.Response) => res.body.items.find((c: { slug: string }) => c.slug === 'jeugd').latestThread?.id;
    expect(home.body).toBeDefined();
    expect(latest(await anon('/api/channels').expect(200))).toBe(thread.id);
    // A page of replies after a cursor is cached too, and follows the same events.
    const replies = await warm(`/api/threads/${thread.id}/replies?limit=1`);
    expect(replies.body.items).toHaveLength(1);
    await replyTo(member, thread.id, '<p>Tweede.</p>');
    await bCaughtUp();
    expect((await anon(`/api/threads/${thread.id}/replies?limit=1`).expect(200)).body.nextCursor).not.toBeNull();
  });

  it('thread.created: a new thread appears in the cached channel list', async () => {
    await warm('/api/channels/wmo/threads');
    const thread = await startThread(expert, 'wmo', { title: 'Een nieuwe vraag over de Wmo' });
    await bCaughtUp();
    const res = await anon('/api/channels/wmo/threads').expect(200);
    expect(res.body.items[0].id).toBe(thread.id);
  });

  it('thread.updated (edit of the opening post): title and excerpt change on the page and in the list', async () => {
    const thread = await startThread(expert, 'jeugd', { title: 'Oude titel van deze vraag' });
    await warm(`/api/threads/${thread.id}`);
    await warm('/api/channels/jeugd/threads');
    await expert.agent.patch(`/api/posts/${thread.postId}`).send({ title: 'Nieuwe titel van deze vraag', body: '<p>Nieuwe toelichting.</p>' }).expect(200);
    await bCaughtUp();
    const page = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(page.body.thread.title).toBe('Nieuwe titel van deze vraag');
    expect(page.body.thread.body).toContain('Nieuwe toelichting');
    const item = (await anon('/api/channels/jeugd/threads').expect(200)).body.items.find((i: { id: string }) => i.id === thread.id);
    expect(item.title).toBe('Nieuwe titel van deze vraag');
  });

  it('post.updated: an edited reply, a deleted reply', async () => {
    const thread = await startThread(expert, 'jeugd');
    const reply = await replyTo(member, thread.id, '<p>Eerste versie.</p>');
    const gone = await replyTo(member, thread.id, '<p>Wordt verwijderd.</p>');
    await warm(`/api/threads/${thread.id}`);
    await member.agent.patch(`/api/posts/${reply.id}`).send({ body: '<p>Tweede versie.</p>' }).expect(200);
    await bCaughtUp();
    const edited = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(edited.body.replies.items[0].body).toContain('Tweede versie');
    await warm(`/api/threads/${thread.id}`);
    await member.agent.delete(`/api/posts/${gone.id}`).expect(204);
    await bCaughtUp();
    expect((await anon(`/api/threads/${thread.id}`).expect(200)).body.replies.items.map((p: { id: string }) => p.id)).toEqual([reply.id]);
  });

  it('post.hidden and post.updated (unhide): hidden for visitors; whole for the author and moderators through their overlay', async () => {
    const thread = await startThread(expert, 'jeugd');
    const reply = await replyTo(member, thread.id, '<p>Mevrouw Jansen woont op de Dorpsstraat 12.</p>');
    await warm(`/api/threads/${thread.id}`);
    await mod.agent.post(`/api/posts/${reply.id}/hide`).send({ reason: 'Persoonsgegevens' }).expect(200);
    await bCaughtUp();
    const visitor = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(visitor.body.replies.items[0]).toMatchObject({ hidden: true, body: '' });
    expect(visitor.text).not.toContain('Dorpsstraat 12');
    // Signed-in readers on B: the cached public page plus what they may see.
    for (const [who, sees] of [[member, true], [mod, true], [expert, false]] as const) {
      const res = await request(b.server).get(`/api/threads/${thread.id}`).set('cookie', who.cookie).expect(200);
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(res.body.replies.items[0].body.includes('Dorpsstraat 12')).toBe(sees);
      if (sees) expect(res.body.replies.items[0].hiddenReason).toBe('Persoonsgegevens');
      else expect(res.body.replies.items[0].hiddenReason).toBeUndefined();
    }
    // The anonymous page is still the cached one, untouched by the overlays.
    const again = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(again.headers['x-page-cache']).toBe('hit');
    expect(again.text).not.toContain('Dorpsstraat 12');
    await mod.agent.post(`/api/posts/${reply.id}/unhide`).send({}).expect(200);
    await bCaughtUp();
    expect((await anon(`/api/threads/${thread.id}`).expect(200)).body.replies.items[0].body).toContain('Dorpsstraat 12');
  });

  it('post.hidden on the opening post: its excerpt leaves the cached channel list (the list follows its threads’ topics)', async () => {
    const thread = await startThread(expert, 'jeugd', { body: '<p>Een toelichting met een fout.</p>' });
    const excerptOf = (res: request.Response) => res.body.items.find((i: { id: string }) => i.id === thread.id).excerpt;
    expect(excerptOf(await warm('/api/channels/jeugd/threads'))).toContain('fout');
    await warm(`/api/threads/${thread.id}`);
    await mod.agent.post(`/api/posts/${thread.postId}/hide`).send({ reason: 'Onjuist' }).expect(200);
    await bCaughtUp();
    expect(excerptOf(await anon('/api/channels/jeugd/threads').expect(200))).toBe('');
    const page = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(page.body.thread).toMatchObject({ hidden: true, body: '' });
    const asAuthor = await request(b.server).get(`/api/threads/${thread.id}`).set('cookie', expert.cookie).expect(200);
    expect(asAuthor.body.thread.body).toContain('fout');
  });

  it('thread.updated (pin, lock, move, delete): page and lists follow', async () => {
    const thread = await startThread(expert, 'jeugd');
    await warm(`/api/threads/${thread.id}`);
    await mod.agent.post(`/api/threads/${thread.id}/pin`).send({}).expect(200);
    await mod.agent.post(`/api/threads/${thread.id}/lock`).send({}).expect(200);
    await bCaughtUp();
    expect((await anon(`/api/threads/${thread.id}`).expect(200)).body.thread).toMatchObject({ pinned: true, locked: true });

    await warm('/api/channels/jeugd/threads');
    await warm('/api/channels/wmo/threads');
    await warm(`/api/threads/${thread.id}`);
    await mod.agent.post(`/api/threads/${thread.id}/move`).send({ channelSlug: 'wmo' }).expect(200);
    await bCaughtUp();
    expect((await anon(`/api/threads/${thread.id}`).expect(200)).body.thread.channelSlug).toBe('wmo');
    const ids = async (slug: string) => (await anon(`/api/channels/${slug}/threads`).expect(200)).body.items.map((i: { id: string }) => i.id);
    expect(await ids('jeugd')).not.toContain(thread.id);
    expect(await ids('wmo')).toContain(thread.id);

    await warm(`/api/threads/${thread.id}`);
    await warm('/api/channels/wmo/threads');
    await mod.agent.delete(`/api/posts/${thread.postId}`).expect(204);
    await bCaughtUp();
    await anon(`/api/threads/${thread.id}`).expect(404);
    expect(await ids('wmo')).not.toContain(thread.id);
  });

  it('video_session.updated: the session appears; a registrant sees their own registration through the overlay', async () => {
    const thread = await startThread(expert, 'jeugd');
    expect((await warm(`/api/threads/${thread.id}`)).body.thread.videoSession).toBeNull();
    const created = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({ title: 'Sessie' }).expect(201);
    await bCaughtUp();
    const page = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(page.body.thread.videoSession.id).toBe(created.body.videoSession.id);
    await warm(`/api/threads/${thread.id}`);
    await member.agent.post(`/api/video-sessions/${created.body.videoSession.id}/interest`).send({}).expect(200);
    await bCaughtUp();
    const visitor = await anon(`/api/threads/${thread.id}`).expect(200);
    expect(visitor.body.thread.videoSession).toMatchObject({ interestCount: 1, myInterest: false });
    const asMember = await request(b.server).get(`/api/threads/${thread.id}`).set('cookie', member.cookie).expect(200);
    expect(asMember.body.thread.videoSession.myInterest).toBe(true);
  });

  it('channel.created: the cached list of channels shows a new channel', async () => {
    await warm('/api/channels');
    await admin.agent.post('/api/channels').send({ slug: 'armoede', name: 'Armoede', description: '', postingPolicy: 'open' }).expect(201);
    await bCaughtUp();
    expect((await anon('/api/channels').expect(200)).body.items.map((c: { slug: string }) => c.slug)).toContain('armoede');
  });
});

describe('events that change no public page', () => {
  it('a report (mod topic) and a notification (user topic) leave the cached page in place', async () => {
    const thread = await startThread(expert, 'jeugd');
    const reply = await replyTo(member, thread.id, '<p>Lees dit.</p>');
    await warm(`/api/threads/${thread.id}`);
    await expert.agent.post('/api/reports').send({ postId: reply.id, reason: 'Klopt niet' }).expect(201);
    const { count } = await t.db.selectFrom('event').select((eb) => eb.fn.countAll<string>().as('count')).where('topic', 'in', ['mod']).executeTakeFirstOrThrow();
    expect(Number(count)).toBeGreaterThan(0);
    await bCaughtUp();
    expect((await anon(`/api/threads/${thread.id}`).expect(200)).headers['x-page-cache']).toBe('hit');
  });
});

describe('HTTP caching of pages and lists', () => {
  it('anonymous answers are public but revalidated, with an ETag that answers 304; signed-in answers are private', async () => {
    const thread = await startThread(expert, 'jeugd');
    for (const path of [`/api/threads/${thread.id}`, '/api/channels/jeugd/threads', '/api/channels']) {
      const first = await anon(path).expect(200);
      expect(first.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
      const etag = first.headers.etag;
      expect(etag).toMatch(/^"\d+-[\w-]+"$/);
      const again = await anon(path).set('if-none-match', etag).expect(304);
      expect(again.text).toBeFalsy();
      await anon(path).set('if-none-match', '"1-other"').expect(200);
      // The other instance has the same content under the same ETag.
      await request(t.app.server).get(path).set('if-none-match', etag).expect(304);
      const signedIn = await request(b.server).get(path).set('cookie', member.cookie).expect(200);
      expect(signedIn.headers['cache-control']).toBe('private, no-store');
      await request(b.server).get(path).set('cookie', member.cookie).set('if-none-match', signedIn.headers.etag).expect(304);
    }
    // Compressed once when cached, for clients that accept gzip (another representation, another ETag).
    const plain = await anon(`/api/threads/${thread.id}`).set('accept-encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await anon(`/api/threads/${thread.id}`).set('accept-encoding', 'gzip, deflate, br').expect(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body).toEqual(plain.body);
    expect(zipped.headers.etag).toBe(`${plain.headers.etag.slice(0, -1)}-gz"`);
    expect(zipped.headers.vary).toBe('Cookie, Accept-Encoding');
    await anon(`/api/threads/${thread.id}`).set('accept-encoding', 'identity').set('if-none-match', zipped.headers.etag).expect(304);
    // A cookie that holds no session is a visitor: the public answer.
    const stale = await anon(`/api/threads/${thread.id}`).set('cookie', 'plein_session=nope; other=1').expect(200);
    expect(stale.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    // After a reply the old ETag no longer matches.
    const { etag } = (await anon(`/api/threads/${thread.id}`).expect(200)).headers;
    await replyTo(member, thread.id);
    await bCaughtUp();
    await anon(`/api/threads/${thread.id}`).set('if-none-match', etag).expect(200);
  });

  it('bad input stays a 4xx and is not cached', async () => {
    await anon('/api/threads/999999999').expect(404);
    await anon('/api/channels/bestaat-niet/threads').expect(404);
    expect((await anon('/api/channels/jeugd/threads?cursor=kapot').expect(400)).body.error.code).toBe('invalid_cursor');
  });
});
