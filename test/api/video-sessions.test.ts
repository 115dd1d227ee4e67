import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
let anne: TestUser;
let bas: TestUser;
let mod: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert', displayName: 'Marieke Expert' });
  anne = await signUp(t, { displayName: 'Anne', organisation: 'Gemeente Zwolle', jobTitle: 'Beleidsadviseur' });
  bas = await signUp(t, { displayName: '=HYPERLINK("http://evil")', organisation: '+31 gemeente' });
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
const schedule = (user: TestUser, id: string, extra: Record<string, unknown> = {}) =>
  user.agent.patch(`/api/video-sessions/${id}`).send({ startsAt: inAnHour(), durationMinutes: 60, capacity: 10, meetingUrl: 'https://teams.example/meet/123', ...extra });

describe('requesting and proposing', () => {
  it('a member request creates a requested session with their interest and tells the thread author; a second member adds interest', async () => {
    const thread = await startThread(expert, 'landelijk');
    const first = await anne.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    expect(first.status).toBe(201);
    expect(first.body.videoSession).toMatchObject({ status: 'requested', interestCount: 1, myInterest: true, organiser: null });
    const second = await bas.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    expect(second.status).toBe(200);
    expect(second.body.videoSession).toMatchObject({ id: first.body.videoSession.id, interestCount: 2 });
    const sessions = await t.db.selectFrom('video_session').select('id').where('thread_id', '=', thread.id).execute();
    expect(sessions).toHaveLength(1);
    const note = await t.db.selectFrom('notification').selectAll().where('user_id', '=', expert.id).where('kind', '=', 'video_session_requested').execute();
    expect(note).toHaveLength(1);
    const th = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(th.body.thread.videoSession).toMatchObject({ status: 'requested', interestCount: 2 });
  });

  it('the expert proposes directly; a second proposal while one is open is 409', async () => {
    const thread = await startThread(expert, 'landelijk');
    const res = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({ title: 'Aanvullende videosessie', description: 'We gaan dieper in op de toegang.' });
    expect(res.status).toBe(201);
    expect(res.body.videoSession).toMatchObject({ status: 'proposed', title: 'Aanvullende videosessie', organiser: { id: expert.id } });
    expect((await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({})).status).toBe(409);
  });

  it('only the thread author, an expert or a moderator can take on, schedule or cancel (403 for members)', async () => {
    const thread = await startThread(expert, 'landelijk');
    const req = await anne.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = req.body.videoSession.id;
    expect((await bas.agent.post(`/api/video-sessions/${id}/take-on`)).status).toBe(403);
    const taken = await expert.agent.post(`/api/video-sessions/${id}/take-on`);
    expect(taken.status).toBe(200);
    expect(taken.body.videoSession).toMatchObject({ status: 'proposed', organiser: { id: expert.id } });
    expect((await schedule(bas, id)).status).toBe(403);
    expect((await anne.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' })).status).toBe(403);
  });
});

describe('scheduling', () => {
  it('rejects a date in the past, capacity 0 and a javascript: link with field errors', async () => {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = body.videoSession.id;
    const past = await schedule(expert, id, { startsAt: '2020-01-01T10:00:00.000Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.fields.startsAt).toBeTruthy();
    const zero = await schedule(expert, id, { capacity: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.fields.capacity).toBeTruthy();
    const js = await schedule(expert, id, { meetingUrl: 'javascript:alert(1)' });
    expect(js.status).toBe(400);
    expect(js.body.error.fields.meetingUrl).toBeTruthy();
    const row = await t.db.selectFrom('video_session').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('proposed');
  });

  it('schedules, tells the interested, fills up, waitlists, promotes on cancellation, and shows the link only to those registered', async () => {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await anne.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = body.videoSession.id;
    await expert.agent.post(`/api/video-sessions/${id}/take-on`).expect(200);
    const scheduled = await schedule(expert, id, { capacity: 1 });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.videoSession).toMatchObject({ status: 'scheduled', capacity: 1, meetingUrl: 'https://teams.example/meet/123' });
    expect(await t.db.selectFrom('notification').select('id').where('user_id', '=', anne.id).where('kind', '=', 'video_session_scheduled').execute()).toHaveLength(1);

    const r1 = await anne.agent.post(`/api/video-sessions/${id}/registrations`);
    expect(r1.status).toBe(201);
    expect(r1.body.registration).toEqual({ status: 'registered' });
    const r2 = await bas.agent.post(`/api/video-sessions/${id}/registrations`);
    expect(r2.body.registration).toEqual({ status: 'waitlisted', position: 1 });
    const again = await anne.agent.post(`/api/video-sessions/${id}/registrations`);
    expect(again.status).toBe(200);
    expect(again.body.registration).toEqual({ status: 'registered' });

    expect((await bas.agent.get(`/api/video-sessions/${id}`)).body.videoSession.meetingUrl).toBeUndefined();
    expect((await request(t.app.server).get(`/api/video-sessions/${id}`)).body.videoSession.meetingUrl).toBeUndefined();
    expect((await anne.agent.get(`/api/video-sessions/${id}`)).body.videoSession.meetingUrl).toBe('https://teams.example/meet/123');

    expect((await anne.agent.delete(`/api/video-sessions/${id}/registrations/me`)).status).toBe(204);
    const basView = await bas.agent.get(`/api/video-sessions/${id}`);
    expect(basView.body.videoSession.myRegistration).toEqual({ status: 'registered' });
    expect(basView.body.videoSession.meetingUrl).toBe('https://teams.example/meet/123');
    expect(await t.db.selectFrom('notification').select('id').where('user_id', '=', bas.id).where('kind', '=', 'video_session_promoted').execute()).toHaveLength(1);

    // Capacity below the registered count is refused.
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    await schedule(expert, id, { capacity: 2 }).expect(200);
    const lower = await schedule(expert, id, { capacity: 1 });
    expect(lower.status).toBe(409);

    const mine = await bas.agent.get('/api/me/video-sessions');
    expect(mine.body.items.map((i: { videoSession: { id: string } }) => i.videoSession.id)).toContain(id);
  });

  it('writes a calendar entry with a stable UID and a SEQUENCE that grows when the time changes', async () => {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({ title: 'Sessie over toegang' });
    const id = body.videoSession.id;
    await schedule(expert, id, { startsAt: '2030-06-23T12:00:00.000Z', durationMinutes: 90 }).expect(200);
    expect((await anne.agent.get(`/api/video-sessions/${id}/calendar.ics`)).status).toBe(403);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const ics1 = await anne.agent.get(`/api/video-sessions/${id}/calendar.ics`);
    expect(ics1.status).toBe(200);
    expect(ics1.headers['content-type']).toContain('text/calendar');
    expect(ics1.text).toContain('DTSTART:20300623T120000Z');
    expect(ics1.text).toContain('DURATION:PT90M');
    expect(ics1.text.replace(/\r\n[ \t]/g, "")).toMatch(/ORGANIZER;CN="?Marieke Expert"?:mailto:/i);
    expect(ics1.text).toContain('SUMMARY:Sessie over toegang');
    expect(ics1.text).toContain(`/t/${thread.id}`);
    const uid = /UID:(.*)/.exec(ics1.text)![1].trim();
    const seq1 = Number(/SEQUENCE:(\d+)/.exec(ics1.text)![1]);
    await schedule(expert, id, { startsAt: '2030-06-24T12:00:00.000Z', durationMinutes: 90 }).expect(200);
    const ics2 = await anne.agent.get(`/api/video-sessions/${id}/calendar.ics`);
    expect(/UID:(.*)/.exec(ics2.text)![1].trim()).toBe(uid);
    expect(Number(/SEQUENCE:(\d+)/.exec(ics2.text)![1])).toBeGreaterThan(seq1);
    const changed = await t.db.selectFrom('notification').select('data').where('user_id', '=', anne.id).where('kind', '=', 'video_session_changed').execute();
    expect(changed.filter((n) => n.data.sessionId === id)).toHaveLength(1);
  });

  it('gives the organiser a CSV for Excel with a BOM and neutralised formulas; members get 403', async () => {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = body.videoSession.id;
    await schedule(expert, id, { capacity: 1 }).expect(200);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    expect((await anne.agent.get(`/api/video-sessions/${id}/attendees.csv`)).status).toBe(403);
    const res = await expert.agent.get(`/api/video-sessions/${id}/attendees.csv`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('"Anne","Gemeente Zwolle","Beleidsadviseur"');
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")","'+31 gemeente"`);
    expect(text).toContain('"wachtlijst","1"');
    expect((await mod.agent.get(`/api/video-sessions/${id}/attendees.csv`)).status).toBe(200);
  });

  it('refuses registration for cancelled and ended sessions with 409 session_closed', async () => {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = body.videoSession.id;
    await schedule(expert, id).expect(200);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const cancelled = await expert.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' });
    expect(cancelled.body.videoSession.status).toBe('cancelled');
    expect(await t.db.selectFrom('notification').select('id').where('user_id', '=', anne.id).where('kind', '=', 'video_session_cancelled').execute()).toHaveLength(1);
    const res = await bas.agent.post(`/api/video-sessions/${id}/registrations`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('session_closed');

    const thread2 = await startThread(expert, 'landelijk');
    const s2 = await expert.agent.post(`/api/threads/${thread2.id}/video-session`).send({});
    await schedule(expert, s2.body.videoSession.id).expect(200);
    await t.db.updateTable('video_session').set({ starts_at: new Date(Date.now() - 3 * 3600_000) }).where('id', '=', s2.body.videoSession.id).execute();
    const late = await bas.agent.post(`/api/video-sessions/${s2.body.videoSession.id}/registrations`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('session_closed');
  });
});

describe('capacity under real concurrency', () => {
  it('200 simultaneous registrations for 50 places: exactly 50 registered, 150 waitlisted at 1–150, nobody twice', async () => {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = body.videoSession.id;
    await schedule(expert, id, { capacity: 50 }).expect(200);
    const users: TestUser[] = [];
    for (let i = 0; i < 200; i += 20) users.push(...(await Promise.all(Array.from({ length: 20 }, () => signUp(t)))));
    const results = await Promise.all(users.map((u) => u.agent.post(`/api/video-sessions/${id}/registrations`)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const registered = results.filter((r) => r.body.registration.status === 'registered');
    const waitlisted = results.filter((r) => r.body.registration.status === 'waitlisted');
    expect(registered).toHaveLength(50);
    expect(waitlisted).toHaveLength(150);
    expect(waitlisted.map((r) => r.body.registration.position).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    const rows = await t.db.selectFrom('video_session_registration').select(['user_id', 'status']).where('session_id', '=', id).execute();
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(200);
    expect(rows.filter((r) => r.status === 'registered')).toHaveLength(50);
  });
});
