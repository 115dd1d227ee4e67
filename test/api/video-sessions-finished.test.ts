// Issue 20: sessions I organise, interest becoming attendance, the agenda, the personal calendar feed,
// the attendee workbook and the summary after the session.
import ExcelJS from 'exceljs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, binary, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
let anne: TestUser;
let bas: TestUser;
let carla: TestUser;
let mod: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert', displayName: 'Marieke Expert' });
  anne = await signUp(t, { displayName: 'Anne Hoekstra', organisation: 'Gemeente Zwolle', jobTitle: 'Beleidsadviseur' });
  bas = await signUp(t, { displayName: '=HYPERLINK("http://evil")', organisation: '+31 gemeente' });
  carla = await signUp(t, { displayName: 'Carla Jansen' });
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();
const scheduleBody = (extra: Record<string, unknown> = {}) => ({ startsAt: inDays(2), durationMinutes: 60, capacity: 1, meetingUrl: 'https://teams.example/meet/42', ...extra });

/** A thread by the expert with a session that Anne and Bas asked for; the expert takes it on. */
async function requested(title = 'Hoe pakken jullie de Wmo-toegang aan?') {
  const thread = await startThread(expert, 'landelijk', { title });
  const req = await anne.agent.post(`/api/threads/${thread.id}/video-session`).send({});
  await bas.agent.post(`/api/threads/${thread.id}/video-session`).send({});
  const id = req.body.videoSession.id as string;
  await expert.agent.post(`/api/video-sessions/${id}/take-on`).expect(200);
  return { thread, id };
}

const notificationsOf = async (u: TestUser, kind: string) => (await u.agent.get('/api/notifications')).body.items.filter((n: { kind: string }) => n.kind === kind);

describe('sessions I organise', () => {
  it('"Mijn videosessies" lists the sessions I organise with myRole organiser, and others by their role', async () => {
    const { id } = await requested();
    await expert.agent.patch(`/api/video-sessions/${id}`).send(scheduleBody({ capacity: 5 })).expect(200);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const mine = (await expert.agent.get('/api/me/video-sessions')).body.items;
    expect(mine.find((i: { videoSession: { id: string } }) => i.videoSession.id === id)).toMatchObject({ myRole: 'organiser', videoSession: { status: 'scheduled', meetingUrl: 'https://teams.example/meet/42' } });
    const anneItems = (await anne.agent.get('/api/me/video-sessions')).body.items;
    expect(anneItems.find((i: { videoSession: { id: string } }) => i.videoSession.id === id).myRole).toBe('registered');
    const basItems = (await bas.agent.get('/api/me/video-sessions')).body.items;
    expect(basItems.find((i: { videoSession: { id: string } }) => i.videoSession.id === id).myRole).toBe('interested');
    expect((await request(t.app.server).get('/api/me/video-sessions')).status).toBe(401);
  });
});

describe('interest becomes attendance', () => {
  it('when the session gets its date, everyone interested is notified and registers with one call; the next is waitlisted', async () => {
    const { id } = await requested();
    const res = await expert.agent.patch(`/api/video-sessions/${id}`).send(scheduleBody());
    const startsAt = res.body.videoSession.startsAt;
    const [forAnne] = await notificationsOf(anne, 'video_session_scheduled');
    expect(forAnne.data).toMatchObject({ sessionId: id, startsAt });
    const [forBas] = await notificationsOf(bas, 'video_session_scheduled');
    expect(forBas.text).toMatch(/ingepland/);
    const a = await anne.agent.post(`/api/video-sessions/${id}/registrations`).query({ startsAt: forAnne.data.startsAt });
    expect(a.status).toBe(201);
    expect(a.body.registration).toEqual({ status: 'registered' });
    const b = await bas.agent.post(`/api/video-sessions/${id}/registrations`).query({ startsAt: forBas.data.startsAt });
    expect(b.body.registration).toEqual({ status: 'waitlisted', position: 1 });
    // The registered viewer's card: registered, the session full for others, never "waitlisted" for her.
    const seen = (await anne.agent.get(`/api/video-sessions/${id}`)).body.videoSession;
    expect(seen).toMatchObject({ myRegistration: { status: 'registered' }, registeredCount: 1, capacity: 1 });
  });

  it('registering from the notification after the session moved: 409 session_moved, no registration', async () => {
    const { id } = await requested();
    await expert.agent.patch(`/api/video-sessions/${id}`).send(scheduleBody({ capacity: 5 })).expect(200);
    const [told] = await notificationsOf(anne, 'video_session_scheduled');
    await expert.agent.patch(`/api/video-sessions/${id}`).send({ startsAt: inDays(5) }).expect(200);
    const res = await anne.agent.post(`/api/video-sessions/${id}/registrations`).query({ startsAt: told.data.startsAt });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('session_moved');
    expect(await t.db.selectFrom('video_session_registration').select('id').where('session_id', '=', id).execute()).toEqual([]);
  });

  it('registering from the notification after the session was cancelled: 409 session_closed, no registration', async () => {
    const { id } = await requested();
    await expert.agent.patch(`/api/video-sessions/${id}`).send(scheduleBody({ capacity: 5 })).expect(200);
    const [told] = await notificationsOf(bas, 'video_session_scheduled');
    await expert.agent.patch(`/api/video-sessions/${id}`).send({ status: 'cancelled' }).expect(200);
    const res = await bas.agent.post(`/api/video-sessions/${id}/registrations`).query({ startsAt: told.data.startsAt });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('session_closed');
    expect(await t.db.selectFrom('video_session_registration').select('id').where('session_id', '=', id).execute()).toEqual([]);
    expect((await bas.agent.post(`/api/video-sessions/${id}/registrations`).query({ startsAt: 'gisteren' })).status).toBe(400);
  });
});

