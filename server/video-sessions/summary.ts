// Contract used by server/threads to include `videoSession` in GET /api/threads/:id.
// Owned by server/video-sessions.
import type { Kysely } from 'kysely';
import type { VideoSession } from '../../shared/schemas/video-sessions';
import type { SessionUser } from '../accounts/session';
import type { Database } from '../db/schema';

/** The thread's current (latest, not cancelled) video session as `viewer` may see it, or null. */
export async function loadVideoSessionForThread(
  _db: Kysely<Database>,
  _threadId: string,
  _viewer: SessionUser | null,
): Promise<VideoSession | null> {
  return null;
}
