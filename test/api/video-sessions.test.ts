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
    const unfolded = ics1.text.replace(/\r\n[ \t]/g, '');
    expect(unfolded).toContain(`/t/${thread.id}`);
    expect(unfolded).toContain('https://teams.example/meet/123');
    expect(unfolded).toContain('METHOD:PUBLISH');
    expect(unfolded).toContain(`UID:video-session-${id}@`);
    expect((await expert.agent.get(`/api/video-sessions/${id}/calendar.ics`)).status).toBe(200);
    expect((await mod.agent.get(`/api/video-sessions/${id}/calendar.ics`)).status).toBe(200);
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
    expect(text.split('\r\n')[0]).toBe('\uFEFF"Naam","Organisatie","Functie","E-mail","Status","Wachtlijstpositie","Aangemeld op"');
    expect(text).toMatch(/"aangemeld","","\d{4}-\d{2}-\d{2} \d{2}:\d{2}"\r\n/);
    expect((await mod.agent.get(`/api/video-sessions/${id}/attendees.csv`)).status).toBe(200);
  });

  it('puts a moderator changing or cancelling an organiser\'s session on the audit trail, not the organiser\'s own changes', async () => {
    const thread = await startThread(expert, 'landelijk');
    const id = (await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({})).body.videoSession.id;
    await schedule(expert, id).expect(200);
    const audit = () => t.db.selectFrom('moderation_action').select(['action', 'actor_id', 'data']).where('target_type', '=', 'video_session').where('target_id', '=', id).orderBy('id').execute();
    expect(await audit()).toHaveLength(0);
    await mod.agent.patch(`/api/video-sessions/${id}`).send({ capacity: 12 }).expect(200);
    await mod.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' }).expect(200);
    expect(await audit()).toEqual([
      { action: 'edit_video_session', actor_id: mod.id, data: { threadId: thread.id, changed: ['capacity'] } },
      { action: 'cancel_video_session', actor_id: mod.id, data: { threadId: thread.id, changed: ['status'] } },
    ]);
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

describe('bad input and edges, one per test', () => {
  /** A scheduled session on a fresh thread, organised by the expert. */
  async function scheduledSession(extra: Record<string, unknown> = {}) {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    await schedule(expert, body.videoSession.id, extra).expect(200);
    return { threadId: thread.id as string, id: body.videoSession.id as string };
  }
  const sessionEvents = async (threadId: string) =>
    t.db.selectFrom('event').select(['payload', 'audience']).where('topic', '=', `thread:${threadId}`).where('type', '=', 'video_session.updated').orderBy('id').execute();

  it('reducing capacity below the registered count is 409 and changes nothing', async () => {
    const { id } = await scheduledSession({ capacity: 3 });
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const res = await schedule(expert, id, { capacity: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('capacity_below_registered');
    const row = await t.db.selectFrom('video_session').select('capacity').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.capacity).toBe(3);
    // Exactly the registered count is fine.
    await schedule(expert, id, { capacity: 2 }).expect(200);
  });

  it('registering twice returns the existing registration (200), never a second row', async () => {
    const { id } = await scheduledSession({ capacity: 1 });
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const first = await bas.agent.post(`/api/video-sessions/${id}/registrations`);
    expect(first.status).toBe(201);
    expect(first.body.registration).toEqual({ status: 'waitlisted', position: 1 });
    const [a, b] = await Promise.all([bas.agent.post(`/api/video-sessions/${id}/registrations`), bas.agent.post(`/api/video-sessions/${id}/registrations`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.registration).toEqual({ status: 'waitlisted', position: 1 });
    const rows = await t.db.selectFrom('video_session_registration').select('id').where('session_id', '=', id).where('user_id', '=', bas.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('the meeting link is absent for a plain member, anonymous visitors and in every public event', async () => {
    const { threadId, id } = await scheduledSession();
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const member = await bas.agent.get(`/api/video-sessions/${id}`);
    expect(member.status).toBe(200);
    expect(member.body.videoSession).not.toHaveProperty('meetingUrl');
    expect((await request(t.app.server).get(`/api/threads/${threadId}`)).body.thread.videoSession).not.toHaveProperty('meetingUrl');
    expect((await bas.agent.get(`/api/threads/${threadId}`)).body.thread.videoSession).not.toHaveProperty('meetingUrl');
    expect((await anne.agent.get(`/api/threads/${threadId}`)).body.thread.videoSession.meetingUrl).toBe('https://teams.example/meet/123');
    expect((await mod.agent.get(`/api/video-sessions/${id}`)).body.videoSession.meetingUrl).toBe('https://teams.example/meet/123');
    expect((await bas.agent.get(`/api/video-sessions/${id}/calendar.ics`)).status).toBe(403);
    const events = await sessionEvents(threadId);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.audience).toBe('public');
      expect(JSON.stringify(e.payload)).not.toContain('teams.example');
      expect(e.payload.videoSession).toMatchObject({ myInterest: false, myRegistration: null });
    }
  });

  it('every count change pushes video_session.updated with the new counts', async () => {
    const thread = await startThread(expert, 'landelijk');
    const req = await anne.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = req.body.videoSession.id;
    const last = async () => (await sessionEvents(thread.id)).at(-1)!.payload.videoSession as Record<string, unknown>;
    expect(await last()).toMatchObject({ interestCount: 1, status: 'requested' });
    await bas.agent.post(`/api/video-sessions/${id}/interest`).expect(200);
    expect(await last()).toMatchObject({ interestCount: 2 });
    await bas.agent.delete(`/api/video-sessions/${id}/interest`).expect(200);
    expect(await last()).toMatchObject({ interestCount: 1 });
    await expert.agent.post(`/api/video-sessions/${id}/take-on`).expect(200);
    expect(await last()).toMatchObject({ status: 'proposed', organiser: { id: expert.id } });
    await schedule(expert, id, { capacity: 1 }).expect(200);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    expect(await last()).toMatchObject({ status: 'scheduled', registeredCount: 1, waitlistCount: 0 });
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    expect(await last()).toMatchObject({ registeredCount: 1, waitlistCount: 1 });
    await anne.agent.delete(`/api/video-sessions/${id}/registrations/me`).expect(204);
    expect(await last()).toMatchObject({ registeredCount: 1, waitlistCount: 0 });
  });

  it('after every write the answer is the session as the caller now reads it, and the event as a visitor reads it', async () => {
    const thread = await startThread(expert, 'landelijk');
    let id = '';
    /** One write: its answer (when it has a videoSession) and its one event agree with fresh reads. */
    const check = async (user: TestUser, write: () => Promise<{ status: number; body: { videoSession?: Record<string, unknown> } }>) => {
      const before = (await sessionEvents(thread.id)).length;
      const res = await write();
      expect(res.status).toBeLessThan(300);
      if (res.body.videoSession) {
        id ||= res.body.videoSession.id as string;
        expect(res.body.videoSession).toEqual((await user.agent.get(`/api/video-sessions/${id}`).expect(200)).body.videoSession);
      }
      const events = await sessionEvents(thread.id);
      expect(events).toHaveLength(before + 1);
      expect(events.at(-1)!.payload.videoSession).toEqual((await request(t.app.server).get(`/api/video-sessions/${id}`).expect(200)).body.videoSession);
    };
    await check(anne, () => anne.agent.post(`/api/threads/${thread.id}/video-session`).send({ title: 'Samen verder' }));
    await check(bas, () => bas.agent.post(`/api/threads/${thread.id}/video-session`).send({}));
    await check(bas, () => bas.agent.delete(`/api/video-sessions/${id}/interest`));
    await check(bas, () => bas.agent.post(`/api/video-sessions/${id}/interest`));
    await check(expert, () => expert.agent.post(`/api/video-sessions/${id}/take-on`));
    await check(expert, () => schedule(expert, id, { capacity: 1, title: 'Samen verder, ingepland' }));
    await check(anne, () => anne.agent.post(`/api/video-sessions/${id}/registrations`));
    await check(bas, () => bas.agent.post(`/api/video-sessions/${id}/registrations`));
    await check(mod, () => schedule(mod, id, { capacity: 2, durationMinutes: 90 }));
    await check(anne, () => anne.agent.delete(`/api/video-sessions/${id}/registrations/me`));
    await check(mod, () => mod.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' }));
    expect((await sessionEvents(thread.id)).at(-1)!.payload.videoSession).toMatchObject({ status: 'cancelled', title: 'Samen verder, ingepland', durationMinutes: 90, capacity: 2 });
  });

  it('a waitlisted cancellation moves the people behind up; a registered one promotes the first and tells only them', async () => {
    const { id } = await scheduledSession({ capacity: 1 });
    const [u1, u2, u3] = [anne, bas, mod];
    await u1.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    expect((await u2.agent.post(`/api/video-sessions/${id}/registrations`)).body.registration).toEqual({ status: 'waitlisted', position: 1 });
    expect((await u3.agent.post(`/api/video-sessions/${id}/registrations`)).body.registration).toEqual({ status: 'waitlisted', position: 2 });
    await u2.agent.delete(`/api/video-sessions/${id}/registrations/me`).expect(204);
    expect((await u3.agent.get(`/api/video-sessions/${id}`)).body.videoSession.myRegistration).toEqual({ status: 'waitlisted', position: 1 });
    await u1.agent.delete(`/api/video-sessions/${id}/registrations/me`).expect(204);
    expect((await u3.agent.get(`/api/video-sessions/${id}`)).body.videoSession.myRegistration).toEqual({ status: 'registered' });
    const promoted = await t.db.selectFrom('notification').select(['user_id', 'data']).where('kind', '=', 'video_session_promoted').execute();
    expect(promoted.filter((n) => n.data.sessionId === id).map((n) => n.user_id)).toEqual([u3.id]);
    expect((await u2.agent.delete(`/api/video-sessions/${id}/registrations/me`)).status).toBe(404);
  });

  it('raising the capacity fills the new places from the waitlist in order', async () => {
    const { id } = await scheduledSession({ capacity: 1 });
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    await mod.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const res = await schedule(expert, id, { capacity: 2 });
    expect(res.body.videoSession).toMatchObject({ registeredCount: 2, waitlistCount: 1 });
    expect((await bas.agent.get(`/api/video-sessions/${id}`)).body.videoSession.myRegistration).toEqual({ status: 'registered' });
    expect((await mod.agent.get(`/api/video-sessions/${id}`)).body.videoSession.myRegistration).toEqual({ status: 'waitlisted', position: 1 });
  });

  it('changing the time keeps registrations and tells registrants and the waitlisted', async () => {
    const { id } = await scheduledSession({ capacity: 1 });
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const later = new Date(Date.now() + 2 * 86400_000).toISOString();
    await schedule(expert, id, { startsAt: later, capacity: 1 }).expect(200);
    expect((await anne.agent.get(`/api/video-sessions/${id}`)).body.videoSession).toMatchObject({ startsAt: later, myRegistration: { status: 'registered' } });
    expect((await bas.agent.get(`/api/video-sessions/${id}`)).body.videoSession.myRegistration).toEqual({ status: 'waitlisted', position: 1 });
    const changed = await t.db.selectFrom('notification').select(['user_id', 'data']).where('kind', '=', 'video_session_changed').execute();
    const forThis = changed.filter((n) => n.data.sessionId === id);
    expect(forThis.map((n) => n.user_id).sort()).toEqual([anne.id, bas.id].sort());
    expect(forThis[0].data.startsAt).toBe(later);
  });

  it('a moderator can cancel a request nobody took on (a member cannot); the thread can then get a new one', async () => {
    const thread = await startThread(expert, 'landelijk');
    const req = await anne.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const id = req.body.videoSession.id;
    expect((await bas.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' })).status).toBe(403);
    expect((await anne.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' })).status).toBe(403);
    const res = await mod.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' });
    expect(res.status).toBe(200);
    expect(res.body.videoSession.status).toBe('cancelled');
    expect((await bas.agent.post(`/api/video-sessions/${id}/interest`)).status).toBe(409);
    const again = await bas.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    expect(again.status).toBe(201);
    expect(again.body.videoSession.id).not.toBe(id);
  });

  it('after a session has ended, the thread shows it as ended and can get a new one; interest in an ended session is 409', async () => {
    const { threadId, id } = await scheduledSession();
    await t.db.updateTable('video_session').set({ starts_at: new Date(Date.now() - 3 * 3600_000) }).where('id', '=', id).execute();
    expect((await anne.agent.get(`/api/threads/${threadId}`)).body.thread.videoSession).toMatchObject({ id, status: 'ended' });
    expect((await anne.agent.post(`/api/video-sessions/${id}/interest`)).status).toBe(409);
    expect((await expert.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' })).status).toBe(409);
    const next = await anne.agent.post(`/api/threads/${threadId}/video-session`).send({});
    expect(next.status).toBe(201);
    expect(next.body.videoSession).toMatchObject({ status: 'requested', interestCount: 1 });
    expect((await anne.agent.get(`/api/threads/${threadId}`)).body.thread.videoSession.id).toBe(next.body.videoSession.id);
    expect((await anne.agent.get(`/api/video-sessions/${id}`)).body.videoSession.status).toBe('ended');
  });

  it('an empty title when scheduling is 400 with the field', async () => {
    const thread = await startThread(expert, 'landelijk');
    const { body } = await expert.agent.post(`/api/threads/${thread.id}/video-session`).send({});
    const res = await schedule(expert, body.videoSession.id, { title: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.title).toBeTruthy();
  });

  it('my video sessions: upcoming soonest first, then open requests, then past and cancelled', async () => {
    const me = await signUp(t);
    const make = async (hoursAhead: number | null) => {
      const thread = await startThread(expert, 'landelijk');
      const { body } = await me.agent.post(`/api/threads/${thread.id}/video-session`).send({});
      const id = body.videoSession.id as string;
      if (hoursAhead !== null) {
        await expert.agent.post(`/api/video-sessions/${id}/take-on`).expect(200);
        await schedule(expert, id, { startsAt: new Date(Date.now() + Math.max(hoursAhead, 1) * 3600_000).toISOString() }).expect(200);
        await me.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
        if (hoursAhead < 0) await t.db.updateTable('video_session').set({ starts_at: new Date(Date.now() + hoursAhead * 3600_000) }).where('id', '=', id).execute();
      }
      return id;
    };
    const past = await make(-48);
    const requested = await make(null);
    const inTwoDays = await make(48);
    const tomorrow = await make(24);
    const cancelled = await make(72);
    await expert.agent.patch(`/api/video-sessions/${cancelled}`).send({ status: 'cancelled' }).expect(200);
    const res = await me.agent.get('/api/me/video-sessions');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((i: { videoSession: { id: string } }) => i.videoSession.id);
    expect(ids).toEqual([tomorrow, inTwoDays, requested, cancelled, past]);
    expect(res.body.items[0].videoSession).toMatchObject({ myRegistration: { status: 'registered' }, meetingUrl: 'https://teams.example/meet/123' });
    expect(res.body.items[2].videoSession).toMatchObject({ status: 'requested', myInterest: true });
    expect(res.body.items[4].videoSession.status).toBe('ended');
    expect((await request(t.app.server).get('/api/me/video-sessions')).status).toBe(401);
  });
});

describe('capacity under real concurrency', () => {
  it('30 members asking at once on a thread without a session: one session, one 201, the rest 200, 30 interested', async () => {
    const thread = await startThread(expert, 'landelijk');
    const users = await Promise.all(Array.from({ length: 30 }, () => signUp(t)));
    const results = await Promise.all(users.map((u) => u.agent.post(`/api/threads/${thread.id}/video-session`).send({})));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(29);
    expect(new Set(results.map((r) => r.body.videoSession.id)).size).toBe(1);
    const sessions = await t.db.selectFrom('video_session').select('id').where('thread_id', '=', thread.id).execute();
    expect(sessions).toHaveLength(1);
    expect((await request(t.app.server).get(`/api/video-sessions/${sessions[0].id}`)).body.videoSession.interestCount).toBe(30);
    expect(await t.db.selectFrom('notification').select('id').where('user_id', '=', expert.id).where('kind', '=', 'video_session_requested').where('thread_id', '=', thread.id).execute()).toHaveLength(1);
  });

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
