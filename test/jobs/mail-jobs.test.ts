// Background jobs against a real SMTP receiver: pg-boss retries, several instances, exactly once.
import PgBoss from 'pg-boss';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../server/db';
import type { Database } from '../../server/db/schema';
import { retryOptions } from '../../server/notifications/jobs';
import { type Mailer, createMailer, sendDigests, sendPendingMails } from '../../server/notifications/mail';
import { sendDueReminders } from '../../server/notifications/reminders';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { Inbox } from './inbox';

const mailLogOf = async (t: TestApp, userId: string, threadId: string) =>
  (await t.db.selectFrom('mail_log').select('id').where('user_id', '=', userId).where('thread_id', '=', threadId).execute()).length;

/** A pg-boss client that only sends (no workers, no maintenance), like another instance's API. */
async function jobClient(t: TestApp): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: t.config.databaseUrl!, schema: 'pgboss', max: 2, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  return boss;
}

describe('with the job worker running (RUN_JOBS)', () => {
  const inbox = new Inbox();
  let t: TestApp;
  let boss: PgBoss;
  let expert: TestUser;
  let anne: TestUser;

  beforeAll(async () => {
    await inbox.reservePort(); // SMTP is down to begin with
    t = await createTestApp({ smtpUrl: inbox.url, runJobs: true });
    boss = await jobClient(t);
    await createChannel(t, 'landelijk', 'experts_ask');
    expert = await signUp(t, { role: 'expert', displayName: 'Marieke van Dalen' });
    anne = await signUp(t, { displayName: 'Anne Hoekstra' });
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true }).catch(() => {});
    await t?.close();
    await inbox.stop();
  });

  it('SMTP down: the mail job fails and is retried with backoff; when SMTP is back the mail arrives once', async () => {
    const waiting = async () => Number((await sql<{ n: string }>`select count(*) as n from pgboss.job where name = 'mail-sweep' and state in ('created', 'retry', 'active') and start_after < now()`.execute(t.db)).rows[0].n);
    await expect.poll(waiting, { timeout: 60_000, interval: 500 }).toBe(0); // the start-up sweep is done
    const thread = await startThread(expert, 'landelijk', { title: 'Storing bij de mailserver' });
    await replyTo(anne, thread.id, '<p>Reactie tijdens de storing</p>');
    const jobId = (await boss.send('mail-sweep', {}, retryOptions))!;
    const job = () => boss.getJobById('mail-sweep', jobId);
    // The attempt against the dead server failed and pg-boss scheduled a retry, with a delay.
    await expect.poll(async () => (await job())?.state, { timeout: 60_000, interval: 300 }).toBe('retry');
    const failed = (await job())!;
    expect(failed.startAfter.getTime() - failed.startedOn.getTime()).toBeGreaterThanOrEqual(5_000); // backoff, not a hot loop
    expect(inbox.to(expert.email)).toHaveLength(0);
    const pending = await t.db.selectFrom('notification').select('email_status').where('user_id', '=', expert.id).where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
    expect(pending.email_status).toBe('pending');

    await inbox.start();
    await expect.poll(() => inbox.to(expert.email).length, { timeout: 120_000, interval: 500 }).toBe(1);
    expect(Inbox.subject(inbox.to(expert.email)[0].raw)).toBe('Nieuwe reactie van Anne Hoekstra op "Storing bij de mailserver"');
    // The retried job completes (a minute tick may have beaten it to the mail), and nothing is sent twice.
    await expect.poll(async () => (await job())?.state, { timeout: 120_000, interval: 500 }).toBe('completed');
    expect((await job())!.retryCount).toBeGreaterThanOrEqual(1);
    await expect.poll(waiting, { timeout: 60_000, interval: 500 }).toBe(0);
    expect(await sendPendingMails(t.db, t.config, createMailer(t.config))).toBe(0);
    expect(inbox.to(expert.email)).toHaveLength(1);
    expect(await mailLogOf(t, expert.id, thread.id)).toBe(1);
  }, 300_000);

  it('runs the reminder job: a registrant is reminded once, however often the job runs', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Sessie morgen' });
    const s = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = s.body.videoSession.id as string;
    const startsAt = new Date(Date.now() + 23 * 3600_000); // within the 24-hour window, on the real clock
    await expert.agent.patch(`/api/video-sessions/${id}`).send({ startsAt: startsAt.toISOString(), durationMinutes: 60, capacity: 5, meetingUrl: 'https://meet.example/x' }).expect(200);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const reminders = async () => (await t.db.selectFrom('notification').select('id').where('user_id', '=', anne.id).where('kind', '=', 'video_session_reminder').execute()).length;
    await boss.send('reminder-sweep', {}, retryOptions);
    await expect.poll(reminders, { timeout: 60_000, interval: 500 }).toBe(1);
    const second = await boss.send('reminder-sweep', {}, retryOptions);
    await expect.poll(async () => (await boss.getJobById('reminder-sweep', second!))?.state, { timeout: 60_000, interval: 500 }).toBe('completed');
    expect(await reminders()).toBe(1);
  }, 150_000);
});

