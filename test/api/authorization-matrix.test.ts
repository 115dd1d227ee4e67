// One table of who may call what. It is the documentation: docs/authorization.md is generated from
// it (UPDATE_AUTH_DOC=1 npx vitest run test/api/authorization-matrix.test.ts) and checked here.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appSecret, unsubscribeToken } from '../../server/notifications/mail';
import { generate } from 'otplib';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp, tokenFromMail } from '../support/app';
import { pdf, png } from '../support/files';
import { createChannel, replyTo, startThread } from '../support/forum';
import { connect, wsBase } from '../support/ws';
import { TEST_CLIENT, type TestProvider, startTestProvider } from '../support/oidc';

const ROLES = ['anonymous', 'member', 'expert', 'moderator', 'admin', 'suspended', 'suspended moderator'] as const;
type RoleName = (typeof ROLES)[number];
type Expect = [number, number, number, number, number, number, number];

interface Call {
  url: string;
  body?: unknown;
  file?: { content: Buffer; name: string };
  /** Use a throwaway account of the role (for calls that end sessions or change passwords). */
  fresh?: boolean;
  /** A websocket handshake instead of a plain request: the status is the handshake's (101 when upgraded). */
  ws?: boolean;
}
interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  route: string;
  note: string;
  expect: Expect;
  call(role: RoleName, actor: TestUser | null): Promise<Call>;
}

let t: TestApp;
const users = {} as Record<Exclude<RoleName, 'anonymous'>, TestUser>;
let author: TestUser;
let expertAuthor: TestUser;
let counter = 0;

