// Issue 19, over the API: the Vraag statement, the best answer, "nuttig", reading positions, the
// public edit history, attachment descriptions and post permalinks — each with its refusals next to it.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { pdf } from '../support/files';
import { createChannel, replyTo, startThread } from '../support/forum';
import { type TestSocket, connect } from '../support/ws';

let t: TestApp;
let asker: TestUser;
let expert: TestUser;
let member: TestUser;
let other: TestUser;
let moderator: TestUser;

beforeAll(async () => {
  t = await createTestApp({ serveClient: true });
  await createChannel(t, 'landelijk', 'experts_ask');
  await createChannel(t, 'wmo', 'open');
  asker = await signUp(t, { displayName: 'Asha Asker' });
  expert = await signUp(t, { role: 'expert', displayName: 'Els Expert' });
  member = await signUp(t, { displayName: 'Mo Medewerker' });
  other = await signUp(t, { displayName: 'Ola Ander' });
  moderator = await signUp(t, { role: 'moderator', displayName: 'Mia Moderator' });
});
afterAll(async () => {
  await t.close();
});

const anon = () => request(t.app.server);
const notificationsOf = async (user: TestUser) => (await user.agent.get('/api/notifications')).body.items as Array<{ kind: string; postId: string; count: number }>;

async function subscribe(topic: string, cookie?: string): Promise<TestSocket> {
  const ws = await connect(t.app, cookie ? { cookie } : {});
  ws.send({ type: 'subscribe', topics: [topic] });
  await ws.next((f) => f.type === 'subscribed');
  return ws;
}