describe('several instances sweeping at once', () => {
  const inbox = new Inbox();
  let t: TestApp;
  let expert: TestUser;
  let anne: TestUser;
  let bas: TestUser;

  beforeAll(async () => {
    await inbox.start();
    t = await createTestApp({ smtpUrl: inbox.url });
    await createChannel(t, 'landelijk', 'experts_ask');
    expert = await signUp(t, { role: 'expert', displayName: 'Marieke van Dalen' });
    anne = await signUp(t, { displayName: 'Anne Hoekstra' });
    bas = await signUp(t, { displayName: 'Bas de Boer' });
  });
  afterAll(async () => {
    await t?.close();
    await inbox.stop();
  });

  it('four instances sweeping the same pending mails send each exactly once', async () => {
    const threads = [];
    for (let i = 0; i < 6; i++) threads.push(await startThread(expert, 'landelijk', { title: `Gelijktijdig ${i}` }));
    for (const th of threads) await replyTo(anne, th.id);
    const instances = Array.from({ length: 4 }, () => createDb(t.config.databaseUrl!, { max: 2 }));
    try {
      const counts = await Promise.all(instances.map((db) => sendPendingMails(db, t.config, createMailer(t.config))));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
      // A group another instance held this round is picked up by the next sweep; still nothing twice.
      await Promise.all(instances.map((db) => sendPendingMails(db, t.config, createMailer(t.config))));
    } finally {
      await Promise.all(instances.map((db) => db.destroy()));
    }
    const subjects = inbox.to(expert.email).map((m) => Inbox.subject(m.raw));
    for (let i = 0; i < 6; i++) expect(subjects.filter((s) => s.includes(`"Gelijktijdig ${i}"`))).toHaveLength(1);
  });

  it('a reply that arrives while its mail is being sent is not lost: it goes out with the next mail', async () => {
    const thread = await startThread(expert, 'landelijk', { title: 'Tijdens het versturen' });
    await replyTo(anne, thread.id, '<p>Eerste</p>');
    const real = createMailer(t.config);
    let replied = false;
    const slow: Mailer = {
      async send(m) {
        // Bas replies while the SMTP conversation is going on: his post must not wait for it.
        if (!replied) {
          replied = true;
          await replyTo(bas, thread.id, '<p>Net op tijd</p>');
        }
        return real.send(m);
      },
    };
    expect(await sendPendingMails(t.db, t.config, slow)).toBe(1);
    const row = await t.db.selectFrom('notification').select(['email_status', 'count']).where('user_id', '=', expert.id).where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email_status: 'pending', count: 2 });
    // Within 15 minutes nothing more; after that, one mail with both replies.
    const about = () => inbox.to(expert.email).map((m) => Inbox.subject(m.raw)).filter((s) => s.includes('Tijdens het versturen'));
    await sendPendingMails(t.db, t.config, real);
    expect(about()).toHaveLength(1);
    await sendPendingMails(t.db, t.config, real, new Date(Date.now() + 16 * 60_000));
    expect(about()).toEqual(['Nieuwe reactie van Anne Hoekstra op "Tijdens het versturen"', '2 nieuwe reacties op "Tijdens het versturen"']);
  });

  it('an address the mail server refuses for good (550) is skipped and logged; the rest still goes out, nothing is retried forever', async () => {
    const gone = await signUp(t, { displayName: 'Oud Adres' });
    const thread = await startThread(expert, 'landelijk', { title: 'Onbestelbaar' });
    await gone.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'watching' }).expect(200);
    inbox.rejected.add(gone.email);
    try {
      await replyTo(anne, thread.id);
      expect(await sendPendingMails(t.db, t.config, createMailer(t.config))).toBe(1); // the expert's mail
      const row = await t.db.selectFrom('notification').select('email_status').where('user_id', '=', gone.id).where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
      expect(row.email_status).toBe('skipped');
      const log = await t.db.selectFrom('mail_log').select('kind').where('user_id', '=', gone.id).execute();
      expect(log).toEqual([{ kind: 'rejected' }]);
      expect(await sendPendingMails(t.db, t.config, createMailer(t.config))).toBe(0);
    } finally {
      inbox.rejected.delete(gone.email);
    }
  });

  /**
   * Two new members on the daily digest, both watching a new thread that then gets a reply: each has
   * one digest due. Everyone else's digests are not the subject here (not due).
   */
  async function twoDailyReaders(names: [string, string], title: string): Promise<[TestUser, TestUser]> {
    const readers: [TestUser, TestUser] = [await signUp(t, { displayName: names[0] }), await signUp(t, { displayName: names[1] })];
    const thread = await startThread(expert, 'landelijk', { title });
    for (const u of readers) {
      await u.agent.put('/api/me/notification-settings').send({ emailFrequency: 'daily' }).expect(200);
      await u.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'watching' }).expect(200);
    }
    await t.db.updateTable('notification_setting').set({ last_digest_at: new Date() }).where('user_id', 'not in', readers.map((u) => u.id)).execute();
    await replyTo(anne, thread.id);
    return readers;
  }

  it('a daily digest refused for one address (550) still goes out to the others, and is not retried for the refused one', async () => {
    const [gone, reader] = await twoDailyReaders(['Onbereikbaar Adres', 'Dagelijkse Lezer'], 'Voor het overzicht');
    inbox.rejected.add(gone.email);
    try {
      expect(await sendDigests(t.db, t.config, createMailer(t.config))).toBe(1);
      await expect.poll(() => inbox.to(reader.email).some((m) => m.raw.includes('dagelijkse overzicht'))).toBe(true);
      expect(await t.db.selectFrom('mail_log').select('kind').where('user_id', '=', gone.id).execute()).toEqual([{ kind: 'rejected' }]);
      expect(await sendDigests(t.db, t.config, createMailer(t.config))).toBe(0);
    } finally {
      inbox.rejected.delete(gone.email);
    }
  });

  it('a digest that fails for one user for another reason (timeout) does not stop the others; the run fails and that user is retried', async () => {
    const [first, second] = await twoDailyReaders(['Eerste Lezer', 'Tweede Lezer'], 'Overzicht met een storing');
    const real = createMailer(t.config);
    // Whoever comes first in the sweep meets a timeout; the connection is fine again for the next.
    let failedFor: string | null = null;
    const flaky: Mailer = {
      async send(m) {
        if (failedFor === null) {
          failedFor = m.to;
          throw Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' });
        }
        return real.send(m);
      },
    };
    const digests = (u: TestUser) => inbox.to(u.email).filter((m) => m.raw.includes('dagelijkse overzicht'));
    await expect(sendDigests(t.db, t.config, flaky)).rejects.toThrow('Connection timeout');
    const [unlucky, lucky] = failedFor === first.email ? [first, second] : [second, first];
    expect(failedFor).toBe(unlucky.email);
    expect(digests(lucky)).toHaveLength(1);
    expect(digests(unlucky)).toHaveLength(0);
    // Rolled back: not claimed and nothing logged, so the job's retry sends it (and only it).
    expect(await t.db.selectFrom('mail_log').select('id').where('user_id', '=', unlucky.id).execute()).toEqual([]);
    expect(await sendDigests(t.db, t.config, real)).toBe(1);
    expect(digests(unlucky)).toHaveLength(1);
    expect(digests(lucky)).toHaveLength(1);
  });

  it('users who want no mail at once (daily, never) are skipped before any group is locked; the others are mailed as before', async () => {
    const daily = await signUp(t, { displayName: 'Liever Dagelijks' });
    const never = await signUp(t, { displayName: 'Liever Nooit' });
    const thread = await startThread(expert, 'landelijk', { title: 'Niet meteen mailen' });
    for (const [u, emailFrequency] of [[daily, 'daily'], [never, 'never']] as const) {
      await u.agent.put('/api/me/notification-settings').send({ emailFrequency }).expect(200);
      await u.agent.put('/api/subscriptions').send({ targetType: 'thread', targetId: thread.id, level: 'watching' }).expect(200);
    }
    await replyTo(anne, thread.id);
    // Every statement the sweep runs, with its parameters: which groups did it lock?
    const locked: unknown[][] = [];
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.config.databaseUrl!, max: 2 }) }),
      log: (e) => {
        if (e.level === 'query' && e.query.sql.includes('pg_try_advisory_xact_lock')) locked.push([...e.query.parameters]);
      },
    });
    try {
      await sendPendingMails(db, t.config, createMailer(t.config));
    } finally {
      await db.destroy();
    }
    const lockedFor = (u: TestUser) => locked.filter((p) => p.includes(`${u.id}:${thread.id}`));
    expect(lockedFor(daily)).toEqual([]);
    expect(lockedFor(never)).toEqual([]);
    expect(lockedFor(expert)).toHaveLength(1);
    const status = async (u: TestUser) => (await t.db.selectFrom('notification').select('email_status').where('user_id', '=', u.id).where('thread_id', '=', thread.id).executeTakeFirstOrThrow()).email_status;
    expect([await status(daily), await status(never), await status(expert)]).toEqual(['skipped', 'skipped', 'sent']);
    await expect.poll(() => inbox.to(expert.email).some((m) => Inbox.subject(m.raw).includes('Niet meteen mailen'))).toBe(true);
    expect([...inbox.to(daily.email), ...inbox.to(never.email)]).toEqual([]);
  });

  it('erased accounts are never mentioned, notified or offered in autocomplete', async () => {
    const leaver = await signUp(t, { displayName: 'Vertrekt Binnenkort' });
    const target = await startThread(expert, 'landelijk', { title: 'Van iemand die vertrekt' });
    const post = await replyTo(leaver, target.id, '<p>Mijn laatste bijdrage</p>');
    await leaver.agent.delete('/api/me').send({ password: leaver.password }).expect(204);
    await replyTo(anne, target.id, '<p>Dank, @Verwijderd account</p>', { quotePostId: post.id });
    expect(await t.db.selectFrom('notification').select('id').where('user_id', '=', leaver.id).execute()).toEqual([]);
    expect((await anne.agent.get('/api/users/mention').query({ prefix: 'verwijderd' })).body.items).toEqual([]);
  });

  it('reminders: three instances running the sweep at the same moment remind once', async () => {
    const thread = await startThread(expert, 'landelijk');
    const s = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = s.body.videoSession.id as string;
    const start = new Date(Date.now() + 3 * 86400_000);
    await expert.agent.patch(`/api/video-sessions/${id}`).send({ startsAt: start.toISOString(), durationMinutes: 60, capacity: 5, meetingUrl: 'https://meet.example/x' }).expect(200);
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const instances = Array.from({ length: 3 }, () => createDb(t.config.databaseUrl!, { max: 1 }));
    try {
      const now = new Date(start.getTime() - 20 * 3600_000);
      const counts = await Promise.all(instances.map((db) => sendDueReminders(db, now)));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      await Promise.all(instances.map((db) => db.destroy()));
    }
    const reminders = await t.db.selectFrom('notification').select('data').where('user_id', '=', bas.id).where('kind', '=', 'video_session_reminder').execute();
    expect(reminders).toHaveLength(1);
    expect(reminders[0].data).toMatchObject({ sessionId: id, startsAt: start.toISOString() });
  });
});