async function suspend(u: TestUser) {
  await t.db.updateTable('user').set({ suspended_until: new Date(Date.now() + 7 * 86400_000), suspension_reason: 'matrix' }).where('id', '=', u.id).execute();
}
async function freshUser(role: RoleName): Promise<TestUser | null> {
  if (role === 'anonymous') return null;
  const u = await signUp(t, { role: role === 'suspended' ? 'member' : role === 'suspended moderator' ? 'moderator' : role });
  if (role === 'suspended' || role === 'suspended moderator') await suspend(u);
  return u;
}
const thread = () => startThread(expertAuthor, 'landelijk', { title: `Matrix ${++counter}` });
const reply = async () => replyTo(author, (await thread()).id, '<p>Een reactie</p>');
async function session(opts: { organiser?: boolean; scheduled?: boolean } = {}) {
  const th = await thread();
  const res = opts.organiser === false ? await author.agent.post(`/api/threads/${th.id}/video-session`).send({}) : await expertAuthor.agent.post(`/api/threads/${th.id}/video-session`).send({});
  const id = res.body.videoSession.id as string;
  if (opts.scheduled) await expertAuthor.agent.patch(`/api/video-sessions/${id}`).send({ startsAt: new Date(Date.now() + 86400_000).toISOString(), durationMinutes: 60, capacity: 50, meetingUrl: 'https://meet.example/m' }).expect(200);
  return id;
}
async function register(sessionId: string, actor: TestUser | null) {
  if (actor) await t.db.insertInto('video_session_registration').values({ session_id: sessionId, user_id: actor.id, status: 'registered', waitlist_seq: null }).execute();
}
/** A token from a mailed link: verification for a new sign-up, or a reset for a fresh account. */
async function mailedToken(page: 'e-mail-bevestigen' | 'wachtwoord-herstellen'): Promise<string> {
  const email = `token-${++counter}@matrix.example`;
  if (page === 'e-mail-bevestigen') await request(t.app.server).post('/api/auth/signup').send({ email, password: 'matrix wachtwoord', displayName: `Token ${'abcdefghijklmnopqrstuvwxyz'[counter % 26]}${counter}` }).expect(202);
  else {
    await signUp(t, { email });
    await request(t.app.server).post('/api/auth/password-reset').send({ email }).expect(202);
  }
  return tokenFromMail(t, email, page);
}
async function unverifiedUser(): Promise<string> {
  const email = `unverified-${++counter}@matrix.example`;
  await request(t.app.server).post('/api/auth/signup').send({ email, password: 'matrix wachtwoord', displayName: `Wacht ${'abcdefghijklmnopqrstuvwxyz'[counter % 26]}${counter}` }).expect(202);
  return (await t.db.selectFrom('user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}
/** A closed channel of its own for each call (membership requests are one per person and channel). */
async function closedChannel(): Promise<{ id: string; slug: string }> {
  return t.db.insertInto('channel').values({ slug: `besloten-${++counter}`, name: 'Besloten', description: '', posting_policy: 'open', visibility: 'members', last_activity_at: null }).returning(['id', 'slug']).executeTakeFirstOrThrow();
}
async function pendingRequest(): Promise<{ slug: string; id: string }> {
  const ch = await closedChannel();
  const r = await t.db.insertInto('channel_membership_request').values({ channel_id: ch.id, user_id: author.id, motivation: 'Matrix' }).returning('id').executeTakeFirstOrThrow();
  return { slug: ch.slug, id: r.id };
}
const organisation = async () => (await t.db.insertInto('organisation').values({ name: `Organisatie ${++counter}`, logo_key: null }).returning('id').executeTakeFirstOrThrow()).id;
let provider: TestProvider;
const upload = async () => (await author.agent.post('/api/attachments').attach('file', pdf(), 'matrix.pdf')).body.attachment.id as string;

const ALL_OK = (s: number): Expect => [s, s, s, s, s, s, s];
const SIGNED_IN = (s: number): Expect => [401, s, s, s, s, s, s];
const WRITERS = (s: number): Expect => [401, s, s, s, s, 403, 403];
const MODERATORS = (s: number): Expect => [401, 403, 403, s, s, 403, 403];

const rows: Row[] = [
  { method: 'GET', route: '/api/health', note: 'liveness', expect: ALL_OK(200), call: async () => ({ url: '/api/health' }) },
  { method: 'GET', route: '/api/ready', note: 'readiness: database, migrations, realtime LISTEN', expect: ALL_OK(200), call: async () => ({ url: '/api/ready' }) },
  { method: 'POST', route: '/api/auth/signup', note: 'anyone can create an account: 202, a verification link is mailed, no session', expect: ALL_OK(202), call: async () => ({ url: '/api/auth/signup', body: { email: `m${++counter}@matrix.example`, password: 'matrix wachtwoord', displayName: `Matrix ${'abcdefghijklmnopqrstuvwxyz'[counter % 26]}${counter}` } }) },
  { method: 'POST', route: '/api/auth/verify-email', note: 'the mailed link (a token is the permission)', expect: ALL_OK(200), call: async () => ({ url: '/api/auth/verify-email', body: { token: await mailedToken('e-mail-bevestigen') }, fresh: true }) },
  { method: 'POST', route: '/api/auth/verify-email/resend', note: 'always 202', expect: ALL_OK(202), call: async () => ({ url: '/api/auth/verify-email/resend', body: { email: `m${++counter}@matrix.example` } }) },
  { method: 'POST', route: '/api/auth/password-reset', note: 'always 202, the same body', expect: ALL_OK(202), call: async () => ({ url: '/api/auth/password-reset', body: { email: author.email } }) },
  { method: 'POST', route: '/api/auth/password-reset/confirm', note: 'the mailed link (a token is the permission); ends every session of the account', expect: ALL_OK(200), call: async () => ({ url: '/api/auth/password-reset/confirm', body: { token: await mailedToken('wachtwoord-herstellen'), password: 'nieuw lang wachtwoord 7' }, fresh: true }) },
  { method: 'POST', route: '/api/auth/login/2fa', note: 'completes a pending sign-in (here none is pending: 401)', expect: ALL_OK(401), call: async () => ({ url: '/api/auth/login/2fa', body: { code: '123456' } }) },
  { method: 'POST', route: '/api/me/2fa/setup', note: 'own two-factor (suspended users too: account security)', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/2fa/setup', body: {} }) },
  { method: 'POST', route: '/api/me/2fa/enable', note: 'with a first code from the app', expect: SIGNED_IN(200), call: async (_r, a) => { if (!a) return { url: '/api/me/2fa/enable', body: { code: '123456' } }; const s = await a.agent.post('/api/me/2fa/setup').send({}); return { url: '/api/me/2fa/enable', body: { code: await generate({ secret: s.body.secret }) } }; } },
  { method: 'DELETE', route: '/api/me/2fa', note: 'with password and code (here a wrong password: 400)', expect: SIGNED_IN(400), call: async () => ({ url: '/api/me/2fa', body: { password: 'niet het wachtwoord', code: '123456' } }) },
  { method: 'PUT', route: '/api/me/email', note: 'own address, with the password; takes effect once the new one is verified', expect: WRITERS(202), call: async (_r, a) => ({ url: '/api/me/email', body: { email: `nieuw-${++counter}@matrix.example`, password: a?.password ?? 'x' } }) },
  { method: 'GET', route: '/api/admin/users', note: 'the Beheer page: accounts by name or e-mail', expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: '/api/admin/users?q=matrix' }) },
  { method: 'POST', route: '/api/admin/users/{id}/verification', note: 'send the verification link again', expect: [401, 403, 403, 403, 202, 403, 403], call: async () => ({ url: `/api/admin/users/${await unverifiedUser()}/verification`, body: {} }) },
  { method: 'DELETE', route: '/api/admin/users/{id}/2fa', note: "reset someone's two-factor (audit log)", expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: `/api/admin/users/${(await signUp(t)).id}/2fa`, body: {} }) },
  { method: 'PATCH', route: '/api/channels/{slug}', note: 'admins edit, archive, close or open channels and list organisations on them', expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: '/api/channels/open', body: { description: `Open kanaal ${++counter}` } }) },
  { method: 'POST', route: '/api/auth/login', note: 'anyone can log in', expect: ALL_OK(200), call: async () => ({ url: '/api/auth/login', body: { email: author.email, password: author.password }, fresh: true }) },
  { method: 'POST', route: '/api/auth/logout', note: 'ends the own session', expect: ALL_OK(204), call: async () => ({ url: '/api/auth/logout', fresh: true }) },
  { method: 'GET', route: '/api/me', note: 'own account (suspended users too)', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me' }) },
  { method: 'PATCH', route: '/api/me', note: 'own profile; never the role', expect: WRITERS(200), call: async () => ({ url: '/api/me', body: { bio: 'Matrix' } }) },
  { method: 'POST', route: '/api/me/password', note: 'own password (suspended users too: account security)', expect: SIGNED_IN(200), call: async (_r, a) => ({ url: '/api/me/password', body: { currentPassword: a?.password ?? 'x', newPassword: 'nieuw wachtwoord 123' }, fresh: true }) },
  { method: 'GET', route: '/api/me/export', note: 'download all my data (AVG)', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/export' }) },
  { method: 'DELETE', route: '/api/me', note: 'delete my account (with password; suspended users too: AVG)', expect: SIGNED_IN(204), call: async () => ({ url: '/api/me', fresh: true }) },
  { method: 'GET', route: '/api/users/{id}', note: 'public profile', expect: ALL_OK(200), call: async () => ({ url: `/api/users/${author.id}` }) },
  { method: 'PUT', route: '/api/admin/users/{id}/role', note: 'appoint experts and moderators', expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: `/api/admin/users/${(await signUp(t)).id}/role`, body: { role: 'expert' } }) },
  { method: 'GET', route: '/api/channels', note: 'reading is public', expect: ALL_OK(200), call: async () => ({ url: '/api/channels' }) },
  { method: 'POST', route: '/api/channels', note: 'admins create channels', expect: [401, 403, 403, 403, 201, 403, 403], call: async () => ({ url: '/api/channels', body: { slug: `kanaal-${++counter}`, name: 'Kanaal', postingPolicy: 'open' } }) },
  { method: 'GET', route: '/api/channels/{slug}', note: '', expect: ALL_OK(200), call: async () => ({ url: '/api/channels/landelijk' }) },
  { method: 'GET', route: '/api/channels/{slug}/threads', note: '', expect: ALL_OK(200), call: async () => ({ url: '/api/channels/landelijk/threads' }) },
  { method: 'POST', route: '/api/channels/{slug}/threads', note: 'in an experts_ask channel (open channels: every writer)', expect: [401, 403, 201, 201, 201, 403, 403], call: async () => ({ url: '/api/channels/landelijk/threads', body: { title: 'Vraag', body: '<p>Toelichting</p>', kind: 'question' } }) },
  { method: 'GET', route: '/api/threads/{id}', note: '', expect: ALL_OK(200), call: async () => ({ url: `/api/threads/${(await thread()).id}` }) },
  { method: 'GET', route: '/api/threads/{id}/replies', note: '', expect: ALL_OK(200), call: async () => ({ url: `/api/threads/${(await thread()).id}/replies` }) },
  { method: 'POST', route: '/api/threads/{id}/replies', note: 'everyone signed in replies', expect: WRITERS(201), call: async () => ({ url: `/api/threads/${(await thread()).id}/replies`, body: { body: '<p>Reactie</p>' } }) },
  { method: 'PATCH', route: '/api/posts/{id}', note: "someone else's post (the author may edit their own)", expect: MODERATORS(200), call: async () => ({ url: `/api/posts/${(await reply()).id}`, body: { body: '<p>Bewerkt</p>' } }) },
  { method: 'DELETE', route: '/api/posts/{id}', note: "someone else's reply (the author may delete their own)", expect: MODERATORS(204), call: async () => ({ url: `/api/posts/${(await reply()).id}` }) },
  { method: 'POST', route: '/api/attachments', note: 'upload a handout', expect: WRITERS(201), call: async () => ({ url: '/api/attachments', file: { content: pdf(), name: 'handreiking.pdf' } }) },
  { method: 'GET', route: '/api/attachments/{id}/download', note: 'attachment of a visible post (hidden post: moderators and uploader only)', expect: ALL_OK(200), call: async () => { const id = await upload(); const th = await thread(); await replyTo(author, th.id, '<p>Bijlage</p>', { attachmentIds: [id] }); return { url: `/api/attachments/${id}/download` }; } },
  { method: 'PUT', route: '/api/me/avatar', note: 'own profile photo', expect: WRITERS(200), call: async () => ({ url: '/api/me/avatar', file: { content: await png(), name: 'ik.png' } }) },
  { method: 'DELETE', route: '/api/me/avatar', note: '', expect: WRITERS(204), call: async () => ({ url: '/api/me/avatar' }) },
  { method: 'GET', route: '/api/users/{id}/avatar', note: '', expect: ALL_OK(200), call: async () => ({ url: `/api/users/${author.id}/avatar` }) },
  { method: 'POST', route: '/api/threads/{id}/video-session', note: 'members request, experts and moderators propose', expect: WRITERS(201), call: async () => ({ url: `/api/threads/${(await thread()).id}/video-session`, body: {} }) },
  { method: 'GET', route: '/api/video-sessions/{id}', note: 'meeting link only for registrants, organiser, moderators', expect: ALL_OK(200), call: async () => ({ url: `/api/video-sessions/${await session()}` }) },
  { method: 'PATCH', route: '/api/video-sessions/{id}', note: 'organiser (here: someone else) or moderator', expect: MODERATORS(200), call: async () => ({ url: `/api/video-sessions/${await session()}`, body: { startsAt: new Date(Date.now() + 86400_000).toISOString(), durationMinutes: 60, capacity: 10, meetingUrl: 'https://meet.example/x' } }) },
  { method: 'POST', route: '/api/video-sessions/{id}/take-on', note: 'thread author, experts, moderators', expect: [401, 403, 200, 200, 200, 403, 403], call: async () => ({ url: `/api/video-sessions/${await session({ organiser: false })}/take-on` }) },
  { method: 'POST', route: '/api/video-sessions/{id}/interest', note: '', expect: WRITERS(200), call: async () => ({ url: `/api/video-sessions/${await session()}/interest` }) },
  { method: 'DELETE', route: '/api/video-sessions/{id}/interest', note: '', expect: WRITERS(200), call: async () => ({ url: `/api/video-sessions/${await session()}/interest` }) },
  { method: 'POST', route: '/api/video-sessions/{id}/registrations', note: '', expect: WRITERS(201), call: async () => ({ url: `/api/video-sessions/${await session({ scheduled: true })}/registrations` }) },
  { method: 'DELETE', route: '/api/video-sessions/{id}/registrations/me', note: 'own registration', expect: WRITERS(204), call: async (_r, a) => { const id = await session({ scheduled: true }); await register(id, a); return { url: `/api/video-sessions/${id}/registrations/me` }; } },
  { method: 'GET', route: '/api/video-sessions/{id}/calendar.ics', note: 'registered users (organiser and moderators too)', expect: SIGNED_IN(200), call: async (_r, a) => { const id = await session({ scheduled: true }); await register(id, a); return { url: `/api/video-sessions/${id}/calendar.ics` }; } },
  { method: 'GET', route: '/api/video-sessions/{id}/attendees.csv', note: 'organiser (here: someone else) or moderator', expect: MODERATORS(200), call: async () => ({ url: `/api/video-sessions/${await session({ scheduled: true })}/attendees.csv` }) },
  { method: 'GET', route: '/api/me/video-sessions', note: '', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/video-sessions' }) },
  { method: 'GET', route: '/api/video-sessions/{id}/attendees.xlsx', note: 'organiser (here: someone else) or moderator', expect: MODERATORS(200), call: async () => ({ url: `/api/video-sessions/${await session({ scheduled: true })}/attendees.xlsx` }) },
  { method: 'POST', route: '/api/video-sessions/{id}/summary', note: 'after the session: organiser (here: someone else) or moderator', expect: MODERATORS(200), call: async () => { const id = await session({ scheduled: true }); await t.db.updateTable('video_session').set({ starts_at: new Date(Date.now() - 3 * 3600_000) }).where('id', '=', id).execute(); return { url: `/api/video-sessions/${id}/summary`, body: { summary: 'Verslag' } }; } },
  { method: 'GET', route: '/api/video-sessions/upcoming', note: 'the agenda', expect: ALL_OK(200), call: async () => ({ url: '/api/video-sessions/upcoming' }) },
  { method: 'GET', route: '/api/me/calendar-feed', note: 'my feed address', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/calendar-feed' }) },
  { method: 'POST', route: '/api/me/calendar-feed', note: 'a new feed address (the old one stops working)', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/calendar-feed', fresh: true }) },
  { method: 'DELETE', route: '/api/me/calendar-feed', note: 'turn my feed off', expect: SIGNED_IN(204), call: async () => ({ url: '/api/me/calendar-feed', fresh: true }) },
  { method: 'GET', route: '/api/me/calendar.ics', note: 'the secret token decides, not the session (here: the author\'s token)', expect: ALL_OK(200), call: async () => ({ url: new URL((await author.agent.post('/api/me/calendar-feed')).body.url).pathname + new URL((await author.agent.get('/api/me/calendar-feed')).body.url).search }) },
  ...(['pin', 'unpin', 'lock', 'unlock'] as const).map((a): Row => ({ method: 'POST', route: `/api/threads/{id}/${a}`, note: '', expect: MODERATORS(200), call: async () => ({ url: `/api/threads/${(await thread()).id}/${a}`, body: {} }) })),
  { method: 'POST', route: '/api/threads/{id}/move', note: '', expect: MODERATORS(200), call: async () => ({ url: `/api/threads/${(await thread()).id}/move`, body: { channelSlug: 'open' } }) },
  { method: 'GET', route: '/api/mod/held-posts', note: 'posts held by the client-data guardrail', expect: MODERATORS(200), call: async () => ({ url: '/api/mod/held-posts' }) },
  { method: 'POST', route: '/api/mod/held-posts/{id}/decision', note: 'approve or remove a held post', expect: MODERATORS(200), call: async () => { const th = await thread(); const res = await author.agent.post(`/api/threads/${th.id}/replies`).send({ body: '<p>BSN 111222333</p>', confirmSensitive: true }); return { url: `/api/mod/held-posts/${res.body.post.id}/decision`, body: { decision: 'approve' } }; } },
  { method: 'GET', route: '/api/mod/count', note: 'open report groups and held posts', expect: MODERATORS(200), call: async () => ({ url: '/api/mod/count' }) },
  { method: 'POST', route: '/api/posts/{id}/hide', note: 'with a reason', expect: MODERATORS(200), call: async () => ({ url: `/api/posts/${(await reply()).id}/hide`, body: { reason: 'Matrix' } }) },
  { method: 'POST', route: '/api/posts/{id}/unhide', note: 'a hidden post', expect: MODERATORS(200), call: async () => { const r = await reply(); await t.db.updateTable('post').set({ hidden_at: new Date(), hidden_by: users.moderator.id, hidden_reason: 'Matrix' }).where('id', '=', r.id).execute(); return { url: `/api/posts/${r.id}/unhide`, body: {} }; } },
  { method: 'GET', route: '/api/posts/{id}/revisions', note: 'everyone; revisions from before a hide only for moderators', expect: ALL_OK(200), call: async () => ({ url: `/api/posts/${(await reply()).id}/revisions` }) },
  { method: 'POST', route: '/api/threads/{id}/accepted-answer', note: "someone else's question (the asker may choose too); experts and moderators", expect: [401, 403, 200, 200, 200, 403, 403], call: async () => { const r = await reply(); return { url: `/api/threads/${r.threadId}/accepted-answer`, body: { postId: r.id } }; } },
  { method: 'DELETE', route: '/api/threads/{id}/accepted-answer', note: "someone else's question (the asker may clear it too)", expect: [401, 403, 200, 200, 200, 403, 403], call: async () => ({ url: `/api/threads/${(await thread()).id}/accepted-answer` }) },
  { method: 'PUT', route: '/api/posts/{id}/appreciation', note: "someone else's post (one's own: 409)", expect: WRITERS(200), call: async () => ({ url: `/api/posts/${(await reply()).id}/appreciation` }) },
  { method: 'DELETE', route: '/api/posts/{id}/appreciation', note: '', expect: WRITERS(200), call: async () => ({ url: `/api/posts/${(await reply()).id}/appreciation` }) },
  { method: 'GET', route: '/api/users/{id}/contributions', note: 'public profile counts', expect: ALL_OK(200), call: async () => ({ url: `/api/users/${author.id}/contributions` }) },
  { method: 'PUT', route: '/api/threads/{id}/read', note: 'own reading position (suspended users too: nothing anyone else sees)', expect: SIGNED_IN(200), call: async () => { const th = await thread(); return { url: `/api/threads/${th.id}/read`, body: { postId: th.postId } }; } },
  { method: 'PATCH', route: '/api/attachments/{id}', note: "someone else's upload: 404 (the uploader describes their own)", expect: WRITERS(404), call: async () => ({ url: `/api/attachments/${await upload()}`, body: { description: 'Matrix' } }) },
  { method: 'POST', route: '/api/reports', note: "someone else's post, once", expect: WRITERS(201), call: async () => ({ url: '/api/reports', body: { postId: (await reply()).id, reason: 'Matrix' } }) },
  { method: 'GET', route: '/api/mod/reports', note: '', expect: MODERATORS(200), call: async () => ({ url: '/api/mod/reports?status=open' }) },
  { method: 'POST', route: '/api/mod/reports/{id}/resolve', note: '', expect: MODERATORS(200), call: async () => { const r = await reply(); const rep = await t.db.insertInto('report').values({ post_id: r.id, reporter_id: expertAuthor.id, reason: 'x', resolution: null, resolved_by: null, resolved_at: null }).returning('id').executeTakeFirstOrThrow(); return { url: `/api/mod/reports/${rep.id}/resolve`, body: { resolution: 'dismiss' } }; } },
  { method: 'POST', route: '/api/mod/users/{id}/suspend', note: 'members only (admins: moderators too)', expect: MODERATORS(200), call: async () => ({ url: `/api/mod/users/${(await signUp(t)).id}/suspend`, body: { until: new Date(Date.now() + 86400_000).toISOString(), reason: 'Matrix' } }) },
  { method: 'POST', route: '/api/mod/users/{id}/unsuspend', note: '', expect: MODERATORS(200), call: async () => { const u = await signUp(t); await suspend(u); return { url: `/api/mod/users/${u.id}/unsuspend`, body: {} }; } },
  { method: 'GET', route: '/api/mod/audit-log', note: 'read-only: no route changes it', expect: MODERATORS(200), call: async () => ({ url: '/api/mod/audit-log' }) },
  { method: 'PUT', route: '/api/subscriptions', note: '', expect: WRITERS(200), call: async () => ({ url: '/api/subscriptions', body: { targetType: 'channel', targetId: 'landelijk', level: 'watching' } }) },
  { method: 'GET', route: '/api/subscriptions', note: '', expect: SIGNED_IN(200), call: async () => ({ url: '/api/subscriptions?targetType=channel&targetId=landelijk' }) },
  { method: 'GET', route: '/api/notifications', note: 'own notifications', expect: SIGNED_IN(200), call: async () => ({ url: '/api/notifications' }) },
  { method: 'POST', route: '/api/notifications/read', note: 'own read marks (suspended users too: nothing anyone else sees)', expect: SIGNED_IN(200), call: async () => ({ url: '/api/notifications/read', body: { all: true } }) },
  { method: 'GET', route: '/api/me/notification-settings', note: '', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/notification-settings' }) },
  { method: 'PUT', route: '/api/me/notification-settings', note: 'own mail settings (suspended users too)', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/notification-settings', body: { emailFrequency: 'daily' } }) },
  { method: 'GET', route: '/api/users/mention', note: '@mention autocomplete', expect: SIGNED_IN(200), call: async () => ({ url: '/api/users/mention?prefix=ma' }) },
  { method: 'POST', route: '/api/unsubscribe', note: 'signed token instead of a login', expect: ALL_OK(200), call: async () => ({ url: `/api/unsubscribe?token=${unsubscribeToken(await appSecret(t.db, t.config), author.id)}` }) },
  { method: 'GET', route: '/api/unsubscribe', note: 'signed token instead of a login', expect: ALL_OK(200), call: async () => ({ url: `/api/unsubscribe?token=${unsubscribeToken(await appSecret(t.db, t.config), author.id)}` }) },
  { method: 'GET', route: '/api/ws', note: 'websocket handshake (101); the topics `mod` and `user:<id>` are only granted to moderators and the user', expect: ALL_OK(101), call: async () => ({ url: '/api/ws', ws: true }) },
  { method: 'GET', route: '/api/search', note: 'hidden posts only for moderators', expect: ALL_OK(200), call: async () => ({ url: '/api/search?q=vraag' }) },
  { method: 'GET', route: '/api/search/similar', note: '', expect: ALL_OK(200), call: async () => ({ url: '/api/search/similar?title=hoe%20werkt%20dat' }) },
  { method: 'GET', route: '/api/admin/synonyms', note: 'the search synonym list', expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: '/api/admin/synonyms' }) },
  { method: 'POST', route: '/api/admin/synonyms', note: 'add a group of equivalent search terms', expect: [401, 403, 403, 403, 201, 403, 403], call: async () => ({ url: '/api/admin/synonyms', body: { terms: [`matrixterm${++counter}`, `matrixwoord${counter}`] } }) },
  {
    method: 'DELETE',
    route: '/api/admin/synonyms/{id}',
    note: "remove an admin's group",
    expect: [401, 403, 403, 403, 204, 403, 403],
    call: async () => {
      const row = await t.db.insertInto('search_synonym').values({ terms: [`matrixa${++counter}`, `matrixb${counter}`], source: 'admin', created_by: null }).returning('id').executeTakeFirstOrThrow();
      return { url: `/api/admin/synonyms/${row.id}` };
    },
  },
  { method: 'POST', route: '/api/channels/{slug}/membership-requests', note: 'ask to join a closed channel, with a motivation', expect: WRITERS(201), call: async () => ({ url: `/api/channels/${(await closedChannel()).slug}/membership-requests`, body: { motivation: 'Ik werk in het wijkteam.' } }) },
  { method: 'GET', route: '/api/channels/{slug}/membership-requests', note: "the channel's moderators (a per-channel role, not in these columns) and admins; 404 for who may not see the channel", expect: [401, 404, 404, 403, 200, 404, 404], call: async () => ({ url: `/api/channels/${(await pendingRequest()).slug}/membership-requests` }) },
  ...(['approve', 'decline'] as const).map((a): Row => ({ method: 'POST', route: `/api/channels/{slug}/membership-requests/{id}/${a}`, note: "the channel's moderators and admins; never one's own request (403)", expect: [401, 404, 404, 403, 200, 403, 403], call: async () => { const r = await pendingRequest(); return { url: `/api/channels/${r.slug}/membership-requests/${r.id}/${a}` }; } })),
  { method: 'DELETE', route: '/api/channels/{slug}/members/me', note: 'leave a closed channel one is a member of', expect: SIGNED_IN(204), call: async (_r, a) => { const ch = await closedChannel(); if (a) await t.db.insertInto('channel_member').values({ channel_id: ch.id, user_id: a.id }).execute(); return { url: `/api/channels/${ch.slug}/members/me` }; } },
  { method: 'GET', route: '/api/channels/{slug}/members', note: "the channel's moderators and admins", expect: [401, 404, 404, 403, 200, 404, 404], call: async () => ({ url: `/api/channels/${(await closedChannel()).slug}/members` }) },
  { method: 'PUT', route: '/api/channels/{slug}/moderators/{userId}', note: 'admins appoint channel moderators', expect: [401, 403, 403, 403, 204, 403, 403], call: async () => ({ url: `/api/channels/${(await closedChannel()).slug}/moderators/${author.id}` }) },
  { method: 'DELETE', route: '/api/channels/{slug}/moderators/{userId}', note: '', expect: [401, 403, 403, 403, 204, 403, 403], call: async () => ({ url: `/api/channels/${(await closedChannel()).slug}/moderators/${author.id}` }) },
  { method: 'GET', route: '/api/admin/organisations', note: 'verified organisations', expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: '/api/admin/organisations' }) },
  { method: 'POST', route: '/api/admin/organisations', note: '', expect: [401, 403, 403, 403, 201, 403, 403], call: async () => ({ url: '/api/admin/organisations', body: { name: `Gemeente ${++counter}`, domains: [`gemeente${counter}.example`] } }) },
  { method: 'PATCH', route: '/api/admin/organisations/{id}', note: '', expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: `/api/admin/organisations/${await organisation()}`, body: { name: `Hernoemd ${++counter}` } }) },
  { method: 'DELETE', route: '/api/admin/organisations/{id}', note: '', expect: [401, 403, 403, 403, 204, 403, 403], call: async () => ({ url: `/api/admin/organisations/${await organisation()}` }) },
  { method: 'PUT', route: '/api/admin/organisations/{id}/logo', note: 'PNG, JPEG or WebP', expect: [401, 403, 403, 403, 200, 403, 403], call: async () => ({ url: `/api/admin/organisations/${await organisation()}/logo`, file: { content: await png(), name: 'logo.png' } }) },
  { method: 'DELETE', route: '/api/admin/organisations/{id}/logo', note: '', expect: [401, 403, 403, 403, 204, 403, 403], call: async () => ({ url: `/api/admin/organisations/${await organisation()}/logo` }) },
  { method: 'GET', route: '/api/organisations/{id}/logo', note: 'shown with the organisation', expect: ALL_OK(200), call: async () => { const id = await organisation(); await users.admin.agent.put(`/api/admin/organisations/${id}/logo`).attach('file', await png(), 'logo.png').expect(200); return { url: `/api/organisations/${id}/logo` }; } },
  { method: 'GET', route: '/api/auth/oidc/providers', note: 'the login page\'s organisation buttons', expect: ALL_OK(200), call: async () => ({ url: '/api/auth/oidc/providers' }) },
  { method: 'GET', route: '/api/auth/oidc/{provider}/start', note: 'to the organisation\'s login service (the whole flow: test/api/oidc-login.test.ts)', expect: ALL_OK(302), call: async () => ({ url: '/api/auth/oidc/zwolle/start' }) },
  { method: 'GET', route: '/api/auth/oidc/{provider}/callback', note: 'without the state this browser started: 400 and no session', expect: ALL_OK(400), call: async () => ({ url: '/api/auth/oidc/zwolle/callback?code=x&state=y' }) },
  { method: 'GET', route: '/api/me/logins', note: 'own ways to log in', expect: SIGNED_IN(200), call: async () => ({ url: '/api/me/logins' }) },
  { method: 'DELETE', route: '/api/me/logins/{provider}', note: 'unlink an organisation login (never the last way to log in)', expect: SIGNED_IN(204), call: async (_r, a) => { if (a) await t.db.insertInto('oidc_identity').values({ provider: 'zwolle', subject: `matrix-${++counter}`, user_id: a.id, email: null }).onConflict((oc) => oc.columns(['user_id', 'provider']).doNothing()).execute(); return { url: '/api/me/logins/zwolle' }; } },
  { method: 'POST', route: '/api/auth/oidc/logout', note: 'ends the own session, and at the organisation when it came from there', expect: ALL_OK(200), call: async () => ({ url: '/api/auth/oidc/logout', fresh: true }) },
];

