import type { Db } from '../db';
import type { Storage } from './storage';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Removes uploads never attached to a post within 24 hours, and their bytes when no other upload
 * shares them. Idempotent, so running it on several instances at once is harmless.
 */
export async function cleanupUnattachedUploads(db: Db, storage: Storage, now = new Date()): Promise<number> {
  const stale = await db
    .deleteFrom('attachment')
    .where('post_id', 'is', null)
    .where('created_at', '<', new Date(now.getTime() - DAY_MS))
    .returning(['sha256', 'storage_key'])
    .execute();
  for (const row of stale) {
    const stillUsed = await db.selectFrom('attachment').select('id').where('sha256', '=', row.sha256).limit(1).executeTakeFirst();
    if (!stillUsed) await storage.delete(row.storage_key).catch(() => {});
  }
  return stale.length;
}
