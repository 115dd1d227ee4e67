// Interest becomes attendance, by mail: members interested in a session get a mail with "Aanmelden" when
// it gets its date, as their mail setting says (a real SMTP receiver).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMailer, sendPendingMails } from '../../server/notifications/mail';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';
import { Inbox } from './inbox';

const inbox = new Inbox();
let t: TestApp;
let expert: TestUser;
let atOnce: TestUser;
let never: TestUser;

beforeAll(async () => {
  await inbox.start();
  t = await createTestApp({ smtpUrl: inbox.url });
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert', displayName: 'Marieke van Dalen' });
  atOnce = await signUp(t, { displayName: 'Anne Hoekstra' });
  never = await signUp(t, { displayName: 'Bas de Boer' });
});
afterAll(async () => {
  await t?.close();
  await inbox.stop();
});

it('when a session gets its date, the interested get a mail with a one-click Aanmelden link (never: no mail)', async () => {
  await never.agent.put('/api/me/notification-settings').send({ emailFrequency: 'never' }).expect(200);
  const thread = await startThread(expert, 'landelijk', { title: 'Schuldhulp en de Wmo' });
  const req = await atOnce.agent.post(`/api/threads/${thread.id}/video-session`).send({});
  await never.agent.post(`/api/threads/${thread.id}/video-session`).send({}).expect(200);
  const id = req.body.videoSession.id as string;
  await expert.agent.post(`/api/video-sessions/${id}/take-on`).expect(200);
  const startsAt = new Date(Date.now() + 3 * 86400_000).toISOString();
  await expert.agent.patch(`/api/video-sessions/${id}`).send({ startsAt, durationMinutes: 60, capacity: 5, meetingUrl: 'https://meet.example/x' }).expect(200);
  await sendPendingMails(t.db, t.config, createMailer(t.config));
  const mails = inbox.to(atOnce.email).filter((m) => Inbox.subject(m.raw).includes('ingepland'));
  expect(mails).toHaveLength(1);
  const raw = mails[0].raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  expect(raw).toContain(`Aanmelden: http://plein.test/videosessies/${id}/aanmelden?startsAt=${encodeURIComponent(startsAt)}`);
  expect(inbox.to(never.email)).toEqual([]);
  // Still on the bell for the member who wants no mail.
  const bell = (await never.agent.get('/api/notifications')).body.items;
  expect(bell.some((n: { kind: string; data: { sessionId: string } }) => n.kind === 'video_session_scheduled' && n.data.sessionId === id)).toBe(true);
});
