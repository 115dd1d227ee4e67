import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { type ExpressionBuilder, type Transaction, sql } from 'kysely';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { escapeHtml as esc } from '../content/escape';
import { visibleNotification } from './visibility';

export interface Mailer {
  send(message: { to: string; subject: string; text: string; html: string; headers: Record<string, string> }): Promise<string>;
}

/** SMTP when SMTP_URL is set; otherwise .eml files in DATA_DIR/mail-outbox (the development outbox). */
export function createMailer(config: Config): Mailer {
  if (config.smtpUrl) {
    const url = new URL(config.smtpUrl);
    const transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      connectionTimeout: 10_000,
    });
    return {
      async send(m) {
        const info = await transport.sendMail({ from: config.mailFrom, ...m });
        return info.messageId;
      },
    };
  }
  const outbox = path.join(config.dataDir, 'mail-outbox');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = await transport.sendMail({ from: config.mailFrom, ...m });
      await mkdir(outbox, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
      await writeFile(path.join(outbox, `${name}.eml`), info.message as Buffer);
      // Beside it, what the development mail page (/_dev/mail) shows: no MIME decoding needed there.
      await writeFile(path.join(outbox, `${name}.json`), JSON.stringify({ to: m.to, subject: m.subject, text: m.text, date: new Date().toISOString() }));
      return info.messageId;
    },
  };
}

/** APP_SECRET, or a random secret generated once and kept in the database so every instance agrees. */
export function appSecret(db: Db, config: Config): Promise<string> {
  if (config.appSecret) return Promise.resolve(config.appSecret);
  // It never changes once stored: read it once per database handle (every minute's sweep and every
  // opened unsubscribe link used to write and read it again). A failed read is not remembered.
  let secret = storedSecrets.get(db);
  if (!secret) {
    secret = (async () => {
      await db.insertInto('app_setting').values({ key: 'secret', value: randomBytes(32).toString('hex') }).onConflict((oc) => oc.column('key').doNothing()).execute();
      return (await db.selectFrom('app_setting').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow()).value;
    })();
    storedSecrets.set(db, secret);
    secret.catch(() => storedSecrets.delete(db));
  }
  return secret;
}
const storedSecrets = new WeakMap<Db, Promise<string>>();

const sign = (secret: string, userId: string) => createHmac('sha256', secret).update(`unsubscribe:${userId}`).digest('base64url');

export const unsubscribeToken = (secret: string, userId: string) => `${userId}.${sign(secret, userId)}`;

/** The user id of a genuine token, or null. */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  const m = /^([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(secret, m[1]));
  const given = Buffer.from(m[2]);
  return expected.length === given.length && timingSafeEqual(expected, given) ? m[1] : null;
}

const THROTTLE_MS = 15 * 60 * 1000;

function describe(kind: string, count: number, data: Record<string, unknown>): string {
  const title = String(data.threadTitle ?? data.title ?? '');
  switch (kind) {
    case 'reply':
      return count > 1 ? `${count} nieuwe reacties op "${title}"` : `Nieuwe reactie van ${data.actorName ?? 'iemand'} op "${title}"`;
    case 'quote':
      return `${data.actorName ?? 'Iemand'} citeerde je in "${title}"`;
    case 'mention':
      return `${data.actorName ?? 'Iemand'} noemde je in "${title}"`;
    case 'new_thread':
      return `Nieuw onderwerp: "${title}"`;
    case 'post_hidden':
      return `Een moderator heeft je bericht in "${title}" verborgen`;
    case 'accepted_answer':
      return `Je reactie in "${title}" is gekozen als beste antwoord`;
    case 'appreciation':
      return count > 1 ? `${count} collega's vinden je bericht in "${title}" nuttig` : `Een collega vindt je bericht in "${title}" nuttig`;
    case 'video_session_requested':
      return `Er is een videosessie aangevraagd bij "${title}"`;
    case 'video_session_scheduled':
      return `De videosessie "${title}" is ingepland`;
    case 'video_session_changed':
      return `De videosessie "${title}" is gewijzigd`;
    case 'video_session_cancelled':
      return `De videosessie "${title}" gaat niet door`;
    case 'video_session_promoted':
      return `Je hebt een plek in de videosessie "${title}"`;
    case 'video_session_reminder':
      return `Herinnering: de videosessie "${title}" begint binnen 24 uur`;
    case 'report':
      return `Nieuwe melding voor moderatoren bij "${title}"`;
    case 'post_held':
      return `Een bericht wacht op een moderator: mogelijk persoonsgegevens van een cliënt`;
    case 'post_held_approved':
      return `Een moderator heeft je bericht in "${title}" goedgekeurd`;
    case 'post_held_removed':
      return `Een moderator heeft je bericht${title ? ` in "${title}"` : ''} verwijderd: het bevatte mogelijk persoonsgegevens`;
    case 'video_session_interest_scheduled':
      return `De videosessie "${title}" waar je interesse in had is ingepland`;
    case 'membership_requested':
      return count > 1 ? `${count} aanvragen om lid te worden van het kanaal "${title}"` : `${data.actorName ?? 'Iemand'} vraagt of die lid mag worden van het kanaal "${title}"`;
    case 'membership_approved':
      return `Je bent nu lid van het kanaal "${title}"`;
    case 'membership_declined':
      return `Je aanvraag om lid te worden van het kanaal "${title}" is niet goedgekeurd`;
    case 'video_session_summary':
      return `Verslag van de videosessie "${title}"`;
    default:
      return `Nieuwe melding op Plein`;
  }
}

