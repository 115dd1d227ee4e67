// Moderator actions on threads and posts: the threads domain changes them (server/threads/moderate.ts),
// this domain adds the audit log and tells the author. Each runs in one transaction.
import type { Post, Thread } from '../../shared/schemas/forum';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import type { Transaction } from 'kysely';
import { conflict } from '../http/errors';
import { notify } from '../notifications/notify';
import type { Actor } from '../policy';
import { type ThreadFlags, hidePost, moveThread, setThreadFlags, showPost } from '../threads/moderate';
import { loadThread } from '../threads/queries';
import { recordAction } from './audit';

export type ThreadFlag = 'pin' | 'unpin' | 'lock' | 'unlock';
export const FLAGS: Record<ThreadFlag, ThreadFlags> = {
  pin: { pinned: true },
  unpin: { pinned: false },
  lock: { locked: true },
  unlock: { locked: false },
};

/** Pins, unpins, locks or unlocks a thread; logged only when something changed. The thread as the moderator sees it. */
export async function flagThread(db: Db, mod: Actor, threadId: string, flag: ThreadFlag, reason?: string): Promise<Thread> {
  await db.transaction().execute(async (trx) => {
    if (await setThreadFlags(trx, threadId, FLAGS[flag])) await recordAction(trx, { actorId: mod.id, action: flag, targetType: 'thread', targetId: threadId, reason: reason?.trim() });
  });
  return loadThread(db, threadId, mod);
}

/** Moves a thread to another channel; logged with from and to. The thread as the moderator sees it. */
export async function moveThreadTo(db: Db, mod: Actor, threadId: string, channelSlug: string, reason?: string): Promise<Thread> {
  await db.transaction().execute(async (trx) => {
    const moved = await moveThread(trx, threadId, channelSlug);
    if (moved) await recordAction(trx, { actorId: mod.id, action: 'move', targetType: 'thread', targetId: threadId, reason: reason?.trim(), data: moved });
  });
  return loadThread(db, threadId, mod);
}

/**
 * Hides a post in the caller's transaction, logs it and tells its author. The post as moderators see
 * it, or null (nothing done) when it was hidden already. Also used when a report is resolved by hiding.
 */
export async function hideInTransaction(trx: Transaction<Database>, mod: Actor, postId: string, reason: string): Promise<Post | null> {
  const hidden = await hidePost(trx, mod, postId, reason);
  if (!hidden) return null;
  await recordAction(trx, { actorId: mod.id, action: 'hide', targetType: 'post', targetId: postId, reason });
  await notify(trx, { userId: hidden.authorId, kind: 'post_hidden', threadId: hidden.post.threadId, postId, actorId: mod.id, data: { reason, threadTitle: hidden.threadTitle } });
  return hidden.post;
}

/** Hides a post with a reason; 409 when it is hidden already. */
export async function hide(db: Db, mod: Actor, postId: string, reason: string): Promise<Post> {
  return db.transaction().execute(async (trx) => {
    const post = await hideInTransaction(trx, mod, postId, reason.trim());
    if (!post) throw conflict('already_hidden', 'This post is already hidden.');
    return post;
  });
}

/** Shows a hidden post again; 409 when it is not hidden. */
export async function unhide(db: Db, mod: Actor, postId: string, reason?: string): Promise<Post> {
  return db.transaction().execute(async (trx) => {
    const shown = await showPost(trx, postId);
    if (!shown) throw conflict('not_hidden', 'This post is not hidden.');
    await recordAction(trx, { actorId: mod.id, action: 'unhide', targetType: 'post', targetId: postId, reason: reason?.trim() });
    return shown;
  });
}
