import type { FastifyInstance } from 'fastify';
import PgBoss from 'pg-boss';
import type { Mailer } from './mail';
import { sendDigests, sendPendingMails } from './mail';
import { sendDueReminders } from './reminders';
import { createStorage } from '../attachments/storage';
import { extractPendingHandouts } from '../search/handouts/extract';

/**
 * Background work on pg-boss (PostgreSQL-backed): survives restarts, runs each scheduled tick once
 * across instances, retries with backoff (SMTP down). The work itself is idempotent claims on rows.
 */
/** Retries for every job: up to 20 times, 10 s doubling with jitter (pg-boss retryBackoff). */
export const retryOptions = { retryLimit: 20, retryDelay: 10, retryBackoff: true } as const;
export const queueNames = ['mail-sweep', 'reminder-sweep', 'daily-digest', 'handout-text'] as const;

export async function startJobs(app: FastifyInstance, mailer: Mailer): Promise<{ stop(): Promise<void> }> {
  const boss = new PgBoss({ connectionString: app.config.databaseUrl!, schema: 'pgboss', max: 4 });
  // pg-boss's stop resolves while its connections are still closing; when the database goes down
  // right after (the embedded one at shutdown), those report errors that mean nothing any more.
  let stopping = false;
  boss.on('error', (err) => {
    if (!stopping) app.log.warn({ err: err.message }, 'jobs: pg-boss error');
  });
  await boss.start();
  const retry = retryOptions;
  const storage = createStorage(app.config);
  const jobs: Record<(typeof queueNames)[number], () => Promise<number>> = {
    'mail-sweep': () => sendPendingMails(app.db, app.config, mailer),
    'reminder-sweep': () => sendDueReminders(app.db),
    'daily-digest': () => sendDigests(app.db, app.config, mailer),
    // Search: the text of new handouts, and of all of them again after an extractor update.
    'handout-text': () => extractPendingHandouts(app.db, storage, app.config.handoutExtract, app.log),
  };
  for (const [name, run] of Object.entries(jobs)) {
    await boss.createQueue(name, { name, ...retry });
    await boss.work(name, async () => {
      try {
        const done = await run();
        if (done > 0) app.log.info({ job: name, done }, 'jobs: done');
      } catch (err) {
        // pg-boss retries with backoff; say why, once per attempt.
        app.log.warn({ job: name, err: err instanceof Error ? err.message : String(err) }, 'jobs: attempt failed, will retry');
        app.metrics.jobFailed(name);
        throw err;
      }
    });
  }
  await boss.schedule('mail-sweep', '* * * * *', {}, retry);
  await boss.schedule('reminder-sweep', '*/5 * * * *', {}, retry);
  await boss.schedule('daily-digest', '0 7 * * *', {}, { ...retry, tz: 'Europe/Amsterdam' });
  await boss.schedule('handout-text', '* * * * *', {}, retry);
  // Whatever was left pending before a restart goes out now, not at the next tick.
  await boss.send('mail-sweep', {}, { ...retry, singletonKey: 'startup' });
  await boss.send('handout-text', {}, { ...retry, singletonKey: 'startup' });
  return {
    async stop() {
      stopping = true;
      await boss.stop({ graceful: true, wait: true, timeout: 5000 }).catch(() => {});
    },
  };
}