beforeAll(async () => {
  provider = await startTestProvider([`${PUBLIC_URL}/api/auth/oidc/zwolle/callback`]);
  t = await createTestApp({
    oidcProviders: [{ id: 'zwolle', label: 'Gemeente Zwolle', issuer: provider.issuer, clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, allowedDomains: [], emailVerified: false, scope: 'openid email profile' }],
  });
  await createChannel(t, 'landelijk', 'experts_ask');
  await createChannel(t, 'open', 'open');
  author = await signUp(t, { displayName: 'Auteur' });
  expertAuthor = await signUp(t, { role: 'expert', displayName: 'Expert Auteur' });
  users.member = await signUp(t);
  users.expert = await signUp(t, { role: 'expert' });
  users.moderator = await signUp(t, { role: 'moderator' });
  users.admin = await signUp(t, { role: 'admin' });
  users.suspended = await signUp(t);
  await suspend(users.suspended);
  users['suspended moderator'] = await signUp(t, { role: 'moderator' });
  await suspend(users['suspended moderator']);
});
afterAll(async () => {
  await t.close();
  await provider.close();
});

/** Routes that are not part of who-may-do-what: the API's own documentation, and metrics (behind their own token, test/api/metrics.test.ts). */
const NOT_IN_MATRIX = new Set(['GET /api/openapi.json', 'GET /api/metrics']);

