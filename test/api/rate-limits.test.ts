import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRateLimits } from '../../server/config';
import { type TestApp, browser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ rateLimitsEnabled: true, rateLimits: { ...defaultRateLimits, signupPerHour: 100, repliesPerHour: 4, reportsPerHour: 2 } });
  await createChannel(t, 'wmo');
});
afterAll(async () => {
  await t.close();
});

describe('posting limits against floods', () => {
  it('limits replies per user with 429 and Retry-After, half as many for accounts younger than a day', async () => {
    const starter = await signUp(t);
    const thread = await startThread(starter, 'wmo');
    const young = await signUp(t);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof young.agent.post>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await young.agent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>Nieuw account ${i}</p>` });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect(last!.headers['retry-after']).toBeDefined();
    expect(last!.body.error.code).toBe('rate_limited');

    const old = await signUp(t);
    await t.db.updateTable('user').set({ created_at: new Date(Date.now() - 3 * 86400_000) }).where('id', '=', old.id).execute();
    const oldAgent = browser(t.app);
    await oldAgent.post('/api/auth/login').send({ email: old.email, password: old.password }).expect(200);
    const oldStatuses: number[] = [];
    for (let i = 0; i < 5; i++) oldStatuses.push((await oldAgent.post(`/api/threads/${thread.id}/replies`).send({ body: `<p>Ervaren ${i}</p>` })).status);
    expect(oldStatuses).toEqual([201, 201, 201, 201, 429]);
  });

  it('counts per user, not per address: another member can still post', async () => {
    const starter = await signUp(t);
    const thread = await startThread(starter, 'wmo');
    const a = await signUp(t);
    const b = await signUp(t);
    await a.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>1</p>' }).expect(201);
    await a.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>2</p>' }).expect(201);
    await a.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>3</p>' }).expect(429);
    await b.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>b</p>' }).expect(201);
  });
});