describe('the Vraag: a statement and a Toelichting', () => {
  it('stores the statement as plain text and returns it on the thread, the summary and the channel list', async () => {
    const res = await expert.agent.post('/api/channels/landelijk/threads').send({
      title: 'Ervaringsdeskundigen betrekken',
      question: '  Hoe betrekken jullie <b>ervaringsdeskundigen</b> bij de Wmo?  ',
      body: '<p>Wij zoeken voorbeelden uit kleine gemeenten.</p>',
      kind: 'question',
    });
    expect(res.status).toBe(201);
    expect(res.body.thread.question).toBe('Hoe betrekken jullie ervaringsdeskundigen bij de Wmo?');
    expect(res.body.thread.body).toBe('<p>Wij zoeken voorbeelden uit kleine gemeenten.</p>');
    const page = await anon().get(`/api/threads/${res.body.thread.id}`);
    expect(page.body.thread.question).toBe('Hoe betrekken jullie ervaringsdeskundigen bij de Wmo?');
    const list = await anon().get('/api/channels/landelijk/threads');
    expect(list.body.items.find((x: { id: string }) => x.id === res.body.thread.id).question).toBe('Hoe betrekken jullie ervaringsdeskundigen bij de Wmo?');
  });

  it('keeps questions without a statement as they were (question null) and discussions without one', async () => {
    const q = await startThread(expert, 'landelijk');
    expect((await anon().get(`/api/threads/${q.id}`)).body.thread.question).toBeNull();
    const d = await startThread(member, 'wmo', { kind: 'discussion' });
    expect((await anon().get(`/api/threads/${d.id}`)).body.thread.question).toBeNull();
  });

  it('refuses a statement over 300 characters and one on a discussion (400), creating nothing', async () => {
    const before = await t.db.selectFrom('thread').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const long = await expert.agent.post('/api/channels/landelijk/threads').send({ title: 'Te lang', question: 'x'.repeat(301), body: '<p>b</p>', kind: 'question' });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('validation_failed');
    const onDiscussion = await member.agent.post('/api/channels/wmo/threads').send({ title: 'Discussie', question: 'Een vraag?', body: '<p>b</p>', kind: 'discussion' });
    expect(onDiscussion.status).toBe(400);
    expect(onDiscussion.body.error.fields).toHaveProperty('question');
    const after = await t.db.selectFrom('thread').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('edits the statement through the opening post, keeps the old one in the history; a reply takes none (400)', async () => {
    const q = await startThread(expert, 'landelijk');
    const edit = await expert.agent.patch(`/api/posts/${q.postId}`).send({ question: 'Wat werkt bij de toegang?' });
    expect(edit.status).toBe(200);
    expect(edit.body.thread.question).toBe('Wat werkt bij de toegang?');
    const again = await expert.agent.patch(`/api/posts/${q.postId}`).send({ question: 'Wat werkt echt bij de toegang?' });
    expect(again.status).toBe(200);
    const history = await anon().get(`/api/posts/${q.postId}/revisions`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((r: { question: string | null }) => r.question)).toEqual(['Wat werkt bij de toegang?', null]);
    const reply = await replyTo(member, q.id);
    const bad = await member.agent.patch(`/api/posts/${reply.id}`).send({ question: 'Mag dit?' });
    expect(bad.status).toBe(400);
  });
});

describe('the best answer', () => {
  it('lets the asker mark a reply, shows it on the thread, the list and search, notifies the answerer and pushes it live', async () => {
    const q = await startThread(asker, 'wmo', { title: 'Beantwoordbare vraag over de toegang' });
    const answer = await replyTo(member, q.id, '<p>Bij ons werkt een vaste contactpersoon het best.</p>');
    const watcher = await subscribe(`thread:${q.id}`);
    const channelWatcher = await subscribe('channel:wmo');

    const res = await asker.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId: answer.id });
    expect(res.status).toBe(200);
    expect(res.body.thread.acceptedAnswer).toMatchObject({ postId: answer.id, author: { id: member.id, displayName: 'Mo Medewerker' } });
    expect(res.body.thread.acceptedAnswer.excerpt).toContain('vaste contactpersoon');

    const live = await watcher.next((f) => f.event === 'thread.updated' && f.data.thread.acceptedAnswer !== undefined);
    expect(live.data.thread.acceptedAnswer).toEqual({ postId: answer.id });
    await channelWatcher.next((f) => f.event === 'thread.updated' && f.data.thread.acceptedAnswer?.postId === answer.id);
    watcher.close();
    channelWatcher.close();

    const list = await anon().get('/api/channels/wmo/threads');
    expect(list.body.items.find((x: { id: string }) => x.id === q.id).acceptedAnswer).toEqual({ postId: answer.id });
    const notices = await notificationsOf(member);
    expect(notices.some((n) => n.kind === 'accepted_answer' && n.postId === answer.id)).toBe(true);

    const unanswered = await anon().get('/api/search').query({ q: 'Beantwoordbare', unanswered: true });
    expect(unanswered.status).toBe(200);
    expect(unanswered.body.items.some((x: { thread: { id: string } }) => x.thread.id === q.id)).toBe(false);
    const all = await anon().get('/api/search').query({ q: 'Beantwoordbare' });
    expect(all.body.items.some((x: { thread: { id: string } }) => x.thread.id === q.id)).toBe(true);
  });

  it('lets an expert or a moderator change and clear it', async () => {
    const q = await startThread(asker, 'wmo');
    const a = await replyTo(member, q.id);
    const b = await replyTo(other, q.id);
    expect((await expert.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId: a.id })).status).toBe(200);
    const changed = await moderator.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId: b.id });
    expect(changed.body.thread.acceptedAnswer.postId).toBe(b.id);
    const cleared = await asker.agent.delete(`/api/threads/${q.id}/accepted-answer`);
    expect(cleared.status).toBe(200);
    expect(cleared.body.thread.acceptedAnswer).toBeNull();
  });

  it('refuses a member who is not the asker (403), a reply of another thread, a hidden or deleted reply, the opening post (400), changing nothing', async () => {
    const q = await startThread(asker, 'wmo');
    const elsewhere = await startThread(asker, 'wmo');
    const foreign = await replyTo(member, elsewhere.id);
    const good = await replyTo(member, q.id);
    const hidden = await replyTo(other, q.id);
    const deleted = await replyTo(other, q.id);
    expect((await moderator.agent.post(`/api/posts/${hidden.id}/hide`).send({ reason: 'Persoonsgegevens' })).status).toBe(200);
    expect((await other.agent.delete(`/api/posts/${deleted.id}`)).status).toBe(204);

    const notAsker = await member.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId: good.id });
    expect(notAsker.status).toBe(403);
    expect((await member.agent.delete(`/api/threads/${q.id}/accepted-answer`)).status).toBe(403);
    expect((await anon().post(`/api/threads/${q.id}/accepted-answer`).send({ postId: good.id })).status).toBe(401);
    for (const postId of [foreign.id, hidden.id, deleted.id, q.postId, '999999999']) {
      const res = await asker.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId });
      expect(res.status, postId).toBe(400);
      expect(res.body.error.fields).toHaveProperty('postId');
    }
    expect((await asker.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId: 'abc' })).status).toBe(400);
    expect((await asker.agent.post('/api/threads/999999999/accepted-answer').send({ postId: good.id })).status).toBe(404);
    const thread = await t.db.selectFrom('thread').select('accepted_post_id').where('id', '=', q.id).executeTakeFirstOrThrow();
    expect(thread.accepted_post_id).toBeNull();
  });

  it('has no best answer on a discussion (409)', async () => {
    const d = await startThread(asker, 'wmo', { kind: 'discussion' });
    const r = await replyTo(member, d.id);
    const res = await asker.agent.post(`/api/threads/${d.id}/accepted-answer`).send({ postId: r.id });
    expect(res.status).toBe(409);
  });

  it('stops being the best answer when the reply is hidden or deleted', async () => {
    const q = await startThread(asker, 'wmo');
    const a = await replyTo(member, q.id);
    await asker.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId: a.id });
    await moderator.agent.post(`/api/posts/${a.id}/hide`).send({ reason: 'Onjuist' });
    expect((await anon().get(`/api/threads/${q.id}`)).body.thread.acceptedAnswer).toBeNull();
    const b = await replyTo(other, q.id);
    await asker.agent.post(`/api/threads/${q.id}/accepted-answer`).send({ postId: b.id });
    await other.agent.delete(`/api/posts/${b.id}`);
    expect((await anon().get(`/api/threads/${q.id}`)).body.thread.acceptedAnswer).toBeNull();
  });
});

