// What moderation does to threads and posts, as functions of the threads domain (which owns those
// tables): pin, lock, move, hide and show. The moderation domain calls these in its transaction and
// adds the audit log and the notices; each function appends its own events.
import type { Transaction } from 'kysely';
import { topics } from '../../shared/events';
import type { Post } from '../../shared/schemas/forum';
import { lockChannelBySlug, threadJoinedChannel, threadLeftChannel } from '../channels/queries';
import type { Database } from '../db/schema';
import { notFound } from '../http/errors';
import type { Actor } from '../policy';
import { appendEvent, appendEvents } from '../realtime/outbox';
import { dropAcceptedAnswer } from './answers';
import { loadPostForViewer, loadThreadSummary } from './queries';

type Trx = Transaction<Database>;

/** The thread and its channel, row-locked for the rest of the transaction (concurrent actions serialise). */
async function lockThread(trx: Trx, id: string) {
  const row = await trx
    .selectFrom('thread as t')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .select(['t.id', 't.channel_id', 'c.slug', 't.pinned', 't.locked', 't.last_activity_at'])
    .where('t.id', '=', id)
    .forUpdate('t')
    .executeTakeFirst();
  if (!row) throw notFound('thread');
  return row;
}

export interface ThreadFlags {
  pinned?: boolean;
  locked?: boolean;
}

/** Pins/unpins or locks/unlocks a thread. False (and nothing written) when it already was so: a double click is harmless. */
export async function setThreadFlags(trx: Trx, threadId: string, change: ThreadFlags): Promise<boolean> {
  const thread = await lockThread(trx, threadId);
  if ((change.pinned === undefined || change.pinned === thread.pinned) && (change.locked === undefined || change.locked === thread.locked)) return false;
  await trx.updateTable('thread').set({ ...change, updated_at: new Date() }).where('id', '=', thread.id).execute();
  const payload = { thread: { id: thread.id, ...change } };
  await appendEvents(trx, [
    { topic: topics.thread(thread.id), type: 'thread.updated', payload },
    { topic: topics.channel(thread.slug), type: 'thread.updated', payload },
  ]);
  return true;
}

/** Moves a thread to the channel `targetSlug` (404 when there is none); null when it is there already. */
export async function moveThread(trx: Trx, threadId: string, targetSlug: string): Promise<{ from: string; to: string } | null> {
  const thread = await lockThread(trx, threadId);
  const target = await lockChannelBySlug(trx, targetSlug);
  if (target.id === thread.channel_id) return null;
  await trx.updateTable('thread').set({ channel_id: target.id, updated_at: new Date() }).where('id', '=', thread.id).execute();
  await threadLeftChannel(trx, thread.channel_id);
  // The new channel gains this thread's activity.
  await threadJoinedChannel(trx, target.id, thread.last_activity_at);
  // Readers of the thread and of the old channel learn where it went; the new channel gets the
  // whole summary (as thread.updated, and as thread.created so open lists show it as new).
  const summary = await loadThreadSummary(trx, thread.id);
  const where = { thread: { id: thread.id, channelSlug: target.slug, channelName: target.name, moved: true as const, fromChannelSlug: thread.slug } };
  await appendEvents(trx, [
    { topic: topics.thread(thread.id), type: 'thread.updated', payload: where },
    { topic: topics.channel(thread.slug), type: 'thread.updated', payload: where },
    { topic: topics.channel(target.slug), type: 'thread.updated', payload: { thread: { ...summary, moved: true, fromChannelSlug: thread.slug } } },
    { topic: topics.channel(target.slug), type: 'thread.created', payload: { thread: summary } },
  ]);
  return { from: thread.slug, to: target.slug };
}

/** The post (not deleted), row-locked for the rest of the transaction, with its thread's title. */
export async function lockPost(trx: Trx, postId: string) {
  const post = await trx
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .select(['p.id', 'p.thread_id', 'p.author_id', 'p.hidden_at', 't.title'])
    .where('p.id', '=', postId)
    .where('p.deleted_at', 'is', null)
    .forUpdate('p')
    .executeTakeFirst();
  if (!post) throw notFound('post');
  return post;
}

/**
 * Hides a post with its events. Returns the post as moderators (and its author) now see it, with its
 * author and thread title for the caller's notice, or null (having done nothing) when it was hidden
 * already. thread.reply_count is left alone on purpose: it counts the replies that are not deleted,
 * and a hidden reply stays in the list (as "Verborgen door een moderator"); deleting it later
 * decrements the count once.
 */
export async function hidePost(trx: Trx, actor: Actor, postId: string, reason: string): Promise<{ post: Post; authorId: string; threadTitle: string } | null> {
  const post = await lockPost(trx, postId);
  if (post.hidden_at !== null) return null;
  const now = new Date();
  await trx.updateTable('post').set({ hidden_at: now, last_hidden_at: now, hidden_by: actor.id, hidden_reason: reason }).where('id', '=', post.id).execute();
  // A hidden reply is no best answer (announced live before the hide's own events).
  await dropAcceptedAnswer(trx, post.id);
  // Those who may see it get the post as they see it: moderators (with the details) and the author,
  // who both see a hidden post whole (the policy), so one view serves both.
  const hidden = (await loadPostForViewer(trx, post.id, actor))!;
  await appendEvents(trx, [
    // What every reader gets: the fact, never the content (no body, no attachments, no reason).
    {
      topic: topics.thread(post.thread_id),
      type: 'post.hidden',
      payload: { postId: post.id, threadId: post.thread_id, hidden: true, post: { id: post.id, threadId: post.thread_id, hidden: true, body: '', attachments: [] } },
    },
    { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: hidden, moderation: { action: 'hide', actorId: actor.id, reason } }, audience: 'moderators' },
    { topic: topics.mod, type: 'post.hidden', payload: { postId: post.id, threadId: post.thread_id, threadTitle: post.title, actorId: actor.id, reason }, audience: 'moderators' },
    { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: hidden }, audience: topics.user(post.author_id) },
  ]);
  return { post: hidden, authorId: post.author_id, threadTitle: post.title };
}

/** Shows a hidden post again; null (nothing done) when it is not hidden. */
export async function showPost(trx: Trx, postId: string): Promise<Post | null> {
  const post = await lockPost(trx, postId);
  if (post.hidden_at === null) return null;
  await trx.updateTable('post').set({ hidden_at: null, hidden_by: null, hidden_reason: null }).where('id', '=', post.id).execute();
  // The post as members see it again (body and attachments): a visible post looks the same to everyone.
  const shown = (await loadPostForViewer(trx, post.id, null))!;
  await appendEvent(trx, { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: shown } });
  return shown;
}
