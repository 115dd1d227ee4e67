// Account mails against a real SMTP server (smtp-server): out within seconds, not on the next sweep,
// and retried when the mail server was down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, browser, createTestApp, uniqueEmail } from '../support/app';
import { Inbox } from './inbox';

describe('account mails over SMTP', () => {
  const inbox = new Inbox();
  let t: TestApp;
  beforeAll(async () => {
    await inbox.start();
    t = await createTestApp({ smtpUrl: inbox.url, runJobs: false });
  });
  afterAll(async () => {
    await t?.close();
    await inbox.stop();
  });

  it('sends the verification mail within seconds of the sign-up, in Dutch, with the link to PUBLIC_URL', async () => {
    const email = uniqueEmail('smtp');
    await browser(t.app).post('/api/auth/signup').send({ email, password: 'paarse olifant fietst', displayName: 'Snelle Post' }).expect(202);
    const answered = Date.now(); // the sign-up itself hashes the password; the mail is timed from its answer
    await expect.poll(() => inbox.to(email).length, { timeout: 5_000, interval: 50 }).toBe(1);
    expect(Date.now() - answered).toBeLessThan(5_000);
    const mail = inbox.to(email)[0].raw;
    expect(Inbox.subject(mail)).toBe('Bevestig je e-mailadres voor Plein');
    expect(mail.replace(/=\r?\n/g, '')).toContain(`${t.config.publicUrl}/e-mail-bevestigen?token=`);
  });

  it('a reset requested while the mail server is down goes out once it is back (the sweep retries)', async () => {
    const email = uniqueEmail('down');
    await browser(t.app).post('/api/auth/signup').send({ email, password: 'paarse olifant fietst', displayName: 'Later Post' }).expect(202);
    await expect.poll(() => inbox.to(email).length, { timeout: 5_000, interval: 50 }).toBe(1);
    await t.db.updateTable('user').set({ email_verified_at: new Date() }).where('email', '=', email).execute();
    await inbox.stop();
    await browser(t.app).post('/api/auth/password-reset').send({ email }).expect(202);
    await t.app.accountMails.idle();
    const pending = await t.db.selectFrom('account_mail').select('status').where('to_address', '=', email).where('kind', '=', 'password_reset').executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');
    await inbox.start();
    t.app.accountMails.kick(); // what the 30-second sweep does where jobs run
    await expect.poll(() => inbox.to(email).length, { timeout: 10_000, interval: 100 }).toBe(2);
    expect(Inbox.subject(inbox.to(email)[1].raw)).toBe('Stel een nieuw wachtwoord in voor Plein');
    t.app.accountMails.kick();
    await t.app.accountMails.idle();
    expect(inbox.to(email)).toHaveLength(2); // once
  });
});
