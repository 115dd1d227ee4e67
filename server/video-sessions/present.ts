import { type Kysely, type Selectable, sql } from 'kysely';
import type { VideoSession } from '../../shared/schemas/video-sessions';
import { type Viewer, maySeeMeetingLink } from '../policy';
import { toAuthor } from '../accounts/present';
import type { Database } from '../db/schema';
import type { VideoSessionTable } from '../db/tables/video-sessions';

type Db = Kysely<Database>;
export type SessionRow = Selectable<VideoSessionTable>;

/** `ended` is derived: a scheduled session whose end time has passed. */
export function effectiveStatus(row: Pick<SessionRow, 'status' | 'starts_at' | 'duration_minutes'>, now = Date.now()): SessionRow['status'] {
  if (row.status === 'scheduled' && row.starts_at && row.duration_minutes && row.starts_at.getTime() + row.duration_minutes * 60_000 < now) return 'ended';
  return row.status;
}

export const isOpen = (row: SessionRow) => ['requested', 'proposed', 'scheduled'].includes(effectiveStatus(row));

/** The session as `viewer` sees it: counts, their own interest and registration, the link only for those allowed. */
export async function presentSession(db: Db, row: SessionRow, viewer: Viewer): Promise<VideoSession> {
  return (await presentSessions(db, [row], viewer))[0];
}

/**
 * Several sessions as `viewer` sees them, in one round trip: counts, organiser, the viewer's interest,
 * registration and waitlist position. `meetingUrl` only for registrants, the organiser and moderators.
 */
export async function presentSessions(db: Db, rows: SessionRow[], viewer: Viewer): Promise<VideoSession[]> {
  if (rows.length === 0) return [];
  // No viewer: match nobody (ids are positive identities).
  const viewerId = viewer?.id ?? '0';
  const extra = await db
    .selectFrom('video_session as s')
    .leftJoin('user as u', 'u.id', 's.organiser_id')
    .leftJoin('video_session_registration as mr', (join) => join.onRef('mr.session_id', '=', 's.id').on('mr.user_id', '=', viewerId))
    .select([
      's.id',
      'u.id as o_id',
      'u.display_name as o_display_name',
      'u.job_title as o_job_title',
      'u.organisation as o_organisation',
      'u.organisation_id as o_organisation_id',
      'u.role as o_role',
      'u.avatar_key as o_avatar_key',
      'mr.status as my_status',
      sql<number>`(select count(*)::int from video_session_interest i where i.session_id = s.id)`.as('interest'),
      sql<number>`(select count(*)::int from video_session_registration r where r.session_id = s.id and r.status = 'registered')`.as('registered'),
      sql<number>`(select count(*)::int from video_session_registration r where r.session_id = s.id and r.status = 'waitlisted')`.as('waitlisted'),
      sql<boolean>`exists (select 1 from video_session_interest i where i.session_id = s.id and i.user_id = ${viewerId})`.as('my_interest'),
      sql<number | null>`case when mr.status = 'waitlisted' then (select count(*)::int from video_session_registration w where w.session_id = s.id and w.status = 'waitlisted' and w.waitlist_seq <= mr.waitlist_seq) end`.as('my_position'),
    ])
    .where('s.id', 'in', rows.map((r) => r.id))
    .execute();
  const byId = new Map(extra.map((e) => [e.id, e]));
  return rows.map((row) => {
    const e = byId.get(row.id);
    if (!e) throw new Error(`video session ${row.id} vanished`);
    const myRegistration: VideoSession['myRegistration'] =
      e.my_status === 'registered' ? { status: 'registered' } : e.my_status === 'waitlisted' ? { status: 'waitlisted', position: Number(e.my_position) } : null;
    const mayJoin = maySeeMeetingLink(viewer, row.organiser_id, myRegistration?.status === 'registered');
    return {
      id: row.id,
      threadId: row.thread_id,
      title: row.title,
      description: row.description,
      status: effectiveStatus(row),
      organiser:
        e.o_id !== null
          ? toAuthor({ id: e.o_id, display_name: e.o_display_name!, job_title: e.o_job_title!, organisation: e.o_organisation!, organisation_id: e.o_organisation_id, role: e.o_role!, avatar_key: e.o_avatar_key ?? null })
          : null,
      interestCount: Number(e.interest),
      startsAt: row.starts_at ? row.starts_at.toISOString() : null,
      durationMinutes: row.duration_minutes,
      capacity: row.capacity,
      registeredCount: Number(e.registered),
      waitlistCount: Number(e.waitlisted),
      myInterest: !!e.my_interest,
      myRegistration,
      ...(mayJoin && row.meeting_url ? { meetingUrl: row.meeting_url } : {}),
      ...(row.summary_post_id ? { summaryPostId: row.summary_post_id } : {}),
      ...(row.recording_url ? { recordingUrl: row.recording_url } : {}),
    };
  });
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
