import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, browser, createTestApp, signUp } from '../support/app';
import { erasedAccount } from '../../server/accounts/users';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'wmo');
  expert = await signUp(t, { role: 'expert' });
});
afterAll(async () => {
  await t.close();
});

describe('AVG: my data', () => {
  it('exports everything about me as a JSON download', async () => {
    const u = await signUp(t, { displayName: 'Inge Inzage' });
    const thread = await startThread(expert, 'wmo');
    await replyTo(u, thread.id, '<p>Mijn bijdrage</p>');
    const res = await u.agent.get('/api/me/export');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const data = JSON.parse(res.text);
    expect(data.account).toMatchObject({ email: u.email, displayName: 'Inge Inzage' });
    expect(data.posts[0].body_text).toBe('Mijn bijdrage');
    expect(data.subscriptions).toEqual([expect.objectContaining({ target_type: 'thread', level: 'watching' })]);
    expect((await request(t.app.server).get('/api/me/export')).status).toBe(401);
  });

  it('deletes my account with my password: personal data gone, posts stay as "Verwijderd account", logged out', async () => {
    const u = await signUp(t, { displayName: 'Daan Delete', jobTitle: 'Consulent', organisation: 'Gemeente X' });
    const thread = await startThread(expert, 'wmo');
    await replyTo(u, thread.id, '<p>Blijft staan</p>');
    // The thread's author is told of the reply, by name.
    const noticesOfAuthor = async () => JSON.stringify((await expert.agent.get('/api/notifications').expect(200)).body);
    expect(await noticesOfAuthor()).toContain('Daan Delete');
    const wrong = await u.agent.delete('/api/me').send({ password: 'niet mijn wachtwoord' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields.password).toBeTruthy();
    expect((await u.agent.delete('/api/me').send({ password: u.password })).status).toBe(204);
    expect((await u.agent.get('/api/me')).status).toBe(401);
    expect((await browser(t.app).post('/api/auth/login').send({ email: u.email, password: u.password })).status).toBe(401);
    const profile = await request(t.app.server).get(`/api/users/${u.id}`);
    expect(profile.body.user).toMatchObject({ displayName: 'Verwijderd account', jobTitle: '', organisation: '' });
    const page = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(page.body.replies.items[0]).toMatchObject({ body: '<p>Blijft staan</p>', author: { displayName: 'Verwijderd account' } });
    // Nor does the name stay in the notices others got about what the account did.
    expect(await noticesOfAuthor()).not.toContain('Daan Delete');
    expect(await noticesOfAuthor()).toContain('Verwijderd account');
    // The email address is free again.
    await browser(t.app).post('/api/auth/signup').send({ email: u.email, password: 'een nieuw begin', displayName: 'Daan' }).expect(202);
    expect((await t.db.selectFrom('user').select('display_name').where('email', '=', u.email).executeTakeFirstOrThrow()).display_name).toBe('Daan');
    // The address it was given is the one the rest of the server recognises as erased (never notified or mailed).
    const erased = await t.db.selectFrom('user').select('id').where(erasedAccount('email')).execute();
    expect(erased.map((r) => r.id)).toEqual([u.id]);
  });
});
