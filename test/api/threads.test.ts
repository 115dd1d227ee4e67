import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
let member: TestUser;
let other: TestUser;
let moderator: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  await createChannel(t, 'wmo', 'open');
  expert = await signUp(t, { role: 'expert', displayName: 'Els Expert', jobTitle: 'Directeur Expertise Platform', organisation: 'Academie Sociaal Domein' });
  member = await signUp(t, { displayName: 'Mo Medewerker' });
  other = await signUp(t, { displayName: 'Ola Ander' });
  moderator = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

const countRows = async (table: 'post' | 'thread' | 'event') =>
  Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('starting threads', () => {
  it('lets an expert ask a question in an experts_ask channel, with the author card', async () => {
    const res = await expert.agent.post('/api/channels/landelijk/threads').send({
      title: 'Hoe betrekken jullie ervaringsdeskundigen?',
      body: '<p>Toelichting: wij zoeken <strong>voorbeelden</strong>.</p>',
      kind: 'question',
      tags: ['Participatie', ' participatie ', '#Wmo'],
    });
    expect(res.status).toBe(201);
    const thread = res.body.thread;
    expect(thread).toMatchObject({ title: 'Hoe betrekken jullie ervaringsdeskundigen?', kind: 'question', channelSlug: 'landelijk', replyCount: 0, pinned: false, locked: false });
    expect(thread.tags.sort()).toEqual(['participatie', 'wmo']);
    expect(thread.author).toMatchObject({ displayName: 'Els Expert', jobTitle: 'Directeur Expertise Platform', organisation: 'Academie Sociaal Domein', role: 'expert' });
    expect(thread.body).toBe('<p>Toelichting: wij zoeken <strong>voorbeelden</strong>.</p>');
    const channel = await request(t.app.server).get('/api/channels/landelijk');
    expect(channel.body.channel.threadCount).toBeGreaterThanOrEqual(1);
    expect(channel.body.channel.lastActivityAt).not.toBeNull();
  });

  it('refuses a member starting a thread in an experts_ask channel with 403, and lets them in an open one', async () => {
    const before = await countRows('thread');
    const res = await member.agent.post('/api/channels/landelijk/threads').send({ title: 'Mag ik?', body: '<p>Vraag</p>', kind: 'question' });
    expect(res.status).toBe(403);
    expect(await countRows('thread')).toBe(before);
    await startThread(member, 'wmo', { kind: 'discussion' });
  });

  it('requires a session to write (401)', async () => {
    const res = await request(t.app.server).post('/api/channels/wmo/threads').send({ title: 'Anoniem', body: '<p>x</p>', kind: 'question' });
    expect(res.status).toBe(401);
  });

  it('rejects an empty or over-200-character title with fields.title', async () => {
    for (const title of ['', 'x'.repeat(201), '   ', '<b></b>']) {
      const res = await member.agent.post('/api/channels/wmo/threads').send({ title, body: '<p>x</p>', kind: 'question' });
      expect(res.status, JSON.stringify(title)).toBe(400);
      expect(res.body.error.fields.title).toBeTruthy();
    }
  });

  it('rejects an empty body and a body over 100,000 characters', async () => {
    const empty = await member.agent.post('/api/channels/wmo/threads').send({ title: 'Leeg', body: '<p> </p>', kind: 'question' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields.body).toBeTruthy();
    const huge = await member.agent.post('/api/channels/wmo/threads').send({ title: 'Groot', body: 'a'.repeat(100_001), kind: 'question' });
    expect([400, 413]).toContain(huge.status);
  });

  it('answers an unknown channel with 404 and rejects a sixth tag', async () => {
    expect((await member.agent.post('/api/channels/bestaat-niet/threads').send({ title: 'x', body: '<p>x</p>', kind: 'question' })).status).toBe(404);
    const res = await member.agent.post('/api/channels/wmo/threads').send({ title: 'Tags', body: '<p>x</p>', kind: 'question', tags: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(res.status).toBe(400);
  });

  it('returns the first thread again for a retry with the same Idempotency-Key', async () => {
    const before = await countRows('thread');
    const send = () =>
      member.agent.post('/api/channels/wmo/threads').set('Idempotency-Key', 'retry-thread-1').send({ title: 'Eén keer', body: '<p>x</p>', kind: 'question' });
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(b.body.thread.id).toBe(a.body.thread.id);
    expect(c.body.thread.id).toBe(a.body.thread.id);
    expect(await countRows('thread')).toBe(before + 1);
  });
});

describe('replies', () => {
  it('replies, lists oldest first, counts them and quotes a reply', async () => {
    const thread = await startThread(expert, 'landelijk');
    const first = await replyTo(member, thread.id, '<p>Eerste</p>');
    const second = await replyTo(other, thread.id, '<p>Tweede</p>', { quotePostId: first.id });
    const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(res.status).toBe(200);
    expect(res.body.thread.replyCount).toBe(2);
    expect(res.body.replies.items.map((p: { id: string }) => p.id)).toEqual([first.id, second.id]);
    expect(res.body.replies.items[1].quotePostId).toBe(first.id);
    expect(res.body.replies.items[0].author.displayName).toBe('Mo Medewerker');
  });

  it('rejects a quote of a post from another thread, leaving no rows and no event', async () => {
    const a = await startThread(expert, 'landelijk');
    const b = await startThread(expert, 'landelijk');
    const foreign = await replyTo(member, a.id);
    const [posts, events] = [await countRows('post'), await countRows('event')];
    const res = await member.agent.post(`/api/threads/${b.id}/replies`).send({ body: '<p>x</p>', quotePostId: foreign.id });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.quotePostId).toBeTruthy();
    expect(await countRows('post')).toBe(posts);
    expect(await countRows('event')).toBe(events);
  });

  it('rolls back the whole reply when a later step fails (attachments), leaving no rows', async () => {
    const thread = await startThread(expert, 'landelijk');
    const [posts, events] = [await countRows('post'), await countRows('event')];
    const res = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Met bijlage</p>', attachmentIds: ['999999'] });
    expect(res.status).toBe(400);
    expect(await countRows('post')).toBe(posts);
    expect(await countRows('event')).toBe(events);
    const after = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(after.body.thread.replyCount).toBe(0);
  });

  it('answers 403 thread_locked on a locked thread, but lets a moderator reply', async () => {
    const thread = await startThread(expert, 'landelijk');
    await t.db.updateTable('thread').set({ locked: true }).where('id', '=', thread.id).execute();
    const res = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Te laat</p>' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('thread_locked');
    await replyTo(moderator, thread.id, '<p>Gesloten, zie de samenvatting.</p>');
  });

  it('answers an unknown thread with 404', async () => {
    expect((await request(t.app.server).get('/api/threads/987654321')).status).toBe(404);
    expect((await member.agent.post('/api/threads/987654321/replies').send({ body: '<p>x</p>' })).status).toBe(404);
  });

  it('returns the first reply again for a retried Idempotency-Key', async () => {
    const thread = await startThread(expert, 'landelijk');
    const send = () => member.agent.post(`/api/threads/${thread.id}/replies`).set('Idempotency-Key', 'k-42').send({ body: '<p>Eén</p>' });
    const a = await send();
    const b = await send();
    expect(b.status).toBe(201);
    expect(b.body.post.id).toBe(a.body.post.id);
    const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(res.body.thread.replyCount).toBe(1);
  });

  it('pages through replies with a cursor without gaps or duplicates, and rejects bad cursors and limits', async () => {
    const thread = await startThread(expert, 'landelijk');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await replyTo(member, thread.id, `<p>Reactie ${i}</p>`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(t.app.server).get(`/api/threads/${thread.id}/replies`).query({ limit: 3, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    for (const bad of ['garbage!', 'eyJpZCI6ImFiYyJ9', Buffer.from('{"id":"1; drop table post"}').toString('base64url')]) {
      const res = await request(t.app.server).get(`/api/threads/${thread.id}/replies`).query({ cursor: bad });
      expect(res.status, bad).toBe(400);
    }
    expect((await request(t.app.server).get(`/api/threads/${thread.id}/replies`).query({ limit: 0 })).status).toBe(400);
    expect((await request(t.app.server).get(`/api/threads/${thread.id}/replies`).query({ limit: 500 })).status).toBe(400);
  });
});

describe('editing and deleting', () => {
  it('lets the author edit, keeps a revision and shows editedAt', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Oude titel', body: '<p>Oude tekst</p>' });
    const res = await expert.agent.patch(`/api/posts/${thread.postId}`).send({ title: 'Nieuwe titel', body: '<p>Nieuwe tekst</p>', tags: ['Jeugd'] });
    expect(res.status).toBe(200);
    expect(res.body.thread).toMatchObject({ title: 'Nieuwe titel', body: '<p>Nieuwe tekst</p>', tags: ['jeugd'] });
    expect(res.body.post.editedAt).not.toBeNull();
    const revisions = await t.db.selectFrom('post_revision').selectAll().where('post_id', '=', thread.postId).execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ title: 'Oude titel', body_html: '<p>Oude tekst</p>' });
  });

  it('refuses a member editing someone else\'s post (403) and lets a moderator', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Origineel</p>');
    const res = await other.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>Gekaapt</p>' });
    expect(res.status).toBe(403);
    const mod = await moderator.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>Geredigeerd</p>' });
    expect(mod.status).toBe(200);
    expect(mod.body.post.body).toBe('<p>Geredigeerd</p>');
  });

  it('deletes an own reply, but not someone else\'s', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    expect((await other.agent.delete(`/api/posts/${post.id}`)).status).toBe(403);
    expect((await member.agent.delete(`/api/posts/${post.id}`)).status).toBe(204);
    const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(res.body.replies.items).toHaveLength(0);
    expect(res.body.thread.replyCount).toBe(0);
    expect((await member.agent.delete(`/api/posts/${post.id}`)).status).toBe(404);
  });
});

