import { sql } from 'kysely';
import type { Db } from '../db';
import { notifyMany } from './notify';

/**
 * Tells registrants of sessions that start within 24 hours, exactly once per start time: claiming a
 * session (reminded_for := starts_at) and notifying happen in one transaction, so two instances or a
 * restart cannot send it twice, and a rescheduled session is reminded again for its new time.
 */
export async function sendDueReminders(db: Db, now = new Date()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .updateTable('video_session')
      .set({ reminded_for: sql`starts_at` })
      .where('status', '=', 'scheduled')
      .where('starts_at', '>', now)
      .where('starts_at', '<=', new Date(now.getTime() + 24 * 3600_000))
      .where(sql<boolean>`reminded_for is distinct from starts_at`)
      .returning(['id', 'thread_id', 'title', 'starts_at'])
      .execute();
    if (!due.length) return 0;
    const registrants = await trx
      .selectFrom('video_session_registration')
      .select(['session_id', 'user_id'])
      .where('session_id', 'in', due.map((s) => s.id))
      .where('status', '=', 'registered')
      .execute();
    const byId = new Map(due.map((s) => [s.id, s]));
    await notifyMany(
      trx,
      registrants.map((r) => {
        const s = byId.get(r.session_id)!;
        return { userId: r.user_id, kind: 'video_session_reminder', threadId: s.thread_id, data: { sessionId: s.id, title: s.title, startsAt: s.starts_at!.toISOString() } };
      }),
    );
    return due.length;
  });
}