describe('agenda', () => {
  it('lists upcoming scheduled sessions soonest first, for visitors too, with keyset pages', async () => {
    const later = await requested('Later onderwerp');
    await expert.agent.patch(`/api/video-sessions/${later.id}`).send(scheduleBody({ startsAt: inDays(9), capacity: 5 })).expect(200);
    const sooner = await requested('Eerder onderwerp');
    await expert.agent.patch(`/api/video-sessions/${sooner.id}`).send(scheduleBody({ startsAt: inDays(1), capacity: 5 })).expect(200);
    const unscheduled = await requested('Nog geen datum');
    const all = (await request(t.app.server).get('/api/video-sessions/upcoming').expect(200)).body.items;
    const ids = all.map((i: { videoSession: { id: string } }) => i.videoSession.id);
    expect(ids.indexOf(sooner.id)).toBeLessThan(ids.indexOf(later.id));
    expect(ids).not.toContain(unscheduled.id);
    expect(all[0].thread).toMatchObject({ channelSlug: 'landelijk' });
    expect(all[0].videoSession.meetingUrl).toBeUndefined();
    const first = (await request(t.app.server).get('/api/video-sessions/upcoming?limit=1')).body;
    const second = (await request(t.app.server).get(`/api/video-sessions/upcoming?limit=1&cursor=${first.nextCursor}`)).body;
    expect(second.items[0].videoSession.id).toBe(ids[1]);
    expect((await request(t.app.server).get('/api/video-sessions/upcoming?cursor=bogus')).status).toBe(400);
  });
});

