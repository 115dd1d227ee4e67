import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect } from '../support/ws';

let t: TestApp;
let writer: TestUser;
let reader: TestUser;
let mod: TestUser;

const BSN = '111222333';
const IBAN = 'NL91 ABNA 0417 1643 00';

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'wmo');
  writer = await signUp(t, { displayName: 'Wendy Schrijver' });
  reader = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

const postCount = async () => Number((await t.db.selectFrom('post').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
const threadCount = async () => Number((await t.db.selectFrom('thread').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('before publishing', () => {
  it('refuses a reply with a BSN with 422 sensitive_data and the findings, storing nothing', async () => {
    const thread = await startThread(writer, 'wmo');
    const before = await postCount();
    const res = await writer.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>Cliënt met BSN ${BSN} en rekening ${IBAN}</p>` });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('sensitive_data');
    expect(res.body.error.findings).toEqual([
      { kind: 'bsn', excerpt: BSN },
      { kind: 'iban', excerpt: IBAN },
    ]);
    expect(await postCount()).toBe(before);
  });

  it('checks the title and body of a new thread and an edit', async () => {
    const before = await threadCount();
    const res = await writer.agent.post('/api/channels/wmo/threads').send({ title: 'Jan Jansen, 12-03-1985 zoekt dagbesteding', body: '<p>Wie weet raad?</p>', kind: 'question' });
    expect(res.status).toBe(422);
    expect(res.body.error.findings[0]).toMatchObject({ kind: 'birthdate', excerpt: 'Jan Jansen, 12-03-1985' });
    expect(await threadCount()).toBe(before);

    const thread = await startThread(writer, 'wmo', { title: 'Zonder gegevens' });
    const edit = await writer.agent.patch(`/api/posts/${thread.postId}`).send({ title: `BSN ${BSN}` });
    expect(edit.status).toBe(422);
    const edit2 = await writer.agent.patch(`/api/posts/${thread.postId}`).send({ body: `<p>Rekening ${IBAN}</p>` });
    expect(edit2.status).toBe(422);
    const now = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread;
    expect(now.title).toBe('Zonder gegevens');
    expect(now.editedAt).toBeNull();
  });

  it('lets numbers that fail the elfproef and IBANs with a wrong checksum through', async () => {
    const thread = await startThread(writer, 'wmo');
    const post = await replyTo(writer, thread.id, '<p>Bestelnummer 123456789, bel 0612345678, rekening NL91ABNA0417164301.</p>');
    expect(post.body).toContain('123456789');
  });

  it('confirmSensitive without a finding changes nothing: published and visible to all', async () => {
    const thread = await startThread(writer, 'wmo');
    const res = await writer.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Gewoon een antwoord</p>', confirmSensitive: true });
    expect(res.status).toBe(201);
    expect(res.body.post.hidden).toBe(false);
    const seen = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.replies.items;
    expect(seen.find((p: { id: string }) => p.id === res.body.post.id)).toMatchObject({ hidden: false, body: '<p>Gewoon een antwoord</p>' });
    const held = await mod.agent.get('/api/mod/held-posts');
    expect(held.body.items.map((h: { post: { id: string } }) => h.post.id)).not.toContain(res.body.post.id);
  });
});

describe('held for moderators', () => {
  it('"Toch plaatsen" stores the reply hidden, tells moderators live, and an approval shows it and tells the writer', async () => {
    const thread = await startThread(writer, 'wmo');
    const modSocket = await connect(t.app, { cookie: mod.cookie });
    modSocket.send({ type: 'subscribe', topics: ['mod', 'user:me'] });
    await modSocket.next((f) => f.type === 'subscribed');
    const countBefore = (await mod.agent.get('/api/mod/count')).body.openCount;

    const res = await writer.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>BSN ${BSN}</p>`, confirmSensitive: true });
    expect(res.status).toBe(201);
    expect(res.body.post).toMatchObject({ hidden: true, body: `<p>BSN ${BSN}</p>` });
    expect(res.body.post.hiddenReason).toMatch(/moderator/);

    // Readers see the placeholder, never the text; moderators are told on the bell and by the count.
    const asReader = (await reader.agent.get(`/api/threads/${thread.id}`)).body.replies.items.find((p: { id: string }) => p.id === res.body.post.id);
    expect(asReader).toMatchObject({ hidden: true, body: '' });
    const count = await modSocket.next((f) => f.event === 'moderation.count');
    expect(count.data.openCount).toBe(countBefore + 1);
    const bell = await modSocket.next((f) => f.event === 'notification.created' && f.data.notification.kind === 'post_held');
    expect(bell.data.notification.postId).toBe(res.body.post.id);

    const queue = await mod.agent.get('/api/mod/held-posts');
    const item = queue.body.items.find((h: { post: { id: string } }) => h.post.id === res.body.post.id);
    expect(item).toMatchObject({ findings: [{ kind: 'bsn', excerpt: BSN }], post: { author: { displayName: 'Wendy Schrijver' } } });

    expect((await reader.agent.post(`/api/mod/held-posts/${res.body.post.id}/decision`).send({ decision: 'approve' })).status).toBe(403);
    await mod.agent.post(`/api/mod/held-posts/${res.body.post.id}/decision`).send({ decision: 'approve' }).expect(200);
    const shown = (await reader.agent.get(`/api/threads/${thread.id}`)).body.replies.items.find((p: { id: string }) => p.id === res.body.post.id);
    expect(shown).toMatchObject({ hidden: false, body: `<p>BSN ${BSN}</p>` });
    const told = (await writer.agent.get('/api/notifications')).body.items.find((n: { kind: string }) => n.kind === 'post_held_approved');
    expect(told.text).toMatch(/goedgekeurd/);
    // Deciding twice: 409, nothing changes.
    expect((await mod.agent.post(`/api/mod/held-posts/${res.body.post.id}/decision`).send({ decision: 'remove' })).status).toBe(409);
    expect((await mod.agent.get('/api/mod/count')).body.openCount).toBe(countBefore);
    modSocket.close();
  });

  it('a held thread shows a neutral title until a moderator removes it; the writer is told', async () => {
    // A watcher of the channel is told of the new thread, never with its title (it may hold the data).
    await reader.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: (await t.db.selectFrom('channel').select('id').where('slug', '=', 'wmo').executeTakeFirstOrThrow()).id, level: 'watching' }).expect(200);
    const res = await writer.agent.post('/api/channels/wmo/threads').send({ title: `Vraag over BSN ${BSN}`, body: '<p>Hoe verder?</p>', kind: 'question', confirmSensitive: true });
    expect(res.status).toBe(201);
    expect(res.body.thread.hidden).toBe(true);
    const watcherNotices = await t.db.selectFrom('notification').select('data').where('user_id', '=', reader.id).where('thread_id', '=', res.body.thread.id).execute();
    expect(watcherNotices).toHaveLength(1);
    expect(JSON.stringify(watcherNotices)).not.toContain(BSN);
    const list = (await request(t.app.server).get('/api/channels/wmo/threads')).body.items;
    const listed = list.find((th: { id: string }) => th.id === res.body.thread.id);
    expect(listed.title).not.toContain(BSN);
    const queue = (await mod.agent.get('/api/mod/held-posts')).body.items;
    expect(queue.find((h: { post: { id: string } }) => h.post.id === res.body.thread.postId).post.threadTitle).toBe(`Vraag over BSN ${BSN}`);
    await mod.agent.post(`/api/mod/held-posts/${res.body.thread.postId}/decision`).send({ decision: 'remove' }).expect(200);
    expect((await request(t.app.server).get(`/api/threads/${res.body.thread.id}`)).status).toBe(404);
    const told = (await writer.agent.get('/api/notifications')).body.items.find((n: { kind: string }) => n.kind === 'post_held_removed');
    expect(told.text).toMatch(/verwijderd/);
  });

  it('a removed held reply keeps no client data in the database', async () => {
    const thread = await startThread(writer, 'wmo');
    const res = await writer.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>Rekening ${IBAN}</p>`, confirmSensitive: true });
    await mod.agent.post(`/api/mod/held-posts/${res.body.post.id}/decision`).send({ decision: 'remove' }).expect(200);
    const row = await t.db.selectFrom('post').select(['body_text', 'body_html', 'held_findings', 'deleted_at']).where('id', '=', res.body.post.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ body_text: '', body_html: '', held_findings: null });
    expect(row.deleted_at).not.toBeNull();
    const page = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.replies.items;
    expect(page.map((p: { id: string }) => p.id)).not.toContain(res.body.post.id);
  });

  it('an unknown post or a post that is not held is refused and changes nothing', async () => {
    const thread = await startThread(writer, 'wmo');
    const post = await replyTo(writer, thread.id);
    expect((await mod.agent.post(`/api/mod/held-posts/${post.id}/decision`).send({ decision: 'remove' })).status).toBe(409);
    expect((await mod.agent.post('/api/mod/held-posts/999999/decision').send({ decision: 'approve' })).status).toBe(404);
    expect((await mod.agent.post(`/api/mod/held-posts/${post.id}/decision`).send({ decision: 'later' })).status).toBe(400);
    expect((await mod.agent.get('/api/mod/held-posts?cursor=bad!')).status).toBe(400);
    const still = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.replies.items.find((p: { id: string }) => p.id === post.id);
    expect(still.hidden).toBe(false);
  });
});
