import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../server/seed/demo';
import { type TestApp, browser, createTestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('demo community', () => {
  it('creates Landelijk with an expert question and replies on a first start, and nothing on a second', async () => {
    const logins = await seedDemo(t.db);
    expect(logins?.map((l) => l.role)).toEqual(expect.arrayContaining(['admin', 'expert', 'moderator', 'member']));
    expect(await seedDemo(t.db)).toBeNull();

    const channels = await request(t.app.server).get('/api/channels');
    const landelijk = channels.body.items.find((c: { slug: string }) => c.slug === 'landelijk');
    expect(landelijk).toMatchObject({ postingPolicy: 'experts_ask', threadCount: 1 });
    expect(channels.body.items.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['Jeugd', 'Wmo', 'Participatie', 'Armoede en schulden']));

    const list = await request(t.app.server).get('/api/channels/landelijk/threads');
    const thread = await request(t.app.server).get(`/api/threads/${list.body.items[0].id}`);
    expect(thread.body.thread.author.role).toBe('expert');
    expect(thread.body.thread.body).toContain('Toelichting');
    expect(thread.body.thread.body).toContain('videosessie');
    expect(thread.body.replies.items.length).toBeGreaterThanOrEqual(3);
    expect(thread.body.replies.items.some((p: { quotePostId: string | null }) => p.quotePostId)).toBe(true);
  });

  it('lets the printed demo logins sign in', async () => {
    const logins = (await seedDemo(t.db)) ?? [{ email: 'marieke@plein.example', password: DEMO_PASSWORD }];
    const res = await browser(t.app).post('/api/auth/login').send({ email: logins[0].email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
  });
});