describe('personal calendar feed', () => {
  it('a secret address lists my sessions; regenerating revokes the old one (404); forged tokens are 404', async () => {
    const { id } = await requested('In mijn agenda');
    await expert.agent.patch(`/api/video-sessions/${id}`).send(scheduleBody({ capacity: 5 })).expect(200);
    await carla.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    expect((await carla.agent.get('/api/me/calendar-feed')).body.url).toBeNull();
    const { url } = (await carla.agent.post('/api/me/calendar-feed').expect(200)).body;
    expect(url).toMatch(/^http:\/\/plein\.test\/api\/me\/calendar\.ics\?token=/);
    const path = url.replace('http://plein.test', '');
    // No cookie: a calendar program fetches it.
    const feed = await request(t.app.server).get(path);
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toMatch(/text\/calendar/);
    expect(feed.text).toContain(`UID:video-session-${id}@plein.test`);
    expect(feed.text).toContain('https://teams.example/meet/42');
    expect((await carla.agent.get('/api/me/calendar-feed')).body.url).toBe(url);

    const token = new URL(url).searchParams.get('token')!;
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    for (const bad of [`/api/me/calendar.ics?token=${forged}`, `/api/me/calendar.ics?token=${expert.id}.${token.split('.')[1]}`, '/api/me/calendar.ics?token=nonsense', '/api/me/calendar.ics']) {
      const res = await request(t.app.server).get(bad);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const renewed = (await carla.agent.post('/api/me/calendar-feed').expect(200)).body.url;
    expect(renewed).not.toBe(url);
    expect((await request(t.app.server).get(path)).status).toBe(404);
    expect((await request(t.app.server).get(renewed.replace('http://plein.test', ''))).status).toBe(200);
    await carla.agent.delete('/api/me/calendar-feed').expect(204);
    expect((await request(t.app.server).get(renewed.replace('http://plein.test', ''))).status).toBe(404);
  });
});

describe('attendee list as an Excel workbook', () => {
  it('has Dutch columns with the registered and the waitlisted on separate sheets; formulas stay text; members get 403', async () => {
    const { id } = await requested('Excel-lijst');
    await expert.agent.patch(`/api/video-sessions/${id}`).send(scheduleBody()).expect(200);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    await bas.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const res = await binary(expert.agent.get(`/api/video-sessions/${id}/attendees.xlsx`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toContain('.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Aangemeld', 'Wachtlijst']);
    const registered = wb.getWorksheet('Aangemeld')!;
    expect(registered.getRow(1).values).toEqual([undefined, 'Naam', 'Organisatie', 'Functie', 'E-mailadres', 'Aangemeld op']);
    expect(registered.getRow(2).getCell(1).value).toBe('Anne Hoekstra');
    expect(registered.getRow(2).getCell(4).value).toBe(anne.email);
    expect(registered.getRow(2).getCell(5).value).toBeInstanceOf(Date);
    const waitlist = wb.getWorksheet('Wachtlijst')!;
    expect(waitlist.getRow(1).getCell(1).value).toBe('Positie');
    expect(waitlist.getRow(2).getCell(1).value).toBe(1);
    // A name that looks like a formula is a plain string cell, never a formula.
    expect(waitlist.getRow(2).getCell(2).value).toBe('=HYPERLINK("http://evil")');
    expect((await anne.agent.get(`/api/video-sessions/${id}/attendees.xlsx`)).status).toBe(403);
    expect((await mod.agent.get(`/api/video-sessions/${id}/attendees.xlsx`)).status).toBe(200);
    // The CSV stays.
    expect((await expert.agent.get(`/api/video-sessions/${id}/attendees.csv`)).status).toBe(200);
  });
});

describe('after the session', () => {
  it('the organiser adds a summary and recording link: posted as the organiser\'s reply, registrants told; once only', async () => {
    const { thread, id } = await requested('Met verslag');
    await expert.agent.patch(`/api/video-sessions/${id}`).send(scheduleBody({ capacity: 5 })).expect(200);
    await anne.agent.post(`/api/video-sessions/${id}/registrations`).expect(201);
    const body = { summary: 'We bespraken de toegang.\n\nVolgende keer: de wachtlijsten.', recordingUrl: 'https://video.example/opname/42' };
    // Before it has ended: 409, nothing posted.
    const early = await expert.agent.post(`/api/video-sessions/${id}/summary`).send(body);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_ended');
    // The session took place (its time is in the past now).
    await t.db.updateTable('video_session').set({ starts_at: new Date(Date.now() - 3 * 3600_000) }).where('id', '=', id).execute();
    expect((await anne.agent.post(`/api/video-sessions/${id}/summary`).send(body)).status).toBe(403);
    expect((await expert.agent.post(`/api/video-sessions/${id}/summary`).send({ ...body, recordingUrl: 'javascript:alert(1)' })).status).toBe(400);
    const res = await expert.agent.post(`/api/video-sessions/${id}/summary`).send(body);
    expect(res.status).toBe(200);
    expect(res.body.videoSession).toMatchObject({ status: 'ended', recordingUrl: body.recordingUrl });
    const page = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body;
    const reply = page.replies.items.find((p: { id: string }) => p.id === res.body.videoSession.summaryPostId);
    expect(reply.author.id).toBe(expert.id);
    expect(reply.body).toContain('<p>We bespraken de toegang.</p>');
    expect(reply.body).toContain('href="https://video.example/opname/42"');
    const [told] = await notificationsOf(anne, 'video_session_summary');
    expect(told.postId).toBe(reply.id);
    const again = await expert.agent.post(`/api/video-sessions/${id}/summary`).send(body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('summary_exists');
  });
});
