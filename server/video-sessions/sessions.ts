// Follow-up video sessions: request, propose, interest, schedule, register with a waitlist, calendar,
// attendees. Plain domain functions (db, actor, input) → result; who may do what is the policy's.
import type { Static } from '@sinclair/typebox';
import { type Transaction, sql } from 'kysely';
import { topics } from '../../shared/events';
import { type AgendaItem, MEETING_URL_PATTERN, type MyRegistration, type MySessionItem, type RequestSessionBody, type SummaryBody, type UpdateSessionBody, type VideoSession } from '../../shared/schemas/video-sessions';
import { Type } from '@sinclair/typebox';
import { escapeHtml } from '../content/escape';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { replyToThread } from '../threads/posting';
import { loadThreadRow } from '../threads/queries';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import type { Database } from '../db/schema';
import { ApiError, badRequest, conflict, forbidden, invalidField, notFound } from '../http/errors';
import { recordIfModerating } from '../moderation/audit';
import { notify, notifyMany } from '../notifications/notify';
import { type Actor, type Viewer, mayManageVideoSession, mayOrganiseVideoSession, maySeeChannel, maySeeMeetingLink, visibleChannelSql } from '../policy';
import { appendEvent } from '../realtime/outbox';
import { attendeesWorkbook, excelDateTime, sessionCalendar, toCsv } from './files';
import { type SessionRow, currentSessionRow, effectiveStatus, isOpen, presentSession, presentSessions, waitlistPosition } from './present';

type Trx = Transaction<Database>;
const meetingUrl = new RegExp(MEETING_URL_PATTERN);

async function loadThreadForSession(db: Db, id: string, viewer: Viewer) {
  const thread = await db
    .selectFrom('thread as t')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .select(['t.id', 't.author_id', 't.title', 't.channel_id', 'c.visibility'])
    .where('t.id', '=', id)
    .executeTakeFirst();
  if (!thread || !maySeeChannel(viewer, { id: thread.channel_id, visibility: thread.visibility })) throw notFound('thread');
  return thread;
}

/** The session, when `viewer` may see its thread's channel (a closed channel's sessions are its members'). */
async function loadSession(trx: Trx | Db, id: string, viewer: Viewer, lock = false): Promise<SessionRow> {
  let q = trx.selectFrom('video_session').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('video session');
  const channel = await trx.selectFrom('thread as t').innerJoin('channel as c', 'c.id', 't.channel_id').select(['c.id', 'c.visibility']).where('t.id', '=', row.thread_id).executeTakeFirstOrThrow();
  if (!maySeeChannel(viewer, channel)) throw notFound('video session');
  return row;
}

/** The organiser and moderators manage a session (schedule, cancel, attendee list): the policy's rule. */
const mayManage = (user: Actor, row: SessionRow) => mayManageVideoSession(user, row.organiser_id);

/**
 * Everyone on the thread sees the new counts; personal fields and the link stay out of the public event.
 * `row` is the session as the caller's transaction left it (counts are read here).
 */
async function pushUpdate(trx: Trx, row: SessionRow) {
  await appendEvent(trx, { topic: topics.thread(row.thread_id), type: 'video_session.updated', payload: { videoSession: await presentSession(trx, row, null) } });
}

async function notifyAll(trx: Trx, userIds: string[], n: { kind: string; row: SessionRow; actorId: string; extra?: Record<string, unknown> }) {
  const data = { sessionId: n.row.id, title: n.row.title, startsAt: n.row.starts_at?.toISOString() ?? null, ...n.extra };
  await notifyMany(trx, [...new Set(userIds)].map((userId) => ({ userId, kind: n.kind, threadId: n.row.thread_id, actorId: n.actorId, data })));
}

/** How many have a place (the waitlist not counted). */
const registeredCount = async (trx: Trx, sessionId: string) =>
  Number((await trx.selectFrom('video_session_registration').select((eb) => eb.fn.countAll<number>().as('n')).where('session_id', '=', sessionId).where('status', '=', 'registered').executeTakeFirstOrThrow()).n);

