import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPasswordProblem } from '../../server/accounts/password';
import { buildApp } from '../../server/app';
import { PUBLIC_URL, type TestApp, browser, createTestApp, outbox, signUp, tokenFromMail, uniqueEmail } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('signup', () => {
  it('answers 202 without a session; the mailed link verifies the address and signs in, hiding the password hash', async () => {
    const agent = browser(t.app);
    const email = uniqueEmail('anna');
    const res = await agent.post('/api/auth/signup').send({ email, password: 'lang genoeg wachtwoord', displayName: 'Anna de Vries' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'verification_sent' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await agent.get('/api/me')).status).toBe(401);
    const token = await tokenFromMail(t, email, 'e-mail-bevestigen');
    const verified = await agent.post('/api/auth/verify-email').send({ token });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email, displayName: 'Anna de Vries', role: 'member', emailVerified: true });
    expect(JSON.stringify(verified.body)).not.toMatch(/argon2|password/i);
    const cookie = verified.headers['set-cookie'][0] as string;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await agent.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
  });

  it('stores only the SHA-256 of the session token', async () => {
    const agent = browser(t.app);
    const email = uniqueEmail();
    await agent.post('/api/auth/signup').send({ email, password: 'lang genoeg wachtwoord', displayName: 'Bas' }).expect(202);
    const res = await agent.post('/api/auth/verify-email').send({ token: await tokenFromMail(t, email, 'e-mail-bevestigen') }).expect(200);
    const token = /plein_session=([^;]+)/.exec(res.headers['set-cookie'][0])![1];
    const rows = await t.db.selectFrom('user_session').select('id').where('user_id', '=', res.body.user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].id).not.toBe(token);
    expect(rows[0].id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a known address (in any case) with the same 202, makes no account and mails the owner instead', async () => {
    const email = uniqueEmail('dup');
    const first = await browser(t.app).post('/api/auth/signup').send({ email, password: 'lang genoeg wachtwoord', displayName: 'Eerste' });
    const res = await browser(t.app).post('/api/auth/signup').send({ email: email.toUpperCase(), password: 'lang genoeg wachtwoord', displayName: 'Tweede' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual(first.body);
    const count = await t.db.selectFrom('user').select((eb) => eb.fn.countAll().as('n')).where('display_name', '=', 'Tweede').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    const mails = (await outbox(t)).filter((m) => m.to === email);
    expect(mails.map((m) => m.subject)).toContain('Iemand wilde een account maken met je e-mailadres');
    expect(mails.find((m) => m.subject.startsWith('Iemand'))!.text).toContain('/wachtwoord-vergeten');
  });

  it('rejects a password under 10 characters with fields.password', async () => {
    const res = await browser(t.app).post('/api/auth/signup').send({ email: uniqueEmail(), password: 'kort', displayName: 'Kees' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields.password).toBeTruthy();
  });

  it('answers malformed JSON with 400 in the error shape', async () => {
    const res = await browser(t.app).post('/api/auth/signup').set('content-type', 'application/json').send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('never stores unknown fields such as a role', async () => {
    const res = await browser(t.app)
      .post('/api/auth/signup')
      .send({ email: uniqueEmail('sneaky'), password: 'lang genoeg wachtwoord', displayName: 'Sneaky', role: 'admin' });
    expect(res.status).toBe(202);
    const row = await t.db.selectFrom('user').select('role').where('display_name', '=', 'Sneaky').executeTakeFirstOrThrow();
    expect(row.role).toBe('member');
  });

  it('rejects an oversized body with 413', async () => {
    const res = await browser(t.app)
      .post('/api/auth/signup')
      .send({ email: uniqueEmail(), password: 'lang genoeg wachtwoord', displayName: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});

describe('login and logout', () => {
  it('logs in with the right password (email in any case)', async () => {
    const u = await signUp(t);
    const res = await browser(t.app).post('/api/auth/login').send({ email: u.email.toUpperCase(), password: u.password });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(u.id);
  });

  it('gives the same 401 for an unknown email and a wrong password', async () => {
    const u = await signUp(t);
    const wrong = await browser(t.app).post('/api/auth/login').send({ email: u.email, password: 'niet het wachtwoord' });
    const unknown = await browser(t.app).post('/api/auth/login').send({ email: uniqueEmail('nobody'), password: 'niet het wachtwoord' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  it('kills the session server-side on logout: the old cookie gets 401', async () => {
    const u = await signUp(t);
    const me = await u.agent.get('/api/me');
    expect(me.status).toBe(200);
    const cookieHeader = `plein_session=${/plein_session=([^;]+)/.exec((await u.agent.post('/api/auth/login').send({ email: u.email, password: u.password })).headers['set-cookie'][0])![1]}`;
    await request(t.app.server).post('/api/auth/logout').set('Cookie', cookieHeader).set('Origin', PUBLIC_URL).expect(204);
    const reuse = await request(t.app.server).get('/api/me').set('Cookie', cookieHeader);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('unauthorized');
  });

  it('rejects a write with a session cookie and a foreign or missing Origin with 403', async () => {
    const u = await signUp(t);
    const foreign = await u.agent.patch('/api/me').set('Origin', 'https://evil.example').send({ bio: 'gehackt' });
    expect(foreign.status).toBe(403);
    const res = await u.agent.get('/api/me');
    expect(res.body.user.bio).toBe('');
  });

  it('takes the Origin writes must come from from PUBLIC_URL: an app built for another address accepts that one only', async () => {
    const elsewhere = 'http://127.0.0.1:4321';
    const app = await t.another({ publicUrl: elsewhere });
    const u = await signUp(t);
    const write = (origin: string) => request(app.server).patch('/api/me').set('Cookie', u.cookie).set('Origin', origin).send({ bio: `Via ${origin}` });
    expect((await write(PUBLIC_URL)).status).toBe(403);
    expect((await write('http://127.0.0.1:1234')).status).toBe(403);
    expect((await write(elsewhere)).body.user.bio).toBe(`Via ${elsewhere}`);
  });

  it('changing the password ends every other session', async () => {
    const u = await signUp(t);
    const other = browser(t.app);
    await other.post('/api/auth/login').send({ email: u.email, password: u.password }).expect(200);
    await u.agent.post('/api/me/password').send({ currentPassword: u.password, newPassword: 'een nieuw wachtwoord' }).expect(200);
    expect((await other.get('/api/me')).status).toBe(401);
    expect((await u.agent.get('/api/me')).status).toBe(200);
    await browser(t.app).post('/api/auth/login').send({ email: u.email, password: 'een nieuw wachtwoord' }).expect(200);
  });

  it('a wrong current password, or a new one that is too short, changes nothing and ends no session', async () => {
    const u = await signUp(t);
    const other = browser(t.app);
    await other.post('/api/auth/login').send({ email: u.email, password: u.password }).expect(200);
    const wrong = await u.agent.post('/api/me/password').send({ currentPassword: 'niet mijn wachtwoord', newPassword: 'een nieuw wachtwoord' });
    expect([wrong.status, wrong.body.error.code, wrong.body.error.fields]).toEqual([400, 'validation_failed', { currentPassword: 'is incorrect' }]);
    const short = await u.agent.post('/api/me/password').send({ currentPassword: u.password, newPassword: 'kort' });
    expect([short.status, Object.keys(short.body.error.fields ?? {})]).toEqual([400, ['newPassword']]);
    expect((await u.agent.post('/api/me/password').send({ currentPassword: '', newPassword: 'een nieuw wachtwoord' })).status).toBe(400);
    expect((await other.get('/api/me')).status).toBe(200);
    await browser(t.app).post('/api/auth/login').send({ email: u.email, password: u.password }).expect(200);
  });
});

describe('profile', () => {
  it('updates my profile and shows it publicly without email', async () => {
    const u = await signUp(t);
    const res = await u.agent.patch('/api/me').send({ jobTitle: 'Beleidsadviseur Wmo', organisation: 'Gemeente Zwolle', bio: 'Werk aan de Wmo.' });
    expect(res.status).toBe(200);
    const pub = await request(t.app.server).get(`/api/users/${u.id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.user).toMatchObject({ displayName: u.displayName, jobTitle: 'Beleidsadviseur Wmo', organisation: 'Gemeente Zwolle', role: 'member' });
    expect(pub.body.user.email).toBeUndefined();
  });

  it('answers 404 for an unknown user and 400 for a garbage id', async () => {
    expect((await request(t.app.server).get('/api/users/999999')).status).toBe(404);
    expect((await request(t.app.server).get('/api/users/abc')).status).toBe(400);
  });

  it('does not let a member set their role through the profile', async () => {
    const u = await signUp(t);
    const res = await u.agent.patch('/api/me').send({ role: 'admin', displayName: 'Nog steeds lid' });
    expect(res.status).toBe(200);
    expect(res.body.user.role).toBe('member');
  });

  it('requires a session for /api/me', async () => {
    const res = await request(t.app.server).get('/api/me');
    expect(res.status).toBe(401);
  });
});

describe('roles', () => {
  it('lets an admin appoint an expert, and nobody else', async () => {
    const admin = await signUp(t, { role: 'admin' });
    const member = await signUp(t);
    const target = await signUp(t);
    expect((await member.agent.put(`/api/admin/users/${target.id}/role`).send({ role: 'expert' })).status).toBe(403);
    const res = await admin.agent.put(`/api/admin/users/${target.id}/role`).send({ role: 'expert' });
    expect(res.status).toBe(200);
    expect(res.body.user.role).toBe('expert');
    expect((await admin.agent.put(`/api/admin/users/${target.id}/role`).send({ role: 'king' })).status).toBe(400);
    // The optional reason is part of the published body (the client's type comes from the same schema).
    expect((await admin.agent.put(`/api/admin/users/${target.id}/role`).send({ role: 'moderator', reason: 'Nieuwe moderator' })).status).toBe(200);
    const doc = (await request(t.app.server).get('/api/openapi.json')).body;
    const body = doc.paths['/api/admin/users/{id}/role'].put.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(['role', 'reason']);
    expect(body.required).toEqual(['role']);
  });
});

describe('rate limits', () => {
  it('answers the 11th failed login in a minute from one address with 429 and Retry-After', async () => {
    const limited = await t.another({ rateLimitsEnabled: true });
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await request(limited.server).post('/api/auth/login').send({ email: 'nobody@example.nl', password: `poging ${i}` });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(last!.status).toBe(429);
    expect(last!.headers['retry-after']).toBeDefined();
    expect(last!.body.error.code).toBe('rate_limited');
  });
});

describe('health and openapi', () => {
  it('reports the database up', async () => {
    const res = await request(t.app.server).get('/api/health');
    expect(res.body).toEqual({ ok: true, db: 'up' });
  });

  it('answers 503 when the database is unreachable', async () => {
    const broken = await buildApp({ ...t.config, databaseUrl: 'postgres://nobody@127.0.0.1:1/none' }, { logger: false });
    await broken.ready();
    const res = await request(broken.server).get('/api/health');
    expect(res.status).toBe(503);
    expect(res.body.db).toBe('down');
    await broken.close();
  });

  it('publishes the OpenAPI document with the account routes', async () => {
    const res = await request(t.app.server).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.paths['/api/auth/signup']).toBeDefined();
    expect(res.body.paths['/api/users/{id}']).toBeDefined();
  });

  it('answers unknown API routes with the error shape', async () => {
    const res = await request(t.app.server).get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('logging', () => {
  it('never writes a password or a password hash to the log', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logged = await buildApp(t.config, { logger: { level: 'trace', stream } });
    await logged.ready();
    const password = 'geheim-wachtwoord-123';
    const email = uniqueEmail('log');
    await request(logged.server).post('/api/auth/signup').send({ email, password, displayName: 'Logger' });
    await request(logged.server).post('/api/auth/login').send({ email, password: 'fout-wachtwoord-456' });
    await request(logged.server).post('/api/auth/login').send({ email, password });
    await logged.close();
    const all = lines.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(password);
    expect(all).not.toContain('fout-wachtwoord-456');
    expect(all).not.toContain('$argon2');
  });
});

describe('the new-password rule outside the API (scripts/create-admin.ts)', () => {
  it('newPasswordProblem agrees with sign-up at both limits, counting characters as the API does', async () => {
    // Varied characters, so that only the length decides (a repeated character is a common password).
    const letters = (n: number) => Array.from({ length: n }, (_, i) => 'kq7wzmx3vrpb'[(i * 5 + (i >> 3)) % 12]).join('');
    const emoji = (n: number) => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x1f600 + ((i * 7 + (i >> 2)) % 60))).join('');
    const candidates = [letters(9), letters(10), letters(256), letters(257), emoji(9), emoji(10), emoji(256), emoji(257)];
    let n = 0;
    for (const password of candidates) {
      const res = await browser(t.app).post('/api/auth/signup').send({ email: uniqueEmail(), password, displayName: `Regel ${String.fromCharCode(97 + n++)}` });
      expect(res.status === 202, `${password.length} UTF-16 units: ${JSON.stringify(res.body)}`).toBe(newPasswordProblem(password) === null);
    }
    expect(newPasswordProblem('x'.repeat(257))).toBe('must be 10 to 256 characters');
  });

  it('create-admin refuses a new admin whose password is too short or too long with one clear line, and accepts 256 characters', () => {
    const run = (email: string, password: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/create-admin.ts', '--email', email, '--password', password], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, DATABASE_URL: t.config.databaseUrl!, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
    for (const password of ['kort', 'x'.repeat(257)]) {
      const res = run(uniqueEmail('beheer'), password);
      expect(res.status).toBe(1);
      expect(res.stderr.trim()).toBe('create-admin: --password must be 10 to 256 characters');
    }
    const email = uniqueEmail('beheer');
    const ok = run(email, 'x'.repeat(256));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`admin account ${email} created`);
    // Three tsx processes that each compile the scripts: slow on two busy cores.
  }, 120_000);
});