describe('nuttig', () => {
  it('counts once per member as a toggle, shows myAppreciation to the reader only, pushes the count and groups the notice', async () => {
    const q = await startThread(asker, 'wmo');
    const post = await replyTo(member, q.id);
    const watcher = await subscribe(`thread:${q.id}`);

    const first = await asker.agent.put(`/api/posts/${post.id}/appreciation`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ postId: post.id, appreciationCount: 1, myAppreciation: true });
    expect((await asker.agent.put(`/api/posts/${post.id}/appreciation`)).body.appreciationCount).toBe(1);
    expect((await other.agent.put(`/api/posts/${post.id}/appreciation`)).body.appreciationCount).toBe(2);
    const live = await watcher.collect((f) => f.event === 'post.appreciated', 2);
    expect(live.map((f) => f.data.appreciationCount)).toEqual([1, 2]);
    watcher.close();

    const mine = await asker.agent.get(`/api/threads/${q.id}`);
    const seen = mine.body.replies.items.find((p: { id: string }) => p.id === post.id);
    expect(seen).toMatchObject({ appreciationCount: 2, myAppreciation: true });
    const theirs = (await moderator.agent.get(`/api/threads/${q.id}`)).body.replies.items.find((p: { id: string }) => p.id === post.id);
    expect(theirs).toMatchObject({ appreciationCount: 2, myAppreciation: false });
    const visitor = (await anon().get(`/api/threads/${q.id}`)).body.replies.items.find((p: { id: string }) => p.id === post.id);
    expect(visitor.appreciationCount).toBe(2);
    expect(visitor).not.toHaveProperty('myAppreciation');

    const notices = (await notificationsOf(member)).filter((n) => n.kind === 'appreciation' && n.postId === post.id);
    expect(notices).toHaveLength(1);
    expect(notices[0].count).toBe(2);

    const back = await asker.agent.delete(`/api/posts/${post.id}/appreciation`);
    expect(back.body).toEqual({ postId: post.id, appreciationCount: 1, myAppreciation: false });
    expect((await asker.agent.delete(`/api/posts/${post.id}/appreciation`)).body.appreciationCount).toBe(1);
  });

  it('replays "nuttig" events with the count as it is now', async () => {
    const q = await startThread(asker, 'wmo');
    const post = await replyTo(member, q.id);
    const { lastEventId } = (await anon().get(`/api/threads/${q.id}`)).body;
    await asker.agent.put(`/api/posts/${post.id}/appreciation`);
    await other.agent.put(`/api/posts/${post.id}/appreciation`);
    await asker.agent.delete(`/api/posts/${post.id}/appreciation`);
    const ws = await connect(t.app);
    ws.send({ type: 'subscribe', topics: [`thread:${q.id}`], lastEventId });
    const replayed = await ws.collect((f) => f.event === 'post.appreciated', 3);
    expect(replayed.map((f) => f.data.appreciationCount)).toEqual([1, 1, 1]);
    ws.close();
  });

  it("refuses one's own post (409), a visitor (401) and an unknown post (404), counting nothing", async () => {
    const q = await startThread(asker, 'wmo');
    const post = await replyTo(member, q.id);
    const own = await member.agent.put(`/api/posts/${post.id}/appreciation`);
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('own_post');
    expect((await asker.agent.put(`/api/posts/${q.postId}/appreciation`)).status).toBe(409);
    expect((await anon().put(`/api/posts/${post.id}/appreciation`)).status).toBe(401);
    expect((await other.agent.put('/api/posts/999999999/appreciation')).status).toBe(404);
    const row = await t.db.selectFrom('post').select('appreciation_count').where('id', '=', post.id).executeTakeFirstOrThrow();
    expect(row.appreciation_count).toBe(0);
  });

  it("exports a member's nuttig marks and reading positions, and forgets them (counts included) when the account is erased", async () => {
    const q = await startThread(asker, 'wmo');
    const post = await replyTo(member, q.id);
    const leaver = await signUp(t, { displayName: 'Lex Vertrekker' });
    await leaver.agent.put(`/api/posts/${post.id}/appreciation`).expect(200);
    await leaver.agent.put(`/api/threads/${q.id}/read`).send({ postId: post.id }).expect(200);
    const exported = await leaver.agent.get('/api/me/export');
    expect(JSON.parse(exported.text)).toMatchObject({ appreciations: [{ post_id: post.id }], reading: [{ thread_id: q.id, last_read_post_id: post.id }] });
    expect((await leaver.agent.delete('/api/me').send({ password: leaver.password })).status).toBe(204);
    const row = await t.db.selectFrom('post').select('appreciation_count').where('id', '=', post.id).executeTakeFirstOrThrow();
    expect(row.appreciation_count).toBe(0);
    expect(await t.db.selectFrom('thread_read').selectAll().where('user_id', '=', leaver.id).execute()).toEqual([]);
  });

  it("shows a member's threads, replies, best answers and nuttig received on their profile", async () => {
    const writer = await signUp(t, { displayName: 'Pim Profiel' });
    const q = await startThread(writer, 'wmo');
    const theirs = await startThread(asker, 'wmo');
    const a = await replyTo(writer, theirs.id);
    await replyTo(writer, theirs.id);
    await asker.agent.post(`/api/threads/${theirs.id}/accepted-answer`).send({ postId: a.id });
    await asker.agent.put(`/api/posts/${a.id}/appreciation`);
    await other.agent.put(`/api/posts/${q.postId}/appreciation`);
    const res = await anon().get(`/api/users/${writer.id}/contributions`);
    expect(res.body.contributions).toEqual({ threads: 1, replies: 2, bestAnswers: 1, appreciationsReceived: 2 });
    expect((await anon().get('/api/users/999999999/contributions')).status).toBe(404);
  });
});