/**
 * Fills free places from the waitlist, first come first served; tells each person promoted.
 * `registered`: how many have a place, when the caller has counted them already.
 */
async function promote(trx: Trx, row: SessionRow, actorId: string, registered?: number) {
  if (!row.capacity) return;
  const free = row.capacity - (registered ?? (await registeredCount(trx, row.id)));
  if (free <= 0) return;
  const next = await trx
    .selectFrom('video_session_registration')
    .select(['id', 'user_id'])
    .where('session_id', '=', row.id)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlist_seq')
    .limit(free)
    .execute();
  if (!next.length) return;
  await trx.updateTable('video_session_registration').set({ status: 'registered', waitlist_seq: null }).where('id', 'in', next.map((r) => r.id)).execute();
  await notifyAll(trx, next.map((r) => r.user_id), { kind: 'video_session_promoted', row, actorId });
}


/** Proposes (thread author, expert, moderator) or requests (anyone) a follow-up session; 201 new, 200 interest added. */
export async function requestSession(db: Db, user: Actor, threadId: string, input: Static<typeof RequestSessionBody> | undefined): Promise<{ status: 200 | 201; videoSession: VideoSession }> {
  const thread = await loadThreadForSession(db, threadId, user);
  const organiser = mayOrganiseVideoSession(user, thread.author_id);
  const title = input?.title?.trim() || `Videosessie: ${thread.title}`.slice(0, 200);
  const description = input?.description?.trim() ?? '';
  const result = await db.transaction().execute(async (trx) => {
    // Serialise per thread: two first requests must not create two sessions. An advisory lock rather
    // than the thread row, so replies and moderation (which update the thread row) are never held up
    // or deadlocked by it; the partial unique index on open sessions is the last line of defence.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`video_session:thread:${thread.id}`}, 0))`.execute(trx);
    let existing = await currentSessionRow(trx, thread.id);
    if (existing && !isOpen(existing)) {
      if (existing.status === 'scheduled') await trx.updateTable('video_session').set({ status: 'ended' }).where('id', '=', existing.id).execute();
      existing = undefined;
    }
    if (existing) {
      if (organiser) throw conflict('session_exists', 'This thread already has an open video session.');
      await trx.insertInto('video_session_interest').values({ session_id: existing.id, user_id: user.id }).onConflict((oc) => oc.doNothing()).execute();
      await pushUpdate(trx, existing);
      return { row: existing, status: 200 };
    }
    const row = await trx
      .insertInto('video_session')
      .values({ thread_id: thread.id, status: organiser ? 'proposed' : 'requested', title, description, organiser_id: organiser ? user.id : null, requested_by: user.id, starts_at: null, duration_minutes: null, capacity: null, meeting_url: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (!organiser) {
      await trx.insertInto('video_session_interest').values({ session_id: row.id, user_id: user.id }).execute();
      await notify(trx, { userId: thread.author_id, kind: 'video_session_requested', threadId: thread.id, actorId: user.id, data: { sessionId: row.id, title: thread.title } });
    }
    await pushUpdate(trx, row);
    return { row, status: 201 };
  });
  return { status: result.status as 200 | 201, videoSession: await presentSession(db, result.row, user) };
}

/** A video session as the viewer sees it. */
export async function getSession(db: Db, viewer: Viewer, sessionId: string): Promise<VideoSession> {
  return presentSession(db, await loadSession(db, sessionId, viewer), viewer);
}

/** Becomes the organiser of a requested session (thread author, expert, moderator). */
export async function takeOn(db: Db, user: Actor, sessionId: string): Promise<VideoSession> {
  const taken = await db.transaction().execute(async (trx) => {
    const row = await loadSession(trx, sessionId, user, true);
    const thread = await trx.selectFrom('thread').select('author_id').where('id', '=', row.thread_id).executeTakeFirstOrThrow();
    if (!mayOrganiseVideoSession(user, thread.author_id)) throw forbidden('forbidden', 'Only the thread author, an expert or a moderator can organise this session.');
    if (row.status !== 'requested') throw conflict('not_requested', 'This session already has an organiser.');
    const taken = await trx.updateTable('video_session').set({ status: 'proposed', organiser_id: user.id, updated_at: new Date() }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
    await pushUpdate(trx, taken);
    return taken;
  });
  return presentSession(db, taken, user);
}

/** Says "Ik heb interesse" (or takes it back) in an open session. */
export async function setInterest(db: Db, user: Actor, sessionId: string, interested: boolean): Promise<VideoSession> {
  const row = await db.transaction().execute(async (trx) => {
    const row = await loadSession(trx, sessionId, user, true);
    if (!isOpen(row)) throw conflict('session_closed', 'This session is no longer open.');
    if (interested) await trx.insertInto('video_session_interest').values({ session_id: row.id, user_id: user.id }).onConflict((oc) => oc.doNothing()).execute();
    else await trx.deleteFrom('video_session_interest').where('session_id', '=', row.id).where('user_id', '=', user.id).execute();
    await pushUpdate(trx, row);
    return row;
  });
  return presentSession(db, row, user);
}

/** Schedules, reschedules or cancels a session (organiser or moderator). */
export async function changeSession(db: Db, user: Actor, sessionId: string, input: Static<typeof UpdateSessionBody>): Promise<VideoSession> {
  const b = input;
  const changed = await db.transaction().execute(async (trx) => {
    const row = await loadSession(trx, sessionId, user, true);
    if (!mayManage(user, row)) throw forbidden('forbidden', 'Only the organiser or a moderator can change this session.');
    const status = effectiveStatus(row);
    if (status === 'cancelled' || status === 'ended') throw conflict('session_closed', 'This session is cancelled or over.');
    // Everyone registered or waitlisted, read once: told of a change, and counted against the capacity.
    const registrations = await trx.selectFrom('video_session_registration').select(['user_id', 'status']).where('session_id', '=', row.id).execute();
    const registrants = registrations.map((r) => r.user_id);
    // A moderator managing someone else's session is moderating: on the audit trail.
    const changed = Object.keys(b).filter((k) => b[k as keyof typeof b] !== undefined);
    await recordIfModerating(trx, user, row.organiser_id, { action: b.status === 'cancelled' ? 'cancel_video_session' : 'edit_video_session', targetType: 'video_session', targetId: row.id, data: { threadId: row.thread_id, changed } });
    // Cancelling works in every open status (a moderator may also close a request nobody took on).
    if (b.status === 'cancelled') {
      const cancelled = await trx.updateTable('video_session').set({ status: 'cancelled', sequence: row.sequence + 1, updated_at: new Date() }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
      await notifyAll(trx, registrants, { kind: 'video_session_cancelled', row, actorId: user.id });
      await pushUpdate(trx, cancelled);
      return cancelled;
    }
    if (status === 'requested') throw conflict('no_organiser', 'Take the session on before scheduling it.');
    if (b.title !== undefined && !b.title.trim()) throw invalidField('title', 'must not be empty');
    const next = {
      starts_at: b.startsAt !== undefined ? new Date(b.startsAt) : row.starts_at,
      duration_minutes: b.durationMinutes ?? row.duration_minutes,
      capacity: b.capacity ?? row.capacity,
      meeting_url: b.meetingUrl ?? row.meeting_url,
    };
    const missing = (['startsAt', 'durationMinutes', 'capacity', 'meetingUrl'] as const).filter((_k, i) => [next.starts_at, next.duration_minutes, next.capacity, next.meeting_url][i] === null);
    if (missing.length) throw new ApiError(400, 'validation_failed', `To schedule, give ${missing.join(', ')}.`, Object.fromEntries(missing.map((m) => [m, 'is required to schedule'])));
    if (b.startsAt !== undefined && next.starts_at!.getTime() <= Date.now()) throw invalidField('startsAt', 'must be in the future');
    try {
      const url = new URL(next.meeting_url!);
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || !meetingUrl.test(next.meeting_url!)) throw new Error('not a link');
    } catch {
      throw invalidField('meetingUrl', 'must be an http(s) link');
    }
    const registered = registrations.filter((r) => r.status === 'registered').length;
    if (next.capacity! < registered) throw conflict('capacity_below_registered', `${registered} people are registered; capacity cannot be lower.`);
    const timeChanged = row.status === 'scheduled' && (next.starts_at!.getTime() !== row.starts_at?.getTime() || next.duration_minutes !== row.duration_minutes || next.meeting_url !== row.meeting_url);
    const updated = await trx
      .updateTable('video_session')
      .set({
        ...next,
        ...(b.title !== undefined ? { title: b.title.trim() } : {}),
        ...(b.description !== undefined ? { description: b.description.trim() } : {}),
        status: 'scheduled',
        sequence: row.sequence + 1,
        updated_at: new Date(),
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (row.status !== 'scheduled') {
      const interested = (await trx.selectFrom('video_session_interest').select('user_id').where('session_id', '=', row.id).execute()).map((r) => r.user_id);
      await notifyAll(trx, interested, { kind: 'video_session_scheduled', row: updated, actorId: user.id });
    } else if (timeChanged) {
      await notifyAll(trx, registrants, { kind: 'video_session_changed', row: updated, actorId: user.id });
    }
    // A raised capacity may make room for the waitlist (counted above; nothing to do without one).
    if (registrations.some((r) => r.status === 'waitlisted')) await promote(trx, updated, user.id, registered);
    await pushUpdate(trx, updated);
    return updated;
  });
  return presentSession(db, changed, user);
}

/** Registers for a scheduled session, or waitlists with a position when it is full; 201 new, 200 already. */
export async function register(db: Db, user: Actor, sessionId: string, expected?: { startsAt?: string }): Promise<{ status: 200 | 201; registration: Static<typeof MyRegistration> }> {
  const result = await db.transaction().execute(async (trx) => {
    // The row lock serialises registrations per session: capacity holds however many sign up at once.
    const row = await loadSession(trx, sessionId, user, true);
    if (effectiveStatus(row) !== 'scheduled') throw conflict('session_closed', 'Registration is closed for this session.');
    // From a notification: the time the caller was told. A session moved since is not what they said yes to.
    if (expected?.startsAt !== undefined && new Date(expected.startsAt).getTime() !== row.starts_at?.getTime()) {
      throw conflict('session_moved', `This session has moved to ${row.starts_at?.toISOString()}; look at the new time before you register.`);
    }
    const existing = await trx.selectFrom('video_session_registration').select(['status', 'waitlist_seq']).where('session_id', '=', row.id).where('user_id', '=', user.id).executeTakeFirst();
    if (existing) return { status: 200, reg: existing };
    const full = (await registeredCount(trx, row.id)) >= row.capacity!;
    const reg = await trx
      .insertInto('video_session_registration')
      .values({ session_id: row.id, user_id: user.id, status: full ? 'waitlisted' : 'registered', waitlist_seq: full ? sql<string>`nextval('video_session_waitlist_seq')` : null })
      .returning(['status', 'waitlist_seq'])
      .executeTakeFirstOrThrow();
    await pushUpdate(trx, row);
    return { status: 201, reg };
  }).catch(async (err) => {
    if (!isUniqueViolation(err)) throw err;
    const reg = await db.selectFrom('video_session_registration').select(['status', 'waitlist_seq']).where('session_id', '=', sessionId).where('user_id', '=', user.id).executeTakeFirstOrThrow();
    return { status: 200, reg };
  });
  const registration = result.reg.status === 'registered' ? { status: 'registered' as const } : { status: 'waitlisted' as const, position: await waitlistPosition(db, sessionId, result.reg.waitlist_seq!) };
  return { status: result.status as 200 | 201, registration };
}

/** Cancels my registration; the first on the waitlist moves up. */
export async function unregister(db: Db, user: Actor, sessionId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await loadSession(trx, sessionId, user, true);
    const deleted = await trx.deleteFrom('video_session_registration').where('session_id', '=', row.id).where('user_id', '=', user.id).returning('status').executeTakeFirst();
    if (!deleted) throw notFound('registration');
    if (deleted.status === 'registered' && effectiveStatus(row) === 'scheduled') await promote(trx, row, user.id);
    await pushUpdate(trx, row);
  });
}

/** The calendar entry of a session: registrants, the organiser and moderators (it holds the meeting link). */
export async function calendarEntry(db: Db, user: Actor, sessionId: string, publicUrl: string): Promise<{ filename: string; body: string }> {
  const row = await loadSession(db, sessionId, user);
  const reg = await db.selectFrom('video_session_registration').select('status').where('session_id', '=', row.id).where('user_id', '=', user.id).executeTakeFirst();
  if (!maySeeMeetingLink(user, row.organiser_id, reg?.status === 'registered')) throw forbidden('not_registered', 'Register first to add this session to your calendar.');
  if (!row.starts_at) throw conflict('not_scheduled', 'This session has no date yet.');
  const organiser = row.organiser_id ? await db.selectFrom('user').select('display_name').where('id', '=', row.organiser_id).executeTakeFirst() : undefined;
  const body = sessionCalendar(row, { threadUrl: `${publicUrl}/t/${row.thread_id}`, organiserName: organiser?.display_name ?? 'Plein', host: new URL(publicUrl).hostname });
  return { filename: `videosessie-${row.id}.ics`, body };
}

/** The attendee list with e-mail addresses, for Excel: the organiser and moderators. */
export async function attendeeList(db: Db, user: Actor, sessionId: string): Promise<{ filename: string; body: string }> {
  const row = await loadSession(db, sessionId, user);
  if (!mayManage(user, row)) throw forbidden('forbidden', 'Only the organiser or a moderator can download the attendee list.');
  const regs = await db
    .selectFrom('video_session_registration as r')
    .innerJoin('user as u', 'u.id', 'r.user_id')
    .select(['u.display_name', 'u.organisation', 'u.job_title', 'u.email', 'r.status', 'r.waitlist_seq', 'r.created_at'])
    .where('r.session_id', '=', row.id)
    .orderBy('r.status')
    .orderBy('r.waitlist_seq')
    .orderBy('r.created_at')
    .execute();
  let position = 0;
  const lines: (string | number | null)[][] = [['Naam', 'Organisatie', 'Functie', 'E-mail', 'Status', 'Wachtlijstpositie', 'Aangemeld op']];
  for (const r of regs) {
    lines.push([r.display_name, r.organisation, r.job_title, r.email, r.status === 'registered' ? 'aangemeld' : 'wachtlijst', r.status === 'waitlisted' ? ++position : null, excelDateTime(r.created_at)]);
  }
  return { filename: `deelnemers-videosessie-${row.id}.csv`, body: toCsv(lines) };
}

/** The attendee list as an Excel workbook: registered and waitlisted on separate sheets (organiser and moderators). */
export async function attendeeWorkbook(db: Db, user: Actor, sessionId: string): Promise<{ filename: string; body: Buffer }> {
  const row = await loadSession(db, sessionId, user);
  if (!mayManage(user, row)) throw forbidden('forbidden', 'Only the organiser or a moderator can download the attendee list.');
  const regs = await db
    .selectFrom('video_session_registration as r')
    .innerJoin('user as u', 'u.id', 'r.user_id')
    .select(['u.display_name', 'u.organisation', 'u.job_title', 'u.email', 'r.status', 'r.created_at'])
    .where('r.session_id', '=', row.id)
    .orderBy('r.waitlist_seq')
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute();
  const toRow = (r: (typeof regs)[number]) => ({ name: r.display_name, organisation: r.organisation, jobTitle: r.job_title, email: r.email, registeredAt: r.created_at });
  const body = await attendeesWorkbook(row.title, regs.filter((r) => r.status === 'registered').map(toRow), regs.filter((r) => r.status === 'waitlisted').map(toRow));
  return { filename: `deelnemers-videosessie-${row.id}.xlsx`, body };
}

/** Sessions I organise, am registered or waitlisted for, or am interested in; upcoming first. */
export async function mySessions(db: Db, user: Actor): Promise<MySessionItem[]> {
  const rows = await db
    .selectFrom('video_session as s')
    .innerJoin('thread as t', 't.id', 's.thread_id')
    .leftJoin('video_session_registration as r', (join) => join.onRef('r.session_id', '=', 's.id').on('r.user_id', '=', user.id))
    .selectAll('s')
    .select(['t.title as thread_title', 'r.status as my_registration'])
    .where((eb) =>
      eb.or([
        eb('s.organiser_id', '=', user.id),
        eb('r.user_id', '=', user.id),
        eb.exists(eb.selectFrom('video_session_interest as i').select('i.user_id').whereRef('i.session_id', '=', 's.id').where('i.user_id', '=', user.id)),
      ]),
    )
    // Upcoming (or running) first, soonest first; then open requests and proposals, newest first;
    // then past and cancelled ones, most recent first.
    .orderBy(sql`case when s.status = 'scheduled' and s.starts_at + make_interval(mins => s.duration_minutes) >= now() then 0 when s.status in ('requested', 'proposed') then 1 else 2 end`)
    .orderBy(sql`case when s.status = 'scheduled' and s.starts_at + make_interval(mins => s.duration_minutes) >= now() then s.starts_at end`)
    .orderBy(sql`coalesce(s.starts_at, s.created_at)`, 'desc')
    .orderBy('s.id', 'desc')
    .limit(200)
    .execute();
  const sessions = rows.map(({ thread_title: _t, my_registration: _r, ...row }) => row);
  const presented = await presentSessions(db, sessions, user);
  return rows.map((r, i) => ({
    videoSession: presented[i],
    thread: { id: r.thread_id, title: r.thread_title },
    myRole: r.organiser_id === user.id ? 'organiser' : r.my_registration === 'registered' ? 'registered' : r.my_registration === 'waitlisted' ? 'waitlisted' : 'interested',
  }));
}

const AgendaCursor = Type.Object({ at: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$' }), id: Type.String({ pattern: '^[1-9][0-9]{0,18}$' }) });

/** The agenda: scheduled sessions that have not ended, soonest first, across the channels the viewer may read; keyset pages. */
export async function agenda(db: Db, viewer: Viewer, q: { cursor?: string; limit?: number }): Promise<{ items: AgendaItem[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const after = decodeCursor(AgendaCursor, q.cursor);
  if (after && Number.isNaN(Date.parse(after.at))) throw badRequest('invalid_cursor', 'This cursor is not valid.');
  let query = db
    .selectFrom('video_session as s')
    .innerJoin('thread as t', 't.id', 's.thread_id')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .selectAll('s')
    .select(['t.title as thread_title', 'c.slug as channel_slug'])
    .where('s.status', '=', 'scheduled')
    .where(sql<boolean>`s.starts_at + make_interval(mins => s.duration_minutes) >= now()`)
    .where(visibleChannelSql(viewer, 'c'))
    .orderBy('s.starts_at')
    .orderBy('s.id')
    .limit(limit + 1);
  if (after) query = query.where((eb) => eb.or([eb('s.starts_at', '>', new Date(after.at)), eb.and([eb('s.starts_at', '=', new Date(after.at)), eb('s.id', '>', after.id)])]));
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const presented = await presentSessions(db, page.map(({ thread_title: _t, channel_slug: _c, ...row }) => row), viewer);
  const last = page[page.length - 1];
  return {
    items: page.map((r, i) => ({ videoSession: presented[i], thread: { id: r.thread_id, title: r.thread_title, channelSlug: r.channel_slug } })),
    nextCursor: rows.length > limit ? encodeCursor({ at: last.starts_at!.toISOString(), id: last.id }) : null,
  };
}

/** Paragraphs of plain text as HTML (the sanitizer checks it again when it is posted). */
function paragraphs(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/**
 * After the session: the organiser (or a moderator, on the organiser's behalf) adds a summary and
 * optionally a recording link. It is posted into the thread as the organiser's reply, and everyone
 * who was registered is told. Once per session.
 */
export async function addSummary(db: Db, user: Actor, sessionId: string, input: Static<typeof SummaryBody>): Promise<VideoSession> {
  const row = await loadSession(db, sessionId, user);
  if (!mayManage(user, row)) throw forbidden('forbidden', 'Only the organiser or a moderator can add the summary.');
  if (effectiveStatus(row) !== 'ended') throw conflict('not_ended', 'A summary can be added once the session is over.');
  if (row.summary_post_id) throw conflict('summary_exists', 'This session already has a summary.');
  if (!row.organiser_id) throw conflict('no_organiser', 'This session has no organiser.');
  if (input.recordingUrl !== undefined) {
    try {
      const url = new URL(input.recordingUrl);
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) throw new Error('not a link');
    } catch {
      throw invalidField('recordingUrl', 'must be an http(s) link');
    }
  }
  const organiser = await db.selectFrom('user').select(['id', 'role', 'suspended_until', 'display_name']).where('id', '=', row.organiser_id).executeTakeFirstOrThrow();
  const thread = await loadThreadRow(db, row.thread_id);
  if (!thread) throw notFound('thread');
  const body =
    `<h3>Verslag van de videosessie</h3>${paragraphs(input.summary)}` +
    (input.recordingUrl ? `<p>Opname: <a href="${escapeHtml(input.recordingUrl)}">${escapeHtml(input.recordingUrl)}</a></p>` : '');
  // The organiser's reply, written as the organiser (the guardrail checks it like any reply).
  const writer = { id: organiser.id, role: organiser.role, suspendedUntil: organiser.suspended_until, displayName: organiser.display_name };
  const post = await replyToThread(db, writer, thread, { body, confirmSensitive: input.confirmSensitive }, async () => {});
  const updated = await db.transaction().execute(async (trx) => {
    const locked = await loadSession(trx, row.id, user, true);
    if (locked.summary_post_id) throw conflict('summary_exists', 'This session already has a summary.');
    // A moderator writing the summary of someone else's session is moderating: on the audit trail.
    await recordIfModerating(trx, user, row.organiser_id, { action: 'summarise_video_session', targetType: 'video_session', targetId: row.id, data: { threadId: row.thread_id, postId: post.id } });
    const updated = await trx
      .updateTable('video_session')
      .set({ summary_post_id: post.id, recording_url: input.recordingUrl ?? null, updated_at: new Date() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const registrants = await trx.selectFrom('video_session_registration').select('user_id').where('session_id', '=', row.id).where('status', '=', 'registered').execute();
    await notifyMany(
      trx,
      registrants.map((r) => ({ userId: r.user_id, kind: 'video_session_summary', threadId: row.thread_id, postId: post.id, actorId: organiser.id, data: { sessionId: row.id, title: row.title } })),
    );
    await pushUpdate(trx, updated);
    return updated;
  });
  return presentSession(db, updated, user);
}

/** A user's registrations and interests, for their data export (AVG inzageverzoek). */
export async function videoSessionDataOf(db: Db, userId: string) {
  const [registrations, interests] = await Promise.all([
    db.selectFrom('video_session_registration').select(['session_id', 'status', 'created_at']).where('user_id', '=', userId).execute(),
    db.selectFrom('video_session_interest').select(['session_id', 'created_at']).where('user_id', '=', userId).execute(),
  ]);
  return { registrations, interests };
}

/** Forgets a user's registrations and interests (their account is erased). */
export async function eraseVideoSessionDataOf(trx: Trx, userId: string): Promise<void> {
  await trx.deleteFrom('video_session_interest').where('user_id', '=', userId).execute();
  await trx.deleteFrom('video_session_registration').where('user_id', '=', userId).execute();
  await trx.deleteFrom('calendar_feed').where('user_id', '=', userId).execute();
}