/** A one-click action a mail line offers: "Aanmelden" for a session that got its date (a page with one button: link scanners never register anyone). */
function mailAction(config: Config, kind: string, data: Record<string, unknown>): { label: string; url: string } | undefined {
  if (kind === 'video_session_scheduled' && typeof data.sessionId === 'string' && typeof data.startsAt === 'string') {
    return { label: 'Aanmelden', url: `${config.publicUrl}/videosessies/${data.sessionId}/aanmelden?startsAt=${encodeURIComponent(data.startsAt)}` };
  }
  return undefined;
}

type MailLine = { text: string; threadId: string | null; action?: { label: string; url: string } };

function compose(config: Config, secret: string, userId: string, name: string, lines: MailLine[], subject: string) {
  const unsubscribe = `${config.publicUrl}/api/unsubscribe?token=${unsubscribeToken(secret, userId)}`;
  const settings = `${config.publicUrl}/instellingen`;
  const link = (threadId: string | null) => (threadId ? `${config.publicUrl}/t/${threadId}` : `${config.publicUrl}/meldingen`);
  const text =
    `Hallo ${name},\n\n${lines.map((l) => `- ${l.text}\n  ${link(l.threadId)}${l.action ? `\n  ${l.action.label}: ${l.action.url}` : ''}`).join('\n')}\n\n` +
    `Je ontvangt deze e-mail omdat je meldingen van Plein volgt. Hoe vaak je mail krijgt, stel je in bij ${settings}\n` +
    `Afmelden voor alle e-mail (zonder in te loggen): ${unsubscribe}\n`;
  const html =
    `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${esc(subject)}</title></head><body style="font-family:sans-serif;line-height:1.5">` +
    `<p>Hallo ${esc(name)},</p><ul>${lines.map((l) => `<li><a href="${esc(link(l.threadId))}">${esc(l.text)}</a>${l.action ? ` <a href="${esc(l.action.url)}" style="display:inline-block;margin-left:8px;padding:4px 12px;background:#1d4f91;color:#fff;border-radius:4px;text-decoration:none">${esc(l.action.label)}</a>` : ''}</li>`).join('')}</ul>` +
    `<p style="color:#555;font-size:13px">Je ontvangt deze e-mail omdat je meldingen van Plein volgt. Hoe vaak je mail krijgt, stel je in bij <a href="${esc(settings)}">je instellingen</a>. ` +
    `<a href="${esc(unsubscribe)}">Afmelden voor alle e-mail</a>.</p></body></html>`;
  return { subject, text, html, headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
}

/** SMTP refused the recipient permanently (5xx on RCPT TO) — unlike a server that is down or refuses us. */
function recipientRejected(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number };
  return e?.code === 'EENVELOPE' && typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

/**
 * Sends one mail and logs it in the caller's transaction. A recipient the mail server refuses for
 * good is logged as 'rejected' and answered with false (retrying cannot help); any other failure
 * (server down, timeout, auth) is thrown, so the caller's transaction rolls back and it is retried.
 */
async function deliver(
  trx: Transaction<Database>,
  mailer: Mailer,
  message: Parameters<Mailer['send']>[0],
  log: { userId: string; threadId: string | null; kind: 'notification' | 'digest'; now: Date },
): Promise<boolean> {
  let messageId: string | null = null;
  try {
    messageId = await mailer.send(message);
  } catch (err) {
    if (!recipientRejected(err)) throw err;
  }
  await trx
    .insertInto('mail_log')
    .values({ user_id: log.userId, thread_id: log.threadId, kind: messageId === null ? 'rejected' : log.kind, message_id: messageId, sent_at: log.now })
    .execute();
  return messageId !== null;
}

/** Advisory-lock namespace for "mailing this user about this thread". */
const MAIL_LOCK = 0x504c4e31;
const version = sql<string>`(extract(epoch from n.updated_at) * 1000000)::bigint::text`;

/**
 * Sends the pending notification mails: one mail per user and thread, at most one per thread per 15
 * minutes (later notifications wait and go together).
 *
 * Exactly once across instances: each (user, thread) group is handled under a transaction-scoped
 * advisory lock (another instance skips the group this round), and rows are marked sent in the same
 * transaction as the mail log, after SMTP accepted the mail. No row locks are held while talking to
 * SMTP, so posting a reply never waits for a mail server. A row that got a new reply while its mail
 * was being sent (its updated_at changed) stays pending and goes out with the next mail. An SMTP
 * failure rolls the group back (still pending) and the job fails, so pg-boss retries it with backoff.
 *
 * Users who do not want mail at once ('daily' gets the digest, 'never' nothing) have their pending
 * rows marked skipped first, in one statement, without a group transaction each.
 */
export async function sendPendingMails(db: Db, config: Config, mailer: Mailer, now = new Date()): Promise<number> {
  const secret = await appSecret(db, config);
  const notMailedAtOnce = (eb: ExpressionBuilder<Database, 'notification'>) =>
    eb.exists(eb.selectFrom('notification_setting as s').select('s.user_id').whereRef('s.user_id', '=', 'notification.user_id').where('s.email_frequency', '!=', 'immediately'));
  // SKIP LOCKED: a row a reply is updating right now is left pending for the next sweep, so this never
  // waits for (or deadlocks with) posting. Only users with another choice than 'immediately' are touched.
  await db
    .updateTable('notification')
    .set({ email_status: 'skipped' })
    .where('id', 'in', (eb) => eb.selectFrom('notification').select('id').where('email_status', '=', 'pending').where(notMailedAtOnce).forUpdate().skipLocked())
    .execute();
  // Oldest first, leaving out threads mailed in the last 15 minutes (they wait for the next mail), so a
  // backlog of batched groups never starves the rest; only users who are mailed at once.
  const groups = await db
    .selectFrom('notification')
    .select(['notification.user_id', 'notification.thread_id'])
    .where('notification.email_status', '=', 'pending')
    .where((eb) => eb.not(notMailedAtOnce(eb)))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('mail_log as m')
            .select('m.id')
            .whereRef('m.user_id', '=', 'notification.user_id')
            .whereRef('m.thread_id', '=', 'notification.thread_id')
            .where('m.sent_at', '>', new Date(now.getTime() - THROTTLE_MS)),
        ),
      ),
    )
    .groupBy(['notification.user_id', 'notification.thread_id'])
    .orderBy(sql`min(notification.created_at)`)
    .limit(500)
    .execute();
  let sent = 0;
  let failure: unknown = null;
  for (const g of groups) {
    try {
      const didSend = await db.transaction().execute(async (trx) => {
        const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${MAIL_LOCK}::int, hashtext(${`${g.user_id}:${g.thread_id ?? ''}`})) as ok`.execute(trx);
        if (!lock.rows[0].ok) return false; // another instance is mailing this group right now
        const rows = await trx
          .selectFrom('notification as n')
          .leftJoin('post as p', 'p.id', 'n.post_id')
          .select(['n.id', 'n.kind', 'n.count', 'n.data', 'n.thread_id', version.as('version'), visibleNotification.as('visible')])
          .where('n.user_id', '=', g.user_id)
          .where(g.thread_id === null ? sql<boolean>`n.thread_id is null` : sql<boolean>`n.thread_id = ${g.thread_id}`)
          .where('n.email_status', '=', 'pending')
          .orderBy('n.updated_at')
          .execute();
        if (!rows.length) return false;
        const mark = (status: 'sent' | 'skipped', marked: typeof rows) => sql`
          update notification n set email_status = ${status}
          from unnest(${marked.map((r) => r.id)}::bigint[], ${marked.map((r) => r.version)}::text[]) as v(id, version)
          where n.id = v.id and n.email_status = 'pending' and ${version} = v.version`.execute(trx);
        const user = await trx
          .selectFrom('user as u')
          .leftJoin('notification_setting as s', 's.user_id', 'u.id')
          .select(['u.email', 'u.display_name', 's.email_frequency'])
          .where('u.id', '=', g.user_id)
          .executeTakeFirstOrThrow();
        // The choice may have changed since the sweep began (skipped above otherwise).
        const frequency = user.email_frequency ?? 'immediately';
        // Content the user may no longer see is not mailed.
        const visible = rows.filter((r) => r.visible);
        if (frequency !== 'immediately' || visible.length === 0) {
          await mark('skipped', rows);
          return false;
        }
        const recent = await trx
          .selectFrom('mail_log')
          .select('id')
          .where('user_id', '=', g.user_id)
          .where(g.thread_id === null ? sql<boolean>`thread_id is null` : sql<boolean>`thread_id = ${g.thread_id}`)
          .where('sent_at', '>', new Date(now.getTime() - THROTTLE_MS))
          .executeTakeFirst();
        if (recent && g.thread_id !== null) return false; // batched into the next mail for this thread
        const lines = visible.map((r) => ({ text: describe(r.kind, r.count, r.data), threadId: r.thread_id, action: mailAction(config, r.kind, r.data) }));
        const subject = lines.length === 1 ? lines[0].text : `${lines.length} nieuwe meldingen op Plein`;
        const message = { to: user.email, ...compose(config, secret, g.user_id, user.display_name, lines, subject) };
        if (!(await deliver(trx, mailer, message, { userId: g.user_id, threadId: g.thread_id, kind: 'notification', now }))) {
          await mark('skipped', rows); // refused for good: keep it out of the queue
          return false;
        }
        await mark('sent', visible);
        await mark('skipped', rows.filter((r) => !r.visible));
        return true;
      });
      if (didSend) sent++;
    } catch (err) {
      failure = err;
    }
  }
  if (failure) throw failure;
  return sent;
}

/** Daily digest for users who chose it: their unread notifications since the last digest, in one mail. */
export async function sendDigests(db: Db, config: Config, mailer: Mailer, now = new Date()): Promise<number> {
  const secret = await appSecret(db, config);
  const users = await db
    .selectFrom('notification_setting as s')
    .innerJoin('user as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.display_name', 's.last_digest_at'])
    .where('s.email_frequency', '=', 'daily')
    .where((eb) => eb.or([eb('s.last_digest_at', 'is', null), eb('s.last_digest_at', '<', new Date(now.getTime() - 20 * 3600_000))]))
    .execute();
  let sent = 0;
  // As with the immediate mails: one user's failure neither stops the others nor is forgotten.
  let failure: unknown = null;
  for (const u of users) {
    await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('notification_setting')
        .set({ last_digest_at: now })
        .where('user_id', '=', u.id)
        .where((eb) => (u.last_digest_at ? eb('last_digest_at', '=', u.last_digest_at) : eb('last_digest_at', 'is', null)))
        .executeTakeFirst();
      if (!claimed.numUpdatedRows) return; // another instance did it
      const rows = await trx
        .selectFrom('notification as n')
        .leftJoin('post as p', 'p.id', 'n.post_id')
        .select(['n.kind', 'n.count', 'n.data', 'n.thread_id'])
        .where('n.user_id', '=', u.id)
        .where('n.read_at', 'is', null)
        .where('n.updated_at', '>', u.last_digest_at ?? new Date(0))
        .where(visibleNotification)
        .orderBy('n.updated_at', 'desc')
        .limit(50)
        .execute();
      if (!rows.length) return;
      const lines = rows.map((r) => ({ text: describe(r.kind, r.count, r.data), threadId: r.thread_id, action: mailAction(config, r.kind, r.data) }));
      const message = { to: u.email, ...compose(config, secret, u.id, u.display_name, lines, `Je dagelijkse overzicht van Plein (${lines.length})`) };
      if (await deliver(trx, mailer, message, { userId: u.id, threadId: null, kind: 'digest', now })) sent++;
    }).catch((err: unknown) => {
      failure = err; // rolled back: this user's digest is tried again on the job's retry
    });
  }
  if (failure) throw failure;
  return sent;
}

export { describe as describeNotification };
