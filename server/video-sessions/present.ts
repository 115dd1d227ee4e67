import { type Kysely, type Selectable, sql } from 'kysely';
import type { VideoSession } from '../../shared/schemas/video-sessions';
import { isModerator } from '../accounts/guards';
import { toAuthor } from '../accounts/present';
import type { SessionUser } from '../accounts/session';
import type { Database } from '../db/schema';
import type { VideoSessionTable } from '../db/tables/video-sessions';

type Db = Kysely<Database>;
export type Viewer = Pick<SessionUser, 'id' | 'role'> | null;
export type SessionRow = Selectable<VideoSessionTable>;

/** `ended` is derived: a scheduled session whose end time has passed. */
export function effectiveStatus(row: Pick<SessionRow, 'status' | 'starts_at' | 'duration_minutes'>, now = Date.now()): SessionRow['status'] {
  if (row.status === 'scheduled' && row.starts_at && row.duration_minutes && row.starts_at.getTime() + row.duration_minutes * 60_000 < now) return 'ended';
  return row.status;
}

export const isOpen = (row: SessionRow) => ['requested', 'proposed', 'scheduled'].includes(effectiveStatus(row));

/** The session as `viewer` sees it: counts, their own interest and registration, the link only for those allowed. */
export async function presentSession(db: Db, row: SessionRow, viewer: Viewer): Promise<VideoSession> {
  const counts = await db
    .selectNoFrom([
      sql<number>`(select count(*)::int from video_session_interest where session_id = ${row.id})`.as('interest'),
      sql<number>`(select count(*)::int from video_session_registration where session_id = ${row.id} and status = 'registered')`.as('registered'),
      sql<number>`(select count(*)::int from video_session_registration where session_id = ${row.id} and status = 'waitlisted')`.as('waitlisted'),
    ])
    .executeTakeFirstOrThrow();
  const organiser = row.organiser_id
    ? await db.selectFrom('user').select(['id', 'display_name', 'job_title', 'organisation', 'role', 'avatar_key']).where('id', '=', row.organiser_id).executeTakeFirst()
    : undefined;
  let myInterest = false;
  let myRegistration: VideoSession['myRegistration'] = null;
  if (viewer) {
    const [interest, reg] = await Promise.all([
      db.selectFrom('video_session_interest').select('user_id').where('session_id', '=', row.id).where('user_id', '=', viewer.id).executeTakeFirst(),
      db.selectFrom('video_session_registration').select(['status', 'waitlist_seq']).where('session_id', '=', row.id).where('user_id', '=', viewer.id).executeTakeFirst(),
    ]);
    myInterest = !!interest;
    if (reg) myRegistration = reg.status === 'registered' ? { status: 'registered' } : { status: 'waitlisted', position: await waitlistPosition(db, row.id, reg.waitlist_seq!) };
  }
  const mayJoin = !!viewer && (myRegistration?.status === 'registered' || viewer.id === row.organiser_id || isModerator(viewer));
  return {
    id: row.id,
    threadId: row.thread_id,
    title: row.title,
    description: row.description,
    status: effectiveStatus(row),
    organiser: organiser ? toAuthor(organiser) : null,
    interestCount: counts.interest,
    startsAt: row.starts_at ? row.starts_at.toISOString() : null,
    durationMinutes: row.duration_minutes,
    capacity: row.capacity,
    registeredCount: counts.registered,
    waitlistCount: counts.waitlisted,
    myInterest,
    myRegistration,
    ...(mayJoin && row.meeting_url ? { meetingUrl: row.meeting_url } : {}),
  };
}

export async function waitlistPosition(db: Db, sessionId: string, seq: string): Promise<number> {
  const r = await db
    .selectFrom('video_session_registration')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('session_id', '=', sessionId)
    .where('status', '=', 'waitlisted')
    .where('waitlist_seq', '<=', seq)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The thread's newest session that is not cancelled, or null. */
export async function currentSessionRow(db: Db, threadId: string): Promise<SessionRow | undefined> {
  return db.selectFrom('video_session').selectAll().where('thread_id', '=', threadId).where('status', '!=', 'cancelled').orderBy('id', 'desc').limit(1).executeTakeFirst();
}
