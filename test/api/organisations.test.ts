// Verified organisations: admins keep them (name, e-mail domains); a user whose verified e-mail is in
// a domain gets the organisation with the "geverifieerd" mark wherever their author line shows, and
// cannot type another organisation over it. Others keep a free-text organisation without the mark.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { pdf, png } from '../support/files';

let t: TestApp;
let admin: TestUser;
let professional: TestUser;
let freeText: TestUser;
let unverified: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'wmo');
  admin = await signUp(t, { role: 'admin' });
  professional = await signUp(t, { email: 'Fatima.Ouali@Zwolle.Example', displayName: 'Fatima Ouali', organisation: 'Typefout BV' });
  freeText = await signUp(t, { displayName: 'Freek Vrij', organisation: 'Zelfstandig adviseur' });
  unverified = await signUp(t, { email: 'nog.niet@zwolle.example', displayName: 'Nog Niet Bevestigd' });
  // Verified e-mail (issue 16 sets this at verification; existing accounts count as verified).
  await t.db.updateTable('user').set({ email_verified_at: new Date() }).where('id', 'in', [professional.id, freeText.id]).execute();
  await t.db.updateTable('user').set({ email_verified_at: null }).where('id', '=', unverified.id).execute();
});
afterAll(async () => {
  await t.close();
});

