// Replay tells the truth as of now: an event about a post or thread that was hidden, deleted or edited
// since it was written reaches a reader as that reader may see it now, never with the stored old text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { type Frame, connect } from '../support/ws';

let t: TestApp;
let expert: TestUser;
let author: TestUser;
let reader: TestUser;
let mod: TestUser;
let threadId: string;
let openingPostId: string;
let edited: string;
let deleted: string;
let hidden: string;
let hiddenThread: { id: string; postId: string };
let deletedThreadId: string;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert' });
  author = await signUp(t);
  reader = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });

  const thread = await startThread(expert, 'landelijk', { title: 'Vraag over de Wmo', body: '<p>Een gewone toelichting.</p>' });
  threadId = thread.id;
  openingPostId = thread.postId;
  edited = (await replyTo(author, threadId, '<p>Oude tekst met een adres erin</p>')).id;
  deleted = (await replyTo(author, threadId, '<p>Tekst die verwijderd wordt</p>')).id;
  hidden = (await replyTo(author, threadId, '<p>Tekst die verborgen wordt</p>')).id;
  await author.agent.patch(`/api/posts/${edited}`).send({ body: '<p>Nieuwe tekst</p>' }).expect(200);
  await author.agent.delete(`/api/posts/${deleted}`).expect(204);
  await mod.agent.post(`/api/posts/${hidden}/hide`).send({ reason: 'Persoonsgegevens' }).expect(200);

  // A thread whose opening post is hidden after it was announced on the channel, and one deleted since.
  hiddenThread = await startThread(expert, 'landelijk', { title: 'Casus met naam', body: '<p>Geheime toelichting over mevrouw Jansen</p>' });
  await mod.agent.post(`/api/posts/${hiddenThread.postId}/hide`).send({ reason: 'Cliëntgegevens' }).expect(200);
  const doomed = await startThread(expert, 'landelijk', { title: 'Wordt verwijderd', body: '<p>Weg ermee</p>' });
  deletedThreadId = doomed.id;
  await mod.agent.delete(`/api/posts/${doomed.postId}`).expect(204);
});
afterAll(async () => {
  await t.close();
});

/** Every event of `topic` replayed from 0 to `user` (null: a visitor). The pong marks the replay's end. */
async function replayFromZero(topic: string, user: TestUser | null): Promise<Frame[]> {
  const socket = await connect(t.app, user ? { cookie: user.cookie } : {});
  socket.send({ type: 'subscribe', topics: [topic], lastEventId: '0' });
  socket.send({ type: 'ping' });
  await socket.next((f) => f.type === 'pong');
  socket.close();
  // The replay says where it ends: after its last event, before the pong.
  const types = socket.frames.map((f) => f.type);
  const end = types.indexOf('replayed');
  expect(end).toBeGreaterThan(types.lastIndexOf('event'));
  expect(end).toBeLessThan(types.indexOf('pong'));
  return socket.frames.filter((f) => f.type === 'event');
}

const postsIn = (frames: Frame[], type: string, id: string) => frames.filter((f) => f.event === type && f.data.post?.id === id).map((f) => f.data.post);

describe('replay from 0 shows posts as they are now', () => {
  it('a visitor and a member get the edited text, a tombstone for the deleted reply, and the hidden placeholder', async () => {
    for (const viewer of [null, reader]) {
      const frames = await replayFromZero(`thread:${threadId}`, viewer);
      const text = JSON.stringify(frames);
      expect(text).not.toContain('Oude tekst');
      expect(text).not.toContain('verwijderd wordt');
      expect(text).not.toContain('verborgen wordt');
      expect(text).not.toContain('Persoonsgegevens');
      expect(postsIn(frames, 'reply.created', edited)).toEqual([expect.objectContaining({ body: '<p>Nieuwe tekst</p>' })]);
      expect(postsIn(frames, 'reply.created', deleted)).toEqual([{ id: deleted, threadId, deleted: true }]);
      const hiddenCreated = postsIn(frames, 'reply.created', hidden);
      expect(hiddenCreated).toHaveLength(1);
      expect(hiddenCreated[0]).toMatchObject({ hidden: true, body: '', attachments: [] });
      // Moderator-only events (who hid it and why) are not replayed to them at all.
      expect(frames.filter((f) => f.data.moderation)).toEqual([]);
    }
  });

  it('the author sees their hidden reply whole, and the edited and deleted ones as now', async () => {
    const frames = await replayFromZero(`thread:${threadId}`, author);
    const text = JSON.stringify(frames);
    expect(text).not.toContain('Oude tekst');
    expect(text).not.toContain('verwijderd wordt');
    expect(postsIn(frames, 'reply.created', hidden)).toEqual([expect.objectContaining({ hidden: true, body: '<p>Tekst die verborgen wordt</p>', hiddenReason: 'Persoonsgegevens' })]);
    expect(postsIn(frames, 'reply.created', deleted)).toEqual([{ id: deleted, threadId, deleted: true }]);
  });

  it('a moderator sees the hidden reply whole, never the text from before an edit', async () => {
    const frames = await replayFromZero(`thread:${threadId}`, mod);
    const text = JSON.stringify(frames);
    expect(text).not.toContain('Oude tekst');
    expect(text).not.toContain('verwijderd wordt');
    expect(postsIn(frames, 'reply.created', hidden)[0]).toMatchObject({ body: '<p>Tekst die verborgen wordt</p>', hiddenReason: 'Persoonsgegevens' });
    // The moderators' own event of the hide is replayed to them, with the post as it is now.
    expect(frames.some((f) => f.event === 'post.updated' && f.data.moderation?.action === 'hide' && f.data.post.id === hidden)).toBe(true);
  });

  it('live delivery is unchanged: an edit after subscribing arrives once, in order, with its new text', async () => {
    const socket = await connect(t.app);
    socket.send({ type: 'subscribe', topics: [`thread:${threadId}`], lastEventId: '0' });
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
    await author.agent.patch(`/api/posts/${edited}`).send({ body: '<p>Derde versie</p>' }).expect(200);
    const frame = await socket.next((f) => f.type === 'event' && f.event === 'post.updated' && f.data.post?.body === '<p>Derde versie</p>');
    const ids = socket.frames.filter((f) => f.type === 'event').map((f) => BigInt(f.id!));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(frame.data.post.id).toBe(edited);
    socket.close();
  });
});

describe('replay from 0 shows thread summaries as they are now', () => {
  it('a thread whose opening post was hidden since carries no excerpt; a deleted thread is a tombstone', async () => {
    for (const viewer of [null, reader, mod]) {
      const frames = await replayFromZero('channel:landelijk', viewer);
      expect(JSON.stringify(frames)).not.toContain('mevrouw Jansen');
      const created = frames.filter((f) => f.event === 'thread.created').map((f) => f.data.thread);
      expect(created.find((th) => th.id === hiddenThread.id)).toMatchObject({ title: 'Casus met naam', excerpt: '' });
      expect(created.find((th) => th.id === deletedThreadId)).toEqual({ id: deletedThreadId, deleted: true });
    }
  });

  it('a title changed since is replayed with the current title', async () => {
    await expert.agent.patch(`/api/posts/${openingPostId}`).send({ title: 'Vraag over de Wmo 2015' }).expect(200);
    const frames = await replayFromZero('channel:landelijk', null);
    const created = frames.filter((f) => f.event === 'thread.created' && f.data.thread.id === threadId);
    expect(created.map((f) => f.data.thread.title)).toEqual(['Vraag over de Wmo 2015']);
  });
});
