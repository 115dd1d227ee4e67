// Account mails (verify the address, reset the password, notices): queued in the same transaction
// as the change, sent right after it commits (not on the next sweep), retried by a sweep when the
// mail server was down. Each row is claimed under a row lock (SKIP LOCKED), so instances never send one twice.
import type { FastifyBaseLogger } from 'fastify';
import type { Transaction } from 'kysely';
import type { Config } from '../config';
import { escapeHtml as esc } from '../content/escape';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import type { Mailer } from '../notifications/mail';

export type AccountMailKind = 'verify_email' | 'signup_existing' | 'password_reset' | 'password_changed';

interface Composed {
  subject: string;
  paragraphs: string[];
  link?: { href: string; label: string };
}

function compose(config: Config, kind: AccountMailKind, token?: string): Composed {
  const url = config.publicUrl;
  switch (kind) {
    case 'verify_email':
      return {
        subject: 'Bevestig je e-mailadres voor Plein',
        paragraphs: ['Bevestig je e-mailadres met de knop hieronder. Daarna kun je inloggen op Plein.', 'De link werkt 24 uur en één keer. Heb jij dit niet aangevraagd? Dan kun je deze mail negeren.'],
        link: { href: `${url}/e-mail-bevestigen?token=${token}`, label: 'E-mailadres bevestigen' },
      };
    case 'signup_existing':
      return {
        subject: 'Iemand wilde een account maken met je e-mailadres',
        paragraphs: [
          'Iemand probeerde een nieuw account op Plein te maken met dit e-mailadres. Je hebt al een account, dus er is niets veranderd.',
          'Was jij dat en weet je je wachtwoord niet meer? Vraag dan een nieuw wachtwoord aan. Was jij het niet? Dan hoef je niets te doen.',
        ],
        link: { href: `${url}/wachtwoord-vergeten`, label: 'Wachtwoord vergeten?' },
      };
    case 'password_reset':
      return {
        subject: 'Stel een nieuw wachtwoord in voor Plein',
        paragraphs: ['Je hebt gevraagd om een nieuw wachtwoord. Kies een nieuw wachtwoord met de knop hieronder.', 'De link werkt 1 uur en één keer. Heb jij dit niet gevraagd? Dan kun je deze mail negeren: je wachtwoord blijft hetzelfde.'],
        link: { href: `${url}/wachtwoord-herstellen?token=${token}`, label: 'Nieuw wachtwoord kiezen' },
      };
    case 'password_changed':
      return {
        subject: 'Je wachtwoord is gewijzigd',
        paragraphs: ['Je wachtwoord voor Plein is gewijzigd. Je bent overal uitgelogd.', 'Was jij dit niet? Vraag dan meteen een nieuw wachtwoord aan en neem contact op met de beheerder.'],
        link: { href: `${url}/wachtwoord-vergeten`, label: 'Nieuw wachtwoord aanvragen' },
      };
  }
}

/** Writes the mail in the caller's transaction; it goes out when the transaction has committed (see AccountMailSender.kick). */
export async function queueAccountMail(trx: Transaction<Database>, config: Config, to: { userId: string; email: string; name: string }, kind: AccountMailKind, token?: string): Promise<void> {
  const c = compose(config, kind, token);
  const text = `Hallo ${to.name},\n\n${c.paragraphs.join('\n\n')}\n\n${c.link ? `${c.link.label}: ${c.link.href}\n\n` : ''}Groet,\nPlein\n`;
  const html =
    `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${esc(c.subject)}</title></head><body style="font-family:sans-serif;line-height:1.5">` +
    `<p>Hallo ${esc(to.name)},</p>${c.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}` +
    (c.link ? `<p><a href="${esc(c.link.href)}" style="display:inline-block;padding:.5rem 1rem;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px">${esc(c.link.label)}</a></p><p style="font-size:13px;color:#555">${esc(c.link.href)}</p>` : '') +
    `<p>Groet,<br>Plein</p></body></html>`;
  await trx.insertInto('account_mail').values({ user_id: to.userId, to_address: to.email, kind, subject: c.subject, text_body: text, html_body: html }).execute();
}

/** Mails of these kinds sent to the account in the last hour (the per-account limit on requests that send one). */
export async function recentAccountMails(db: Db, userId: string, kinds: AccountMailKind[]): Promise<number> {
  const row = await db
    .selectFrom('account_mail')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('kind', 'in', kinds)
    .where('created_at', '>', new Date(Date.now() - 3600_000))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** About 8 hours of 30-second sweeps: a mail server down longer than that needs a new link anyway (they expire). */
const MAX_ATTEMPTS = 1000;

function recipientRejected(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number };
  return e?.code === 'EENVELOPE' && typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

/**
 * Sends every pending account mail, one row lock each. The body is cleared once sent: a mail holds a
 * live link, and the database need not keep it. Throws the last failure after trying every row.
 */
export async function sendAccountMails(db: Db, mailer: Mailer): Promise<number> {
  let sent = 0;
  let failure: unknown = null;
  let trying: string | null = null;
  for (;;) {
    const done = await db
      .transaction()
      .execute(async (trx) => {
        const row = await trx
          .selectFrom('account_mail')
          .selectAll()
          .where('status', '=', 'pending')
          .where('attempts', '<', MAX_ATTEMPTS)
          // A mail that keeps failing moves behind the others instead of blocking them.
          .orderBy('attempts')
          .orderBy('id')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!row) return 'empty' as const;
        trying = row.id;
        try {
          await mailer.send({ to: row.to_address, subject: row.subject, text: row.text_body, html: row.html_body, headers: { 'Auto-Submitted': 'auto-generated' } });
        } catch (err) {
          if (!recipientRejected(err)) throw err;
          await trx.updateTable('account_mail').set({ status: 'rejected', text_body: '', html_body: '', sent_at: new Date() }).where('id', '=', row.id).execute();
          return 'rejected' as const;
        }
        await trx.updateTable('account_mail').set({ status: 'sent', text_body: '', html_body: '', sent_at: new Date() }).where('id', '=', row.id).execute();
        return 'sent' as const;
      })
      .catch(async (err: unknown) => {
        failure = err;
        if (trying) await db.updateTable('account_mail').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', trying).execute().catch(() => {});
        return 'failed' as const;
      });
    if (done === 'empty') break;
    if (done === 'sent') sent++;
    if (done === 'failed') break; // the mail server is down: the sweep tries again later
  }
  if (failure) throw failure;
  return sent;
}

export interface AccountMailSender {
  /** Sends what is pending now, in the background (after a commit that queued a mail). */
  kick(): void;
  /** Waits for a running send (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

/** Sends at once after each kick; with `sweepMs`, also on a timer (mails that failed while the mail server was down). */
export function accountMailSender(db: Db, mailer: Mailer, log: FastifyBaseLogger, sweepMs: number | null): AccountMailSender {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = (): Promise<void> =>
    sendAccountMails(db, mailer)
      .then((n) => {
        if (n > 0) log.info({ sent: n }, 'account mails sent');
      })
      .catch((err: unknown) => {
        if (!stopped) log.warn({ err: err instanceof Error ? err.message : String(err) }, 'account mail: sending failed, will retry');
      });
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = run().finally(() => {
      running = null;
      if (again) {
        again = false;
        kick();
      }
    });
  };
  const timer = sweepMs ? setInterval(kick, sweepMs) : null;
  timer?.unref();
  return {
    kick,
    async idle() {
      while (running) await running;
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
