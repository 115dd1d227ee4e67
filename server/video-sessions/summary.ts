// Used by server/threads to include `videoSession` in GET /api/threads/:id.
import type { Kysely } from 'kysely';
import type { VideoSession } from '../../shared/schemas/video-sessions';
import type { SessionUser } from '../accounts/session';
import type { Database } from '../db/schema';
import { currentSessionRow, presentSession } from './present';

/** The thread's current (latest, not cancelled) video session as `viewer` may see it, or null. */
export async function loadVideoSessionForThread(db: Kysely<Database>, threadId: string, viewer: SessionUser | null): Promise<VideoSession | null> {
  const row = await currentSessionRow(db, threadId);
  return row ? presentSession(db, row, viewer) : null;
}