/** `METHOD /path/{param}` for every /api route in Fastify's printRoutes tree (HEAD is implied by GET). */
function routesOf(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const full = stack.join('').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    if (!m[3] || !full.startsWith('/api/')) continue;
    for (const method of m[3].split(', ')) if (method !== 'HEAD') out.push(`${method} ${full}`);
  }
  return out;
}

/** The handshake's status: 101 when the socket upgraded, else the HTTP status it was refused with. */
async function handshake(url: string, cookie?: string): Promise<number> {
  const base = await wsBase(t.app);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}${url}`, { headers: { origin: PUBLIC_URL, ...(cookie ? { cookie } : {}) } });
    ws.on('upgrade', (res) => {
      resolve(res.statusCode ?? 0);
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', reject);
  });
}

/**
 * Read visibility: who gets to see what a hidden post, a session or a topic holds. Each cell is
 * measured ('yes' or 'no') by the test below, against these expectations; the doc shows them.
 */
const READERS = ['anonymous', 'member', 'author', 'moderator', 'admin', 'suspended', 'suspended moderator'] as const;
type Reader = (typeof READERS)[number];
type Seen = ['yes' | 'no', 'yes' | 'no', 'yes' | 'no', 'yes' | 'no', 'yes' | 'no', 'yes' | 'no', 'yes' | 'no'];
interface ReadRow {
  what: string;
  expect: Seen;
  /** Does `reader` see it? (the author of the hidden post and the organiser of the session are `author`) */
  sees(reader: TestUser | null, fixture: ReadFixture): Promise<boolean>;
}
interface ReadFixture {
  closedThreadId: string;
  closedAttachmentId: string;
  threadId: string;
  hiddenPostId: string;
  attachmentId: string;
  sessionId: string;
  author: TestUser;
}
const ONLY_AUTHOR_AND_MODS: Seen = ['no', 'no', 'yes', 'yes', 'yes', 'no', 'no'];
const ONLY_MODS: Seen = ['no', 'no', 'no', 'yes', 'yes', 'no', 'no'];

async function subscribes(reader: TestUser | null, topic: string): Promise<boolean> {
  const socket = await connect(t.app, reader ? { cookie: reader.cookie } : {});
  socket.send({ type: 'subscribe', topics: [topic] });
  const answer = await socket.next((f) => f.type === 'subscribed' || f.type === 'error');
  socket.close();
  return answer.type === 'subscribed';
}
/** Subscribes with lastEventId 0: does any event of the topic come back (the replay)? */
async function replays(reader: TestUser | null, topic: string): Promise<boolean> {
  const socket = await connect(t.app, reader ? { cookie: reader.cookie } : {});
  socket.send({ type: 'subscribe', topics: [topic], lastEventId: '0' });
  // A refused topic answers with an error and no replay; an accepted one ends its replay with "replayed".
  await socket.next((f) => f.type === 'replayed' || f.type === 'error');
  socket.close();
  return socket.frames.some((f) => f.type === 'event');
}
const as = (reader: TestUser | null) => {
  const r = request(t.app.server);
  return { get: (url: string) => (reader ? r.get(url).set('Cookie', reader.cookie) : r.get(url)) };
};

const readRows: ReadRow[] = [
  {
    what: 'hidden post: its body',
    expect: ONLY_AUTHOR_AND_MODS,
    sees: async (reader, f) => ((await as(reader).get(`/api/threads/${f.threadId}`)).body.replies.items as Array<{ id: string; body: string }>).some((p) => p.id === f.hiddenPostId && p.body !== ''),
  },
  { what: 'hidden post: its attachment (download)', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader, f) => (await as(reader).get(`/api/attachments/${f.attachmentId}/download`)).status === 200 },
  {
    what: 'hidden post: as a search hit',
    expect: ONLY_MODS,
    sees: async (reader) => ((await as(reader).get('/api/search?q=zeepkist')).body.items as unknown[]).length > 0,
  },
  {
    what: 'hidden post: its handout text as a search hit',
    expect: ONLY_MODS,
    sees: async (reader, f) => {
      // The text the extraction job would have stored for the hidden post's handout.
      await t.db.insertInto('attachment_text').values({ attachment_id: f.attachmentId, status: 'done', extractor_version: 'matrix', body: 'Het woord strandstoelverhuur', pages: 1, error: null }).onConflict((oc) => oc.doNothing()).execute();
      return ((await as(reader).get('/api/search?q=strandstoelverhuur')).body.items as unknown[]).length > 0;
    },
  },
  {
    what: "video session: the meeting link (of someone else's session, not registered)",
    expect: ['no', 'no', 'yes', 'yes', 'yes', 'no', 'no'],
    sees: async (reader, f) => !!(await as(reader).get(`/api/video-sessions/${f.sessionId}`)).body.videoSession.meetingUrl,
  },
  { what: 'video session: the attendee list (e-mail addresses)', expect: ['no', 'no', 'yes', 'yes', 'yes', 'no', 'no'], sees: async (reader, f) => (await as(reader).get(`/api/video-sessions/${f.sessionId}/attendees.csv`)).status === 200 },
  { what: 'closed channel: in the channel list', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader) => ((await as(reader).get('/api/channels')).body.items as Array<{ slug: string }>).some((c) => c.slug === 'besloten') },
  { what: 'closed channel: its thread list', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader) => (await as(reader).get('/api/channels/besloten/threads')).status === 200 },
  { what: 'closed channel: a thread', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader, f) => (await as(reader).get(`/api/threads/${f.closedThreadId}`)).status === 200 },
  { what: 'closed channel: the reply list', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader, f) => (await as(reader).get(`/api/threads/${f.closedThreadId}/replies`)).status === 200 },
  { what: 'closed channel: an attachment (download)', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader, f) => (await as(reader).get(`/api/attachments/${f.closedAttachmentId}/download`)).status === 200 },
  { what: 'closed channel: as a search hit', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader) => ((await as(reader).get('/api/search?q=kwartel')).body.items as unknown[]).length > 0 },
  { what: 'closed channel: websocket topic `thread:<id>` (live)', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader, f) => subscribes(reader, `thread:${f.closedThreadId}`) },
  { what: 'closed channel: websocket topic `thread:<id>` (replay)', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader, f) => replays(reader, `thread:${f.closedThreadId}`) },
  { what: 'closed channel: websocket topic `channel:<slug>`', expect: ONLY_AUTHOR_AND_MODS, sees: async (reader) => subscribes(reader, 'channel:besloten') },
  { what: 'websocket topic `mod`', expect: ONLY_MODS, sees: async (reader) => subscribes(reader, 'mod') },
  { what: "websocket topic `user:<id>` of another user", expect: ['no', 'no', 'no', 'no', 'no', 'no', 'no'], sees: async (reader, f) => subscribes(reader, `user:${reader?.id === f.author.id ? users.member.id : f.author.id}`) },
];

function renderDoc(): string {
  const head = `| method | route | ${ROLES.join(' | ')} | note |\n| --- | --- | ${ROLES.map(() => '---').join(' | ')} | --- |`;
  const lines = rows.map((r) => `| ${r.method} | \`${r.route}\` | ${r.expect.join(' | ')} | ${r.note} |`);
  const readHead = `| what | ${READERS.join(' | ')} |\n| --- | ${READERS.map(() => '---').join(' | ')} |`;
  const readLines = readRows.map((r) => `| ${r.what} | ${r.expect.join(' | ')} |`);
  const readPart = `\n## Who may see what\n\nMeasured by the same test: each cell says whether that reader gets to see it. "author" wrote the hidden post, organises the video session and is the one member of the closed channel (visibility \`members\`: moderators and admins see every channel); "suspended moderator" is a moderator whose account is suspended, who reads as a member (server/policy: suspension travels with the role). Replayed websocket events follow the same rules (test/realtime/replay-truth.test.ts).\n\n${readHead}\n${readLines.join('\n')}\n`;
  return `# Who may do what\n\nGenerated from \`test/api/authorization-matrix.test.ts\`, which calls every route as each role and checks these statuses. "suspended" is a member whose account is suspended: they can read and log in, and every write that publishes or changes something others see answers 403 \`suspended\`; they keep self-service on their own account (password, logout, deleting the account, read marks and mail settings). Moderator routes also refuse a suspended moderator, who keeps a member's read rights. Where \`REQUIRE_2FA\` names a role, an account of that role without two-factor sign-in acts as a member the same way (server/policy: \`effectiveRole\`), and moderator and admin routes answer 403 \`two_factor_required\` until it is set up (test/api/account-trust.test.ts). Sign-up gives no session: the mailed link does (\`/api/auth/verify-email\`). The test fails when a route exists that is not in this table, or a row names a route that no longer exists.\n\n${head}\n${lines.join('\n')}\n${readPart}`;
}