describe('organisations (admin)', () => {
  let zwolleId: string;

  it('lets admins add, list, change and remove organisations; others get 403 or 401', async () => {
    const created = await admin.agent.post('/api/admin/organisations').send({ name: 'Gemeente Zwolle', domains: ['zwolle.example', 'ZWOLLE-ZORG.example'] });
    expect(created.status).toBe(201);
    expect(created.body.organisation).toMatchObject({ name: 'Gemeente Zwolle', domains: ['zwolle-zorg.example', 'zwolle.example'], logoUrl: null, memberCount: 1 });
    zwolleId = created.body.organisation.id;
    const list = await admin.agent.get('/api/admin/organisations').expect(200);
    expect(list.body.items.map((o: { name: string }) => o.name)).toEqual(['Gemeente Zwolle']);
    expect((await professional.agent.get('/api/admin/organisations')).status).toBe(403);
    expect((await professional.agent.post('/api/admin/organisations').send({ name: 'Eigen club', domains: ['eigen.example'] })).status).toBe(403);
    expect((await request(t.app.server).get('/api/admin/organisations')).status).toBe(401);
  });

  it('refuses bad input and duplicates, changing nothing', async () => {
    expect((await admin.agent.post('/api/admin/organisations').send({ name: 'Leeg', domains: [] })).status).toBe(400);
    expect((await admin.agent.post('/api/admin/organisations').send({ name: 'Raar', domains: ['@zwolle.example'] })).status).toBe(400);
    expect((await admin.agent.post('/api/admin/organisations').send({ name: 'Nog een Zwolle', domains: ['zwolle.example'] })).status).toBe(409);
    expect((await admin.agent.post('/api/admin/organisations').send({ name: 'gemeente zwolle', domains: ['ander.example'] })).status).toBe(409);
    expect((await admin.agent.patch('/api/admin/organisations/999999').send({ name: 'Niemand' })).status).toBe(404);
    expect((await admin.agent.get('/api/admin/organisations')).body.items).toHaveLength(1);
  });

  it('keeps an optional logo: admins upload (PNG, JPEG or WebP) and remove it; everyone sees it', async () => {
    const up = await admin.agent.put(`/api/admin/organisations/${zwolleId}/logo`).attach('file', await png(400, 200), 'logo.png');
    expect(up.status).toBe(200);
    expect(up.body.logoUrl).toMatch(new RegExp(`^/api/organisations/${zwolleId}/logo\\?v=`));
    const logo = await request(t.app.server).get(up.body.logoUrl).buffer(true);
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/webp');
    expect((await admin.agent.get('/api/admin/organisations')).body.items[0].logoUrl).toBe(up.body.logoUrl);
    expect((await professional.agent.put(`/api/admin/organisations/${zwolleId}/logo`).attach('file', await png(), 'logo.png')).status).toBe(403);
    expect((await admin.agent.put(`/api/admin/organisations/${zwolleId}/logo`).attach('file', pdf(), 'logo.pdf')).status).toBe(415);
    expect((await admin.agent.put('/api/admin/organisations/999999/logo').attach('file', await png(), 'logo.png')).status).toBe(404);
    expect((await admin.agent.get('/api/admin/organisations')).body.items[0].logoUrl).toBe(up.body.logoUrl);
    await admin.agent.delete(`/api/admin/organisations/${zwolleId}/logo`).expect(204);
    expect((await request(t.app.server).get(`/api/organisations/${zwolleId}/logo`)).status).toBe(404);
  });

  it('shows the verified organisation with the mark on the author line: thread, replies, profile, search hits, mention suggestions', async () => {
    const thread = await startThread(professional, 'wmo', { title: 'Keukentafelgesprek met tolk' });
    await replyTo(professional, thread.id, '<p>Wij gebruiken een tolkentelefoon.</p>');
    await replyTo(freeText, thread.id, '<p>Ik ook.</p>');
    const page = await request(t.app.server).get(`/api/threads/${thread.id}`).expect(200);
    const verifiedAuthor = { id: professional.id, organisation: 'Gemeente Zwolle', organisationVerified: true, organisationId: zwolleId };
    expect(page.body.thread.author).toMatchObject(verifiedAuthor);
    expect(page.body.replies.items[0].author).toMatchObject(verifiedAuthor);
    expect(page.body.replies.items[1].author).toMatchObject({ organisation: 'Zelfstandig adviseur', organisationVerified: false, organisationId: null });
    expect((await request(t.app.server).get(`/api/users/${professional.id}`).expect(200)).body.user).toMatchObject(verifiedAuthor);
    const hits = await request(t.app.server).get('/api/search').query({ q: 'tolk' }).expect(200);
    expect(hits.body.items[0].thread.author).toMatchObject(verifiedAuthor);
    const mention = await freeText.agent.get('/api/users/mention').query({ prefix: 'fatima' }).expect(200);
    expect(mention.body.items[0]).toMatchObject(verifiedAuthor);
    // An address in the domain that is not verified gets nothing.
    expect((await request(t.app.server).get(`/api/users/${unverified.id}`)).body.user).toMatchObject({ organisationVerified: false, organisationId: null });
  });

  it('does not let a verified member type another organisation over it (403), while others may', async () => {
    const res = await professional.agent.patch('/api/me').send({ organisation: 'Iets anders' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('organisation_verified');
    expect((await professional.agent.get('/api/me')).body.user.organisation).toBe('Gemeente Zwolle');
    await professional.agent.patch('/api/me').send({ jobTitle: 'Beleidsadviseur Wmo', organisation: 'Gemeente Zwolle' }).expect(200);
    await freeText.agent.patch('/api/me').send({ organisation: 'Eigen praktijk' }).expect(200);
  });

  it('renames follow at once; removing the organisation leaves the name as free text without the mark', async () => {
    await admin.agent.patch(`/api/admin/organisations/${zwolleId}`).send({ name: 'Gemeente Zwolle (Wmo)' }).expect(200);
    expect((await request(t.app.server).get(`/api/users/${professional.id}`)).body.user.organisation).toBe('Gemeente Zwolle (Wmo)');
    await admin.agent.delete(`/api/admin/organisations/${zwolleId}`).expect(204);
    expect((await request(t.app.server).get(`/api/users/${professional.id}`)).body.user).toMatchObject({ organisation: 'Gemeente Zwolle (Wmo)', organisationVerified: false, organisationId: null });
    await professional.agent.patch('/api/me').send({ organisation: 'Nu vrij te kiezen' }).expect(200);
    expect((await admin.agent.delete(`/api/admin/organisations/${zwolleId}`)).status).toBe(404);
  });
});
