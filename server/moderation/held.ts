// Posts the guardrail held (possible client data, published anyway by their writer): moderators
// approve or remove them from their queue, and the writer is told either way.
import { excerpt } from '../content/sanitize';
import type { Db } from '../db';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { badRequest } from '../http/errors';
import { notify } from '../notifications/notify';
import type { Actor } from '../policy';
import { HELD_TITLE, heldPostRows, lockHeldPost, releaseHeldPost, scrubRemovedHeldPost } from '../threads/guardrail';
import { deletePost } from '../threads/posting';
import { authorColumnsOf, toAuthor } from '../accounts/present';
import type { HeldPost } from '../../shared/schemas/guardrail';
import { Type } from '@sinclair/typebox';
import { pushModerationCount } from './alerts';
import { recordAction } from './audit';

const HeldCursor = Type.Object({ at: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$' }), id: Type.String({ pattern: '^[1-9][0-9]{0,18}$' }) });

/** The held posts, the longest waiting first; keyset pages. */
export async function listHeldPosts(db: Db, _mod: Actor, q: { cursor?: string; limit?: number }): Promise<{ items: HeldPost[]; nextCursor: string | null }> {
  const limit = q.limit ?? 20;
  const after = decodeCursor(HeldCursor, q.cursor);
  if (after && Number.isNaN(Date.parse(after.at))) throw badRequest('invalid_cursor', 'This cursor is not valid.');
  const rows = await heldPostRows(db, limit, after ?? undefined);
  const page = rows.slice(0, limit);
  const authors = page.length
    ? await db.selectFrom('user as u').select(authorColumnsOf('u')).where('u.id', 'in', [...new Set(page.map((r) => r.author_id))]).execute()
    : [];
  const byId = new Map(authors.map((a) => [a.id, a]));
  const items = page.map((r) => ({
    post: {
      id: r.id,
      threadId: r.thread_id,
      threadTitle: r.is_opening && r.held_title ? r.held_title : r.title,
      excerpt: excerpt(r.body_text, 300),
      author: toAuthor(byId.get(r.author_id)!),
      isOpening: r.is_opening,
    },
    findings: (r.held_findings ?? []) as HeldPost['findings'],
    heldAt: r.held_at!.toISOString(),
  }));
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit ? encodeCursor({ at: last.held_at!.toISOString(), id: last.id }) : null };
}

/** Approves (shows) or removes a held post; the writer is told. */
export async function decideHeldPost(db: Db, mod: Actor & { displayName: string }, postId: string, decision: 'approve' | 'remove'): Promise<void> {
  if (decision === 'approve') {
    await db.transaction().execute(async (trx) => {
      const post = await lockHeldPost(trx, postId);
      await releaseHeldPost(trx, post);
      await recordAction(trx, { actorId: mod.id, action: 'approve_held_post', targetType: 'post', targetId: post.id, data: { threadId: post.thread_id } });
      await notify(trx, { userId: post.author_id, kind: 'post_held_approved', threadId: post.thread_id, postId: post.id, actorId: mod.id, data: { threadTitle: post.held_title ?? post.title } });
      await pushModerationCount(trx);
    });
    return;
  }
  const post = await db.transaction().execute((trx) => lockHeldPost(trx, postId));
  const title = post.is_opening && post.held_title ? post.held_title : post.title === HELD_TITLE ? '' : post.title;
  // Removing is deleting (the threads domain: a reply becomes a tombstone, an opening post takes its thread along).
  await deletePost(db, mod, post.id);
  await db.transaction().execute(async (trx) => {
    await scrubRemovedHeldPost(trx, post.id);
    await recordAction(trx, { actorId: mod.id, action: 'remove_held_post', targetType: 'post', targetId: post.id, data: { threadId: post.thread_id, title } });
    const threadLeft = !post.is_opening;
    await notify(trx, { userId: post.author_id, kind: 'post_held_removed', threadId: threadLeft ? post.thread_id : null, actorId: mod.id, data: { threadTitle: title } });
    await pushModerationCount(trx);
  });
}