describe('reading positions', () => {
  it('remembers the last post read, only forward, and channel lists count the new replies', async () => {
    const q = await startThread(asker, 'wmo');
    const r1 = await replyTo(member, q.id);
    const r2 = await replyTo(member, q.id);
    const first = await other.agent.get(`/api/threads/${q.id}`);
    expect(first.body.reading).toEqual({ lastReadPostId: null });
    expect((await anon().get(`/api/threads/${q.id}`)).body).not.toHaveProperty('reading');

    expect((await other.agent.put(`/api/threads/${q.id}/read`).send({ postId: r2.id })).body.reading).toEqual({ lastReadPostId: r2.id });
    expect((await other.agent.put(`/api/threads/${q.id}/read`).send({ postId: r1.id })).body.reading).toEqual({ lastReadPostId: r2.id });
    await replyTo(member, q.id);
    await replyTo(asker, q.id);

    const list = await other.agent.get('/api/channels/wmo/threads');
    expect(list.body.items.find((x: { id: string }) => x.id === q.id).newReplies).toBe(2);
    const visitorList = await anon().get('/api/channels/wmo/threads');
    expect(visitorList.body.items.find((x: { id: string }) => x.id === q.id)).not.toHaveProperty('newReplies');
    expect((await other.agent.get(`/api/threads/${q.id}`)).body.reading).toEqual({ lastReadPostId: r2.id });
  });

  it('refuses a post of another thread (400), an unknown thread (404) and a visitor (401)', async () => {
    const q = await startThread(asker, 'wmo');
    const elsewhere = await startThread(asker, 'wmo');
    const foreign = await replyTo(member, elsewhere.id);
    expect((await other.agent.put(`/api/threads/${q.id}/read`).send({ postId: foreign.id })).status).toBe(400);
    expect((await other.agent.put('/api/threads/999999999/read').send({ postId: foreign.id })).status).toBe(404);
    expect((await anon().put(`/api/threads/${q.id}/read`).send({ postId: q.postId })).status).toBe(401);
    const rows = await t.db.selectFrom('thread_read').selectAll().where('user_id', '=', other.id).where('thread_id', '=', q.id).execute();
    expect(rows).toHaveLength(0);
  });
});

