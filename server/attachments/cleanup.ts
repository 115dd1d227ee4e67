import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Db } from '../db';
import { type Storage, lockContent } from './storage';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export interface CleanupResult {
  /** Upload rows never attached within 24 hours, removed. */
  unattached: number;
  /** Stored objects no row refers to any more (cascade-deleted posts, replaced or erased photos). */
  orphans: number;
  /** Temp files of uploads that died with their process. */
  tempFiles: number;
}

/**
 * Removes the bytes under `key` when no attachment, profile photo or organisation logo uses them. Call inside a
 * transaction that holds lockContent(key), so a simultaneous upload of the same bytes cannot lose them.
 */
async function deleteIfUnused(trx: Parameters<typeof lockContent>[0], storage: Storage, key: string): Promise<boolean> {
  const { used } = await trx
    .selectNoFrom((eb) =>
      eb
        .or([
          eb.exists(eb.selectFrom('attachment').select('id').where('storage_key', '=', key)),
          eb.exists(eb.selectFrom('user').select('id').where('avatar_key', '=', key)),
          eb.exists(eb.selectFrom('organisation').select('id').where('logo_key', '=', key)),
        ])
        .as('used'),
    )
    .executeTakeFirstOrThrow();
  if (used) return false;
  await storage.delete(key);
  return true;
}

/** Drops `key`'s bytes if nothing uses them any more (after a photo was replaced or removed). */
export async function releaseContent(db: Db, storage: Storage, key: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockContent(trx, key);
    await deleteIfUnused(trx, storage, key);
  });
}

/**
 * Removes uploads never attached to a post within 24 hours (and their bytes when no other upload
 * shares them), stored objects nothing refers to for 24 hours, and temp files untouched for an hour.
 * Idempotent and safe on several instances at once: every deletion re-checks under a per-content
 * advisory lock, in its own short transaction. `now` is injectable for tests.
 */
export async function cleanupUnattachedUploads(db: Db, storage: Storage, now = new Date()): Promise<CleanupResult> {
  const result: CleanupResult = { unattached: 0, orphans: 0, tempFiles: 0 };
  const cutoff = new Date(now.getTime() - DAY_MS);

  for (;;) {
    const stale = await db.selectFrom('attachment').select(['id', 'storage_key']).where('post_id', 'is', null).where('created_at', '<', cutoff).orderBy('id').limit(500).execute();
    if (stale.length === 0) break;
    for (const row of stale) {
      await db.transaction().execute(async (trx) => {
        await lockContent(trx, row.storage_key);
        // Attached in the meantime, or removed by another instance: leave it.
        const gone = await trx.deleteFrom('attachment').where('id', '=', row.id).where('post_id', 'is', null).returning('id').executeTakeFirst();
        if (!gone) return;
        result.unattached++;
        await deleteIfUnused(trx, storage, row.storage_key);
      });
    }
    if (stale.length < 500) break;
  }

  // Bytes whose rows went with a deleted thread, and photos replaced, removed or erased (AVG).
  let batch: string[] = [];
  const sweep = async () => {
    const keys = batch;
    batch = [];
    const [a, u, o] = await Promise.all([
      db.selectFrom('attachment').select('storage_key as key').where('storage_key', 'in', keys).execute(),
      db.selectFrom('user').select('avatar_key as key').where('avatar_key', 'in', keys).execute(),
      db.selectFrom('organisation').select('logo_key as key').where('logo_key', 'in', keys).execute(),
    ]);
    const used = new Set([...a, ...u, ...o].map((r) => r.key));
    for (const key of keys.filter((k) => !used.has(k))) {
      await db.transaction().execute(async (trx) => {
        await lockContent(trx, key);
        if (await deleteIfUnused(trx, storage, key)) result.orphans++;
      });
    }
  };
  for await (const object of storage.list()) {
    if (object.modifiedAt.getTime() >= cutoff.getTime()) continue;
    batch.push(object.key);
    if (batch.length >= 500) await sweep();
  }
  if (batch.length) await sweep();

  const tempCutoff = now.getTime() - HOUR_MS;
  for (const name of await fs.readdir(storage.tempDir).catch(() => [] as string[])) {
    const file = path.join(storage.tempDir, name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat?.isFile() && stat.mtime.getTime() < tempCutoff) {
      await fs.rm(file, { force: true });
      result.tempFiles++;
    }
  }
  return result;
}
