import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app';
import { createDb } from '../../server/db';
import { appSecret, createMailer, sendDigests, sendPendingMails, unsubscribeToken } from '../../server/notifications/mail';
import { sendDueReminders } from '../../server/notifications/reminders';
import { freePort } from '../../server/db/embedded';
import { type TestApp, type TestUser, browser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect } from '../support/ws';

interface Received {
  to: string;
  raw: string;
}

/** A real SMTP server on 127.0.0.1 that can be taken down and brought back on the same port. */
class Inbox {
  mails: Received[] = [];
  server: SMTPServer | null = null;
  port = 0;
  async start() {
    this.port ||= await freePort();
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }
  async stop() {
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
  to(email: string) {
    return this.mails.filter((m) => m.to === email);
  }
}

let t: TestApp;
let inbox: Inbox;
let expert: TestUser;
let anne: TestUser;
let bas: TestUser;
let mod: TestUser;

beforeAll(async () => {
  inbox = new Inbox();
  await inbox.start();
  t = await createTestApp({ smtpUrl: `smtp://127.0.0.1:${inbox.port}` });
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert', displayName: 'Marieke van Dalen' });
  anne = await signUp(t, { displayName: 'Anne Hoekstra' });
  bas = await signUp(t, { displayName: 'Bas de Boer' });
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
  if (inbox.server) await inbox.stop();
});

const mailer = () => createMailer(t.config);
const notificationsOf = async (u: TestUser) => (await u.agent.get('/api/notifications')).body;

describe('subscriptions and notifications', () => {
  it('watches threads you start and reply in; watchers hear about replies, grouped per thread, never about their own', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Integrale toegang' });
    await replyTo(anne, thread.id, '<p>Eerste</p>');
    const afterOne = await notificationsOf(expert);
    expect(afterOne.unreadCount).toBe(1);
    expect(afterOne.items[0]).toMatchObject({ kind: 'reply', threadId: thread.id, count: 1 });
    expect((await notificationsOf(anne)).items.filter((n: { threadId: string }) => n.threadId === thread.id)).toHaveLength(0);
    for (let i = 0; i < 9; i++) await replyTo(bas, thread.id, `<p>Reactie ${i}</p>`);
    const grouped = await notificationsOf(expert);
    const group = grouped.items.filter((n: { threadId: string }) => n.threadId === thread.id);
    expect(group).toHaveLength(1);
    expect(group[0].count).toBe(10);
    expect(group[0].text).toBe('10 nieuwe reacties op "Integrale toegang"');
    // Anne replied, so she watches: she hears about Bas's replies too.
    expect((await notificationsOf(anne)).items[0]).toMatchObject({ kind: 'reply', threadId: thread.id });
  });

  it('notifies a quoted author and an @mentioned member', async () => {
    const thread = await startThread(expert, 'landelijk');
    const first = await replyTo(anne, thread.id, '<p>Mijn ervaring</p>');
    await replyTo(bas, thread.id, '<p>Eens met jou</p>', { quotePostId: first.id });
    expect((await notificationsOf(anne)).items[0]).toMatchObject({ kind: 'quote', threadId: thread.id });
    const mentioned = await signUp(t, { displayName: 'Youssef El Amrani' });
    await replyTo(bas, thread.id, '<p>Misschien weet @Youssef El Amrani hier meer van?</p>');
    expect((await notificationsOf(mentioned)).items[0]).toMatchObject({ kind: 'mention', threadId: thread.id });
    const suggestions = await bas.agent.get('/api/users/mention').query({ prefix: 'yous' });
    expect(suggestions.body.items[0].displayName).toBe('Youssef El Amrani');
  });

  it('tells channel watchers about new threads; muted threads stay quiet', async () => {
    await anne.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'watching' }).expect(200);
    const thread = await startThread(expert, 'landelijk', { title: 'Nieuwe vraag voor volgers' });
    expect((await notificationsOf(anne)).items[0]).toMatchObject({ kind: 'new_thread', threadId: thread.id });
    await anne.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'muted' }).expect(200);
    const before = (await notificationsOf(anne)).unreadCount;
    await replyTo(bas, thread.id);
    expect((await notificationsOf(anne)).unreadCount).toBe(before);
    expect((await anne.agent.get('/api/subscriptions').query({ targetType: 'thread', targetId: thread.id })).body.level).toBe('muted');
    await anne.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'normal' }).expect(200);
  });

  it('posting makes you watch a thread unless you muted it', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Automatisch volgen' });
    const level = async (u: TestUser) => (await u.agent.get('/api/subscriptions').query({ targetType: 'thread', targetId: thread.id })).body.level;
    expect(await level(expert)).toBe('watching');
    expect(await level(anne)).toBe('normal');
    await anne.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'muted' }).expect(200);
    await bas.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'normal' }).expect(200);
    await replyTo(anne, thread.id);
    await replyTo(bas, thread.id);
    expect(await level(anne)).toBe('muted');
    expect(await level(bas)).toBe('watching');
    const put = await bas.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'watching' });
    expect(put.body).toEqual({ subscription: { targetType: 'channel', targetId: 'landelijk', level: 'watching' } });
    expect((await bas.agent.get('/api/subscriptions').query({ targetType: 'channel', targetId: 'landelijk' })).body.level).toBe('watching');
    await bas.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'normal' }).expect(200);
  });

  it('replies posted at the same moment merge into one group; nobody gets an error', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Tegelijk' });
    await expert.agent.post('/api/notifications/read').send({ all: true }).expect(200);
    const posters = [anne, bas, mod, await signUp(t), await signUp(t), await signUp(t)];
    const results = await Promise.all(posters.map((p, i) => p.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>Gelijktijdig ${i}</p>` })));
    expect(results.map((r) => r.status)).toEqual(posters.map(() => 201));
    const group = (await notificationsOf(expert)).items.filter((n: { threadId: string }) => n.threadId === thread.id);
    expect(group).toHaveLength(1);
    expect(group[0]).toMatchObject({ kind: 'reply', count: 6, text: '6 nieuwe reacties op "Tegelijk"' });
  });

  it('fans a new thread out to every channel watcher, each with their own live unread count', async () => {
    await createChannel(t, 'jeugd', 'open');
    const watchers = await Promise.all(Array.from({ length: 25 }, () => signUp(t)));
    await Promise.all(watchers.map((w) => w.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'jeugd', level: 'watching' }).expect(200)));
    const thread = await startThread(anne, 'jeugd', { title: 'Voor alle volgers' });
    const events = await t.db.selectFrom('event').select(['topic', 'payload', 'audience']).where('type', '=', 'notification.created').where(sql<boolean>`payload->'notification'->>'threadId' = ${thread.id}`).execute();
    expect(new Set(events.map((e) => e.topic))).toEqual(new Set(watchers.map((w) => `user:${w.id}`)));
    for (const e of events) expect(e.audience).toBe(e.topic);
    expect(events.every((e) => (e.payload as { unreadCount: number }).unreadCount === 1)).toBe(true);
    for (const w of watchers.slice(0, 3)) expect((await notificationsOf(w)).items[0]).toMatchObject({ kind: 'new_thread', threadId: thread.id });
  });

  it('rejects bad subscriptions (unknown target 404, bad level 400)', async () => {
    expect((await anne.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: '999999', level: 'watching' })).status).toBe(404);
    expect((await anne.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: '1', level: 'loud' })).status).toBe(400);
    expect((await request(t.app.server).put('/api/subscriptions').send({ targetType: 'thread', targetId: '1', level: 'watching' })).status).toBe(401);
  });

  it('marks one or all as read', async () => {
    const list = await notificationsOf(anne);
    const res = await anne.agent.post('/api/notifications/read').send({ ids: [list.items[0].id] });
    expect(res.body.unreadCount).toBe(list.unreadCount - (list.items[0].read ? 0 : 1));
    expect((await anne.agent.post('/api/notifications/read').send({ all: true })).body.unreadCount).toBe(0);
    expect((await anne.agent.post('/api/notifications/read').send({ ids: [] })).status).toBe(400);
  });

  it('pushes notification.created live on user:me with the unread count', async () => {
    const socket = await connect(t.app, { cookie: expert.cookie });
    socket.send({ type: 'subscribe', topics: ['user:me'] });
    await socket.next((f) => f.type === 'subscribed');
    const thread = await startThread(expert, 'landelijk');
    await replyTo(bas, thread.id);
    const frame = await socket.next((f) => f.type === 'event' && f.event === 'notification.created');
    expect(frame.data.notification).toMatchObject({ kind: 'reply', threadId: thread.id });
    expect(frame.data.unreadCount).toBeGreaterThan(0);
    // The list is ordered by updatedAt: the pushed notice carries the same value the list will show.
    const listed = (await notificationsOf(expert)).items.find((n: { id: string }) => n.id === frame.data.notification.id);
    expect(frame.data.notification.updatedAt).toBe(listed.updatedAt);
    socket.close();
  });

  it('never shows a notification about a reply that was hidden since', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Verborgen reactie' });
    await expert.agent.post('/api/notifications/read').send({ all: true });
    const post = await replyTo(bas, thread.id, '<p>Ongepast</p>');
    expect((await notificationsOf(expert)).unreadCount).toBe(1);
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Ongepast' }).expect(200);
    const after = await notificationsOf(expert);
    expect(after.items.some((n: { postId: string }) => n.postId === post.id)).toBe(false);
    expect(after.unreadCount).toBe(0);
    // The author is told their post was hidden.
    expect((await notificationsOf(bas)).items.some((n: { kind: string }) => n.kind === 'post_hidden')).toBe(true);
  });
});

describe('who is told what', () => {
  const kindsOf = async (u: TestUser, threadId: string) =>
    (await notificationsOf(u)).items.filter((n: { threadId: string }) => n.threadId === threadId).map((n: { kind: string }) => n.kind);

  it('never tells people about their own actions: own thread in a watched channel, quoting or mentioning yourself, hiding your own post', async () => {
    await expert.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'watching' }).expect(200);
    await expert.agent.post('/api/notifications/read').send({ all: true }).expect(200);
    const thread = await startThread(expert, 'landelijk', { title: 'Mijn eigen vraag', body: '<p>Vraag van @Marieke van Dalen zelf</p>' });
    const own = await replyTo(expert, thread.id, '<p>Aanvulling, @marieke van dalen</p>');
    await replyTo(expert, thread.id, '<p>Ik citeer mezelf</p>', { quotePostId: own.id });
    expect(await kindsOf(expert, thread.id)).toEqual([]);
    expect((await notificationsOf(expert)).unreadCount).toBe(0);
    const modThread = await startThread(mod, 'landelijk', { title: 'Moderatorvraag' });
    const modPost = await replyTo(mod, modThread.id, '<p>Oeps</p>');
    await mod.agent.post(`/api/posts/${modPost.id}/hide`).send({ reason: 'Dubbel' }).expect(200);
    expect(await kindsOf(mod, modThread.id)).toEqual([]);
    await expert.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'normal' }).expect(200);
  });

  it('@mentions: the whole display name, case-insensitive, at a word boundary, longest name wins; e-mail addresses mention nobody', async () => {
    const jan = await signUp(t, { displayName: 'Jan' });
    const janBakker = await signUp(t, { displayName: 'Jan Bakker' });
    const sanne = await signUp(t, { displayName: 'Sanne' });
    const thread = await startThread(expert, 'landelijk', { title: 'Wie weet het?' });
    await replyTo(anne, thread.id, '<p>Vraag het @jan bakker, of mail jan@gemeente.nl. @Sanneke weet het niet.</p>');
    expect(await kindsOf(janBakker, thread.id)).toEqual(['mention']);
    expect(await kindsOf(jan, thread.id)).toEqual([]);
    expect(await kindsOf(sanne, thread.id)).toEqual([]);
    await replyTo(bas, thread.id, '<p>(@Jan) en @SANNE: kijken jullie mee?</p>');
    expect(await kindsOf(jan, thread.id)).toEqual(['mention']);
    expect(await kindsOf(sanne, thread.id)).toEqual(['mention']);
    // Mentioned in the opening post of a new thread: a mention, tied to that post.
    const second = await startThread(expert, 'landelijk', { title: 'Nog een vraag', body: '<p>Graag jouw kijk, @Sanne!</p>' });
    const notice = (await notificationsOf(sanne)).items.find((n: { threadId: string }) => n.threadId === second.id);
    expect(notice).toMatchObject({ kind: 'mention', text: 'Marieke van Dalen noemde je in "Nog een vraag"' });
    // Autocomplete: by the start of the name, wildcards are literal.
    expect((await anne.agent.get('/api/users/mention').query({ prefix: 'jan' })).body.items.map((u: { displayName: string }) => u.displayName)).toEqual(['Jan', 'Jan Bakker']);
    expect((await anne.agent.get('/api/users/mention').query({ prefix: '%' })).body.items).toEqual([]);
    expect((await request(t.app.server).get('/api/users/mention').query({ prefix: 'jan' })).status).toBe(401);
  });

  it('a new thread whose opening post is hidden disappears from channel watchers, and the unread count agrees everywhere', async () => {
    const watcher = await signUp(t, { displayName: 'Kanaalvolger' });
    await watcher.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'watching' }).expect(200);
    const thread = await startThread(expert, 'landelijk', { title: 'Wordt verborgen' });
    const listed = await notificationsOf(watcher);
    expect(listed.items[0]).toMatchObject({ kind: 'new_thread', threadId: thread.id });
    expect(listed.unreadCount).toBe(1);
    const opening = await t.db.selectFrom('thread').select('first_post_id').where('id', '=', thread.id).executeTakeFirstOrThrow();
    await mod.agent.post(`/api/posts/${opening.first_post_id}/hide`).send({ reason: 'Spam' }).expect(200);
    const after = await notificationsOf(watcher);
    expect(after.items.some((n: { threadId: string }) => n.threadId === thread.id)).toBe(false);
    expect(after.unreadCount).toBe(0);
    // Mark-read answers with the same count, and so does the next live push.
    expect((await watcher.agent.post('/api/notifications/read').send({ ids: ['1'] })).body.unreadCount).toBe(0);
    const socket = await connect(t.app, { cookie: watcher.cookie });
    try {
      socket.send({ type: 'subscribe', topics: ['user:me'] });
      await socket.next((f) => f.type === 'subscribed');
      const next = await startThread(expert, 'landelijk', { title: 'Wel zichtbaar' });
      const frame = await socket.next((f) => f.type === 'event' && f.event === 'notification.created');
      expect(frame.data.notification).toMatchObject({ kind: 'new_thread', threadId: next.id });
      expect(frame.data.unreadCount).toBe(1);
    } finally {
      socket.close();
    }
    await watcher.agent.put('/api/subscriptions').send({ targetType: 'channel', targetId: 'landelijk', level: 'normal' }).expect(200);
  });

  it('pages the list with an opaque keyset cursor; a bad cursor is 400', async () => {
    const reader = await signUp(t, { displayName: 'Lezer met veel meldingen' });
    const threads = [];
    for (let i = 0; i < 5; i++) {
      const th = await startThread(expert, 'landelijk', { title: `Pagina ${i}` });
      await reader.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: th.id, level: 'watching' }).expect(200);
      threads.push(th);
    }
    for (const th of threads) await replyTo(bas, th.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null; unreadCount: number } } = await reader.agent.get('/api/notifications').query({ limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
      expect(res.body.unreadCount).toBe(5);
      seen.push(...res.body.items.map((n) => n.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect((await reader.agent.get('/api/notifications').query({ cursor: 'bogus' })).status).toBe(400);
    expect((await request(t.app.server).get('/api/notifications')).status).toBe(401);
  });
});

describe('email', () => {
  it('mails a reply to a watcher with Dutch text, HTML and plain parts, and one-click unsubscribe headers', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Mail mij' });
    await t.db.updateTable('notification').set({ email_status: 'skipped' }).where('email_status', '=', 'pending').execute();
    await replyTo(anne, thread.id, '<p>Een reactie</p>');
    expect(await sendPendingMails(t.db, t.config, mailer())).toBe(1);
    const mail = { raw: inbox.to(expert.email).at(-1)!.raw.replace(/\r\n[ \t]+/g, ' ') };
    expect(mail.raw).toMatch(/Subject: (=\?UTF-8\?Q\?)?Nieuwe[_ ]reactie[_ ]van[_ ]Anne[_ ]Hoekstra/);
    expect(mail.raw).toMatch(/List-Unsubscribe: <http:\/\/plein\.test\/api\/unsubscribe\?token=/);
    expect(mail.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail.raw).toContain('text/plain');
    expect(mail.raw).toContain('text/html');
    // Batched: more replies within 15 minutes wait for the next mail.
    const count = inbox.to(expert.email).length;
    await replyTo(bas, thread.id);
    await sendPendingMails(t.db, t.config, mailer());
    expect(inbox.to(expert.email).length).toBe(count);
    await sendPendingMails(t.db, t.config, mailer(), new Date(Date.now() + 16 * 60_000));
    expect(inbox.to(expert.email).length).toBe(count + 1);
  });

  it('retries when SMTP is down and delivers once when it is back, nothing twice', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'SMTP storing' });
    await t.db.updateTable('notification').set({ email_status: 'skipped' }).where('email_status', '=', 'pending').execute();
    await replyTo(bas, thread.id);
    await inbox.stop();
    await expect(sendPendingMails(t.db, t.config, mailer())).rejects.toThrow();
    const pending = await t.db.selectFrom('notification').select('id').where('email_status', '=', 'pending').execute();
    expect(pending.length).toBeGreaterThan(0);
    await inbox.start();
    const before = inbox.to(expert.email).length;
    expect(await sendPendingMails(t.db, t.config, mailer())).toBe(1);
    expect(await sendPendingMails(t.db, t.config, mailer())).toBe(0);
    expect(inbox.to(expert.email).length).toBe(before + 1);
  });

  it('sends exactly one mail when the server restarts between "reply posted" and "mail sent"', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Herstart' });
    await t.db.updateTable('notification').set({ email_status: 'skipped' }).where('email_status', '=', 'pending').execute();
    const other = await t.another();
    const viaOther = browser(other);
    await viaOther.post('/api/auth/login').send({ email: bas.email, password: bas.password }).expect(200);
    await viaOther.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Net voor de herstart</p>' }).expect(201);
    await other.close();
    // A fresh instance with background jobs: the queued work survives and runs once.
    const before = inbox.to(expert.email).length;
    const restarted = await buildApp({ ...t.config, runJobs: true }, { logger: false });
    await restarted.ready();
    try {
      await expect.poll(() => inbox.to(expert.email).length, { timeout: 90_000, interval: 500 }).toBe(before + 1);
    } finally {
      await restarted.close();
    }
    expect(await sendPendingMails(t.db, t.config, mailer())).toBe(0);
    expect(inbox.to(expert.email).length).toBe(before + 1);
  }, 120_000);

  it('the unsubscribe link in a received mail works without login, and no more mail follows', async () => {
    const reader = await signUp(t, { displayName: 'Lotte Smit' });
    const thread = await startThread(expert, 'landelijk', { title: 'Afmelden via de mail' });
    await reader.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'watching' }).expect(200);
    await replyTo(anne, thread.id);
    await sendPendingMails(t.db, t.config, mailer());
    const raw = inbox.to(reader.email).at(-1)!.raw.replace(/\r\n[ \t]+/g, ' ');
    expect(raw).toContain('Hallo Lotte Smit,');
    const url = new URL(/^List-Unsubscribe: <([^>]+)>/m.exec(raw)![1]);
    expect(raw).toContain(url.href); // the same link in the body
    const res = await request(t.app.server).post(url.pathname + url.search).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect((await reader.agent.get('/api/me/notification-settings')).body.emailFrequency).toBe('never');
    const before = inbox.to(reader.email).length;
    await replyTo(bas, thread.id);
    await sendPendingMails(t.db, t.config, mailer(), new Date(Date.now() + 16 * 60_000));
    expect(inbox.to(reader.email).length).toBe(before);
    // Still notified on the site.
    expect((await notificationsOf(reader)).items[0]).toMatchObject({ kind: 'reply', threadId: thread.id, count: 2 });
  });

  it('respects "never" and "daily digest"', async () => {
    await expert.agent.put('/api/me/notification-settings').send({ emailFrequency: 'daily' }).expect(200);
    const thread = await startThread(expert, 'landelijk', { title: 'Digest' });
    await t.db.updateTable('notification').set({ email_status: 'skipped' }).where('email_status', '=', 'pending').execute();
    const before = inbox.to(expert.email).length;
    await replyTo(anne, thread.id);
    await sendPendingMails(t.db, t.config, mailer());
    expect(inbox.to(expert.email).length).toBe(before);
    expect(await sendDigests(t.db, t.config, mailer())).toBeGreaterThanOrEqual(1);
    expect(inbox.to(expert.email).at(-1)!.raw).toMatch(/dagelijkse overzicht/);
    expect(await sendDigests(t.db, t.config, mailer())).toBe(0);
    expect((await expert.agent.put('/api/me/notification-settings').send({ emailFrequency: 'weekly' })).status).toBe(400);
    await expert.agent.put('/api/me/notification-settings').send({ emailFrequency: 'immediately' }).expect(200);
  });

  it('unsubscribes with a signed token without login; a forged or foreign token is 400 and changes nothing', async () => {
    const secret = await appSecret(t.db, t.config);
    const good = unsubscribeToken(secret, anne.id);
    const forged = `${anne.id}.${'A'.repeat(43)}`;
    const foreign = good.replace(/^\d+/, bas.id);
    // Opening the link (as a mail scanner does) only asks; nothing changes until the button is pressed.
    const ask = await request(t.app.server).get('/api/unsubscribe').query({ token: good });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Afmelden voor e-mail van Plein?');
    expect(ask.text).toContain(`<form method="post" action="/api/unsubscribe?token=${encodeURIComponent(good)}">`);
    expect((await anne.agent.get('/api/me/notification-settings')).body.emailFrequency).toBe('immediately');
    const badLink = await request(t.app.server).get('/api/unsubscribe').query({ token: forged });
    expect(badLink.status).toBe(400);
    expect(badLink.text).toContain('Deze afmeldlink werkt niet');
    expect((await request(t.app.server).post('/api/unsubscribe').query({ token: forged })).status).toBe(400);
    expect((await request(t.app.server).post('/api/unsubscribe').query({ token: foreign })).status).toBe(400);
    expect((await request(t.app.server).post('/api/unsubscribe').query({ token: 'rommel' })).status).toBe(400);
    expect((await bas.agent.get('/api/me/notification-settings')).body.emailFrequency).toBe('immediately');
    expect((await anne.agent.get('/api/me/notification-settings')).body.emailFrequency).toBe('immediately');
    // RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" as a form, without cookies.
    const oneClick = await request(t.app.server).post('/api/unsubscribe').query({ token: good }).type('form').send('List-Unsubscribe=One-Click');
    expect(oneClick.status).toBe(200);
    const multipart = await request(t.app.server).post('/api/unsubscribe').query({ token: good }).field('List-Unsubscribe', 'One-Click');
    expect(multipart.status).toBe(200);
    expect((await anne.agent.get('/api/me/notification-settings')).body.emailFrequency).toBe('never');
    // The confirmation form, as a browser submits it: a page back, not JSON.
    const confirmed = await request(t.app.server).post('/api/unsubscribe').query({ token: good }).set('Accept', 'text/html').set('Origin', 'http://plein.test').type('form').send('List-Unsubscribe=One-Click');
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Je bent afgemeld');
  });
});

describe('app secret', () => {
  it('is read once per database handle, is the same for every handle, and a failed read is tried again', async () => {
    const config = { ...t.config, appSecret: undefined };
    const first = appSecret(t.db, config);
    expect(appSecret(t.db, config)).toBe(first); // no second insert and select
    const stored = await t.db.selectFrom('app_setting').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow();
    expect(await first).toBe(stored.value);
    const instance = createDb(t.config.databaseUrl!, { max: 1 });
    try {
      expect(await appSecret(instance, config)).toBe(stored.value);
    } finally {
      await instance.destroy();
    }
    const down = createDb(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`, { max: 1 });
    try {
      const failed = appSecret(down, config);
      await expect(failed).rejects.toThrow();
      const retried = appSecret(down, config);
      expect(retried).not.toBe(failed);
      await expect(retried).rejects.toThrow();
    } finally {
      await down.destroy();
    }
    expect(await appSecret(t.db, { ...t.config, appSecret: 'x'.repeat(32) })).toBe('x'.repeat(32));
  });
});