describe('the edit history', () => {
  it('is readable by everyone; revisions from before a hide stay with moderators', async () => {
    const q = await startThread(asker, 'wmo');
    const post = await replyTo(member, q.id, '<p>Eerste versie met een naam erin.</p>');
    await member.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>Tweede versie.</p>' });
    const before = await anon().get(`/api/posts/${post.id}/revisions`);
    expect(before.status).toBe(200);
    expect(before.body.items.map((r: { body: string }) => r.body)).toEqual(['<p>Eerste versie met een naam erin.</p>']);

    await moderator.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Naam van een cliënt' });
    expect((await anon().get(`/api/posts/${post.id}/revisions`)).body.items).toEqual([]);
    await member.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>Derde versie, zonder naam.</p>' });
    await moderator.agent.post(`/api/posts/${post.id}/unhide`).send({});
    await member.agent.patch(`/api/posts/${post.id}`).send({ body: '<p>Vierde versie.</p>' });

    const publicHistory = await other.agent.get(`/api/posts/${post.id}/revisions`);
    expect(publicHistory.body.items.map((r: { body: string }) => r.body)).toEqual(['<p>Derde versie, zonder naam.</p>']);
    const modHistory = await moderator.agent.get(`/api/posts/${post.id}/revisions`);
    expect(modHistory.body.items.map((r: { body: string }) => r.body)).toEqual([
      '<p>Derde versie, zonder naam.</p>',
      '<p>Tweede versie.</p>',
      '<p>Eerste versie met een naam erin.</p>',
    ]);
    expect((await anon().get('/api/posts/999999999/revisions')).status).toBe(404);
  });
});

describe('attachment descriptions', () => {
  it('takes a description at upload and by PATCH from the uploader, before and after attaching', async () => {
    const up = await member.agent.post('/api/attachments').field('description', 'Stappenplan voor  de\nintake').attach('file', pdf(), 'stappenplan.pdf');
    expect(up.status).toBe(201);
    expect(up.body.attachment.description).toBe('Stappenplan voor de intake');
    const q = await startThread(asker, 'wmo');
    const res = await member.agent.post(`/api/threads/${q.id}/replies`).send({ body: '<p>Zie bijlage.</p>', attachmentIds: [up.body.attachment.id] });
    expect(res.body.post.attachments[0].description).toBe('Stappenplan voor de intake');
    const patched = await member.agent.patch(`/api/attachments/${up.body.attachment.id}`).send({ description: 'Stappenplan intake (versie 2)' });
    expect(patched.status).toBe(200);
    expect(patched.body.attachment.description).toBe('Stappenplan intake (versie 2)');
    const page = await anon().get(`/api/threads/${q.id}`);
    expect(page.body.replies.items[0].attachments[0].description).toBe('Stappenplan intake (versie 2)');
  });

  it("refuses over 300 characters (400), someone else's upload (404) and a visitor (401)", async () => {
    const up = await member.agent.post('/api/attachments').attach('file', pdf(), 'a.pdf');
    expect(up.body.attachment.description).toBe('');
    const tooLong = await member.agent.patch(`/api/attachments/${up.body.attachment.id}`).send({ description: 'x'.repeat(301) });
    expect(tooLong.status).toBe(400);
    const atUpload = await member.agent.post('/api/attachments').field('description', 'x'.repeat(301)).attach('file', pdf(), 'b.pdf');
    expect(atUpload.status).toBe(400);
    expect((await other.agent.patch(`/api/attachments/${up.body.attachment.id}`).send({ description: 'van mij' })).status).toBe(404);
    expect((await anon().patch(`/api/attachments/${up.body.attachment.id}`).send({ description: 'anoniem' })).status).toBe(401);
    const row = await t.db.selectFrom('attachment').select('description').where('id', '=', up.body.attachment.id).executeTakeFirstOrThrow();
    expect(row.description).toBe('');
  });
});