describe('hidden posts', () => {
  it('shows a hidden reply as hidden without content to members, whole to the author and moderators', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Ongepaste tekst</p>');
    await t.db.updateTable('post').set({ hidden_at: new Date(), hidden_by: moderator.id, hidden_reason: 'Persoonsgegevens' }).where('id', '=', post.id).execute();
    const visitor = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(visitor.body.replies.items[0]).toMatchObject({ hidden: true, body: '' });
    expect(visitor.body.replies.items[0].hiddenReason).toBeUndefined();
    const asOther = await other.agent.get(`/api/threads/${thread.id}`);
    expect(asOther.body.replies.items[0].body).toBe('');
    const asAuthor = await member.agent.get(`/api/threads/${thread.id}`);
    expect(asAuthor.body.replies.items[0]).toMatchObject({ hidden: true, body: '<p>Ongepaste tekst</p>', hiddenReason: 'Persoonsgegevens' });
    const asMod = await moderator.agent.get(`/api/threads/${thread.id}`);
    expect(asMod.body.replies.items[0].body).toBe('<p>Ongepaste tekst</p>');
  });
});

describe('events', () => {
  it('writes thread.created and reply.created events in the same transaction as the change', async () => {
    const before = await t.db.selectFrom('event').select((eb) => eb.fn.max('id').as('max')).executeTakeFirstOrThrow();
    const thread = await startThread(member, 'wmo');
    const post = await replyTo(other, thread.id);
    const events = await t.db.selectFrom('event').selectAll().where('id', '>', String(before.max ?? 0)).orderBy('id').execute();
    const types = events.map((e) => `${e.type}@${e.topic}`);
    expect(types).toContain('thread.created@channel:wmo');
    expect(types).toContain(`reply.created@thread:${thread.id}`);
    const replyEvent = events.find((e) => e.type === 'reply.created')!;
    expect((replyEvent.payload as { post: { id: string } }).post.id).toBe(post.id);
  });
});