describe('video-session reminders', () => {
  it('reminds registrants once, 24 hours before, and again only when the time changes', async () => {
    const thread = await startThread(expert, 'landelijk');
    const s = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = s.body.videoSession.id;
    const start = new Date(Date.now() + 3 * 86400_000);
    await expert.agent.patch(`/api/video-sessions/${id}`).send({ startsAt: start.toISOString(), durationMinutes: 60, capacity: 5, meetingUrl: 'https://meet.example/x' }).expect(200);
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const reminders = async () => (await t.db.selectFrom('notification').select('id').where('user_id', '=', bas.id).where('kind', '=', 'video_session_reminder').execute()).length;
    // Two days before: not yet.
    expect(await sendDueReminders(t.db, new Date(start.getTime() - 48 * 3600_000))).toBe(0);
    // 23 hours before: once, even when the sweep runs twice.
    expect(await sendDueReminders(t.db, new Date(start.getTime() - 23 * 3600_000))).toBe(1);
    expect(await sendDueReminders(t.db, new Date(start.getTime() - 22 * 3600_000))).toBe(0);
    expect(await reminders()).toBe(1);
    const later = new Date(start.getTime() + 86400_000);
    await expert.agent.patch(`/api/video-sessions/${id}`).send({ startsAt: later.toISOString() }).expect(200);
    expect(await sendDueReminders(t.db, new Date(later.getTime() - 12 * 3600_000))).toBe(1);
    expect(await reminders()).toBe(2);
  });
});