describe('authorization matrix', () => {
  it('covers every route of the API (the OpenAPI document and the router, so hidden routes count too)', async () => {
    const doc = (await request(t.app.server).get('/api/openapi.json')).body;
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const routed = routesOf(t.app.printRoutes({ commonPrefix: false }));
    const covered = new Set(rows.map((r) => `${r.method} ${r.route}`));
    const missing = [...new Set([...documented, ...routed])].filter((r) => !covered.has(r) && !NOT_IN_MATRIX.has(r));
    expect(missing, 'add a row for every new route').toEqual([]);
    expect(routed.length).toBeGreaterThan(50);
    // No stale rows either: every row is a route that exists.
    expect(rows.map((r) => `${r.method} ${r.route}`).filter((r) => !routed.includes(r))).toEqual([]);
  });

  for (const row of rows) {
    it(`${row.method} ${row.route}`, async () => {
      const got: number[] = [];
      for (const role of ROLES) {
        const base = role === 'anonymous' ? null : users[role];
        const call = await row.call(role, base);
        const actor = call.fresh ? await freshUser(role) : base;
        if (call.fresh && row.route === '/api/me/password' && actor) call.body = { currentPassword: actor.password, newPassword: 'nieuw wachtwoord 123' };
        if (row.route === '/api/me' && row.method === 'DELETE') call.body = { password: actor?.password ?? 'x' };
        if (call.ws) {
          got.push(await handshake(call.url, actor?.cookie));
          continue;
        }
        let req = request(t.app.server)[row.method.toLowerCase() as 'get'](call.url).set('Origin', PUBLIC_URL);
        if (actor) req = req.set('Cookie', actor.cookie);
        if (call.file) req = req.attach('file', call.file.content, call.file.name);
        else if (call.body !== undefined) req = req.send(call.body as object);
        got.push((await req).status);
      }
      expect(got, ROLES.join(', ')).toEqual(row.expect);
    });
  }

  describe('who may see what', () => {
    let fixture: ReadFixture;
    const readers = {} as Record<Reader, TestUser | null>;
    beforeAll(async () => {
      const postAuthor = await signUp(t, { role: 'expert', displayName: 'Auteur verborgen' });
      const th = await startThread(expertAuthor, 'landelijk', { title: 'Leesrechten' });
      const attachmentId = (await postAuthor.agent.post('/api/attachments').attach('file', pdf(), 'lijst.pdf')).body.attachment.id as string;
      const hidden = await replyTo(postAuthor, th.id, '<p>Het woord zeepkist en een klantnaam</p>', { attachmentIds: [attachmentId] });
      await users.moderator.agent.post(`/api/posts/${hidden.id}/hide`).send({ reason: 'Matrix' }).expect(200);
      const sessionId = (await postAuthor.agent.post(`/api/threads/${th.id}/video-session`).send({})).body.videoSession.id as string;
      await postAuthor.agent.patch(`/api/video-sessions/${sessionId}`).send({ startsAt: new Date(Date.now() + 86400_000).toISOString(), durationMinutes: 60, capacity: 50, meetingUrl: 'https://meet.example/lees' }).expect(200);
      // A closed channel whose only member (besides moderators and admins) is the author.
      const closed = await t.db.insertInto('channel').values({ slug: 'besloten', name: 'Besloten', description: '', posting_policy: 'open', visibility: 'members', last_activity_at: null }).returning('id').executeTakeFirstOrThrow();
      await t.db.insertInto('channel_member').values({ channel_id: closed.id, user_id: postAuthor.id }).execute();
      const closedThread = await startThread(postAuthor, 'besloten', { title: 'Besloten kwartel' });
      const closedAttachmentId = (await postAuthor.agent.post('/api/attachments').attach('file', pdf(), 'besloten.pdf')).body.attachment.id as string;
      await replyTo(postAuthor, closedThread.id, '<p>Besloten bijlage</p>', { attachmentIds: [closedAttachmentId] });
      fixture = { closedThreadId: closedThread.id, closedAttachmentId, threadId: th.id, hiddenPostId: hidden.id, attachmentId, sessionId, author: postAuthor };
      Object.assign(readers, { anonymous: null, member: users.member, author: postAuthor, moderator: users.moderator, admin: users.admin, suspended: users.suspended, 'suspended moderator': users['suspended moderator'] });
    });
    for (const row of readRows) {
      it(row.what, async () => {
        const seen: string[] = [];
        for (const reader of READERS) seen.push((await row.sees(readers[reader], fixture)) ? 'yes' : 'no');
        expect(seen, READERS.join(', ')).toEqual(row.expect);
      });
    }
  });

  it('is written down in docs/authorization.md', () => {
    const file = path.resolve(__dirname, '../../docs/authorization.md');
    if (process.env.UPDATE_AUTH_DOC === '1') writeFileSync(file, renderDoc());
    expect(readFileSync(file, 'utf8')).toBe(renderDoc());
  });
});
