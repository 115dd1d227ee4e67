// The development mail page and the migration that brought display-name skeletons.
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as m0012 from '../../migrations/0012_account_trust';
import { createDb } from '../../server/db';
import { type TestApp, createTestApp, createTestDatabase, uniqueEmail } from '../support/app';

describe('/_dev/mail', () => {
  let local: TestApp;
  beforeAll(async () => {
    local = await createTestApp({ publicUrl: 'http://localhost:3999', smtpUrl: undefined, devMailPage: true });
  });
  afterAll(async () => {
    await local?.close();
  });

  it('lists the outbox with a clickable verification link when there is no SMTP_URL and PUBLIC_URL is localhost', async () => {
    const email = uniqueEmail('laptop');
    await request(local.app.server).post('/api/auth/signup').send({ email, password: 'paarse olifant fietst', displayName: 'Laptop Proef' }).expect(202);
    await local.app.accountMails.idle();
    const page = await request(local.app.server).get('/_dev/mail');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain(email);
    expect(page.text).toMatch(/<a href="http:\/\/localhost:3999\/e-mail-bevestigen\?token=[A-Za-z0-9_-]+">/);
  });

  it('does not exist with SMTP_URL set or on a public address', async () => {
    const { loadConfig } = await import('../../server/config');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).devMailPage).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000', SMTP_URL: 'smtp://mail.example:25' }).devMailPage).toBe(false);
    expect(loadConfig({ PUBLIC_URL: 'https://plein.gemeente.nl' }).devMailPage).toBe(false);
    const remote = await createTestApp();
    try {
      expect((await request(remote.app.server).get('/_dev/mail')).status).toBe(404);
    } finally {
      await remote.close();
    }
  });

  it('REQUIRE_2FA: moderator,admin by default, none on a localhost PUBLIC_URL, a bad value stops the start', async () => {
    const { loadConfig } = await import('../../server/config');
    expect(loadConfig({ PUBLIC_URL: 'https://plein.gemeente.nl' }).requireTwoFactor).toEqual(['moderator', 'admin']);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).requireTwoFactor).toEqual([]);
    expect(loadConfig({ PUBLIC_URL: 'https://plein.gemeente.nl', REQUIRE_2FA: 'none' }).requireTwoFactor).toEqual([]);
    expect(loadConfig({ PUBLIC_URL: 'https://plein.gemeente.nl', REQUIRE_2FA: 'expert, admin' }).requireTwoFactor).toEqual(['expert', 'admin']);
    expect(() => loadConfig({ REQUIRE_2FA: 'boss' })).toThrow(/REQUIRE_2FA/);
  });
});

describe('migration 0012_account_trust', () => {
  it('counts existing accounts as verified, keeps look-alike names and logs them; the oldest holds the name', async () => {
    const database = await createTestDatabase();
    const db = createDb(database.url, { max: 2 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await m0012.down(db as never);
      const insert = async (name: string) =>
        (await sql<{ id: string }>`insert into "user" (email, display_name, password_hash) values (${uniqueEmail('old')}, ${name}, 'x') returning id`.execute(db)).rows[0].id;
      const first = await insert('Marieke van Dalen');
      const second = await insert('marieke van dálen');
      const third = await insert('Anne Hoekstra');
      await sql`update "user" set email_verified_at = null`.execute(db);
      await m0012.up(db as never);
      const rows = await db.selectFrom('user').select(['id', 'display_name', 'display_name_skeleton', 'email_verified_at']).where('id', 'in', [first, second, third]).orderBy('id').execute();
      expect(rows.map((r) => r.display_name)).toEqual(['Marieke van Dalen', 'marieke van dálen', 'Anne Hoekstra']);
      expect(rows.every((r) => r.email_verified_at !== null)).toBe(true);
      expect(rows[0].display_name_skeleton).not.toBeNull();
      expect(rows[1].display_name_skeleton).toBeNull();
      expect(rows[2].display_name_skeleton).not.toBeNull();
      const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
      expect(logged).toContain(`${first} "Marieke van Dalen"`);
      expect(logged).toContain(`${second} "marieke van dálen"`);
      expect(logged).not.toContain('Anne Hoekstra');
    } finally {
      warn.mockRestore();
      await db.destroy();
      await database.drop();
    }
  });
});