describe('permalinks', () => {
  it('redirects /p/:postId to the thread at that post (302), also for a hidden post', async () => {
    const q = await startThread(asker, 'wmo', { title: 'Permalink naar een reactie' });
    const post = await replyTo(member, q.id);
    const res = await anon().get(`/p/${post.id}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/t/${q.id}/permalink-naar-een-reactie#post-${post.id}`);
    expect((await anon().get(`/p/${q.postId}`)).headers.location).toBe(`/t/${q.id}/permalink-naar-een-reactie`);
    await moderator.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Privé' });
    expect((await anon().get(`/p/${post.id}`)).status).toBe(302);
  });

  it('answers 404 for a deleted or unknown post', async () => {
    const q = await startThread(asker, 'wmo');
    const post = await replyTo(member, q.id);
    await member.agent.delete(`/api/posts/${post.id}`);
    expect((await anon().get(`/p/${post.id}`)).status).toBe(404);
    expect((await anon().get('/p/999999999')).status).toBe(404);
    expect((await anon().get('/p/abc')).status).toBe(404);
  });
});

describe('links stay as written', () => {
  const wordPaste = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><p class=MsoNormal>Zie <a href="https://www.utrecht.nl/zorg-en-onderwijs/"><span style='color:#0563C1;mso-themecolor:hyperlink'>utrecht.nl</span></a> voor de aanpak.<o:p></o:p></p></body></html>`;

  it('keeps the href of a link whose text looks like a domain, pasted from Word and typed in the editor', async () => {
    const q = await startThread(asker, 'wmo');
    const pasted = await replyTo(member, q.id, wordPaste);
    expect(pasted.body).toBe('<p>Zie <a href="https://www.utrecht.nl/zorg-en-onderwijs/" rel="nofollow ugc noopener noreferrer">utrecht.nl</a> voor de aanpak.</p>');
    // What the editor sends for typed text with a link set through the link button.
    const typed = await replyTo(member, q.id, '<p>Lees <a target="_blank" rel="noopener" href="https://www.utrecht.nl/zorg-en-onderwijs/">utrecht.nl</a> eerst.</p>');
    expect(typed.body).toBe('<p>Lees <a href="https://www.utrecht.nl/zorg-en-onderwijs/" rel="nofollow ugc noopener noreferrer">utrecht.nl</a> eerst.</p>');
  });

  it('turns bare web addresses into links, also the last word and in plain text, but not inside code or an existing link', async () => {
    const q = await startThread(asker, 'wmo');
    const r = await replyTo(member, q.id, '<p>Kijk op https://www.rijksoverheid.nl/onderwerpen/wmo</p><pre>curl https://example.org/api</pre>');
    expect(r.body).toBe('<p>Kijk op <a href="https://www.rijksoverheid.nl/onderwerpen/wmo" rel="nofollow ugc noopener noreferrer">https://www.rijksoverheid.nl/onderwerpen/wmo</a></p><pre>curl https://example.org/api</pre>');
    const plain = await replyTo(member, q.id, 'Zie www.gemeente.nl en mail jan@gemeente.nl');
    expect(plain.body).toBe('<p>Zie <a href="https://www.gemeente.nl" rel="nofollow ugc noopener noreferrer">www.gemeente.nl</a> en mail jan@gemeente.nl</p>');
    const unsafe = await replyTo(member, q.id, '<p>javascript:alert(1) en data:text/html,x</p>');
    expect(unsafe.body).not.toContain('<a');
  });
});

describe('@mentions', () => {
  it('link to the profile of the member they name, and leave e-mail addresses, code and existing links alone', async () => {
    const q = await startThread(asker, 'wmo');
    const r = await replyTo(member, q.id, '<p>Dank @ola ander, en @Els Expert! Mail jan@gemeente.nl</p><pre>@Ola Ander</pre>');
    expect(r.body).toBe(
      `<p>Dank <a href="/u/${other.id}" rel="nofollow ugc noopener noreferrer">@ola ander</a>, en <a href="/u/${expert.id}" rel="nofollow ugc noopener noreferrer">@Els Expert</a>! Mail jan@gemeente.nl</p><pre>@Ola Ander</pre>`,
    );
    // An edit sends the links back: they stay one link each.
    const edited = await member.agent.patch(`/api/posts/${r.id}`).send({ body: `${r.body}<p>En @Mia Moderator.</p>` });
    expect(edited.status).toBe(200);
    expect(edited.body.post.body.match(/<a /g)).toHaveLength(3);
    expect(edited.body.post.body).toContain(`<a href="/u/${moderator.id}" rel="nofollow ugc noopener noreferrer">@Mia Moderator</a>`);
    const unknown = await replyTo(member, q.id, '<p>Hallo @Niemand Bekend</p>');
    expect(unknown.body).toBe('<p>Hallo @Niemand Bekend</p>');
  });
});
