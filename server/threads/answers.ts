// The best answer of a question ("Beste antwoord"): the asker, an expert or a moderator marks one
// visible reply of the thread, changes it or clears it. Pushed live to the thread and its channel;
// the answerer is told.
import type { Transaction } from 'kysely';
import { topics } from '../../shared/events';
import type { Thread } from '../../shared/schemas/forum';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { conflict, forbidden, invalidField, notFound } from '../http/errors';
import { notify } from '../notifications/notify';
import { type Actor, mayAcceptAnswer, maySeeChannel } from '../policy';
import { appendEvents } from '../realtime/outbox';
import { loadThread } from './queries';

type Trx = Transaction<Database>;

/** The thread with its channel, row-locked: two people changing the best answer at once serialise. */
async function lockThreadForAnswer(trx: Trx, actor: Actor, threadId: string) {
  const thread = await trx
    .selectFrom('thread as t')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .select(['t.id', 't.author_id', 't.kind', 't.title', 't.accepted_post_id', 'c.slug', 'c.id as channel_id', 'c.visibility'])
    .where('t.id', '=', threadId)
    .forNoKeyUpdate('t')
    .executeTakeFirst();
  // A thread in a channel closed to the actor does not exist for them.
  if (!thread || !maySeeChannel(actor, { id: thread.channel_id, visibility: thread.visibility })) throw notFound('thread');
  return thread;
}

async function announce(trx: Trx, thread: { id: string; slug: string }, postId: string | null): Promise<void> {
  const payload = { thread: { id: thread.id, acceptedAnswer: postId ? { postId } : null } };
  await appendEvents(trx, [
    { topic: topics.thread(thread.id), type: 'thread.updated', payload },
    { topic: topics.channel(thread.slug), type: 'thread.updated', payload },
  ]);
}

/** Marks `postId` as the best answer of the question `threadId`; the thread as the actor now sees it. */
export async function acceptAnswer(db: Db, actor: Actor, threadId: string, postId: string): Promise<Thread> {
  await db.transaction().execute(async (trx) => {
    const thread = await lockThreadForAnswer(trx, actor, threadId);
    if (!mayAcceptAnswer(actor, thread.author_id)) throw forbidden('not_allowed', 'Only the asker, an expert or a moderator can choose the best answer.');
    if (thread.kind !== 'question') throw conflict('not_a_question', 'Only a question has a best answer.');
    const post = await trx
      .selectFrom('post')
      .select(['id', 'author_id'])
      .where('id', '=', postId)
      .where('thread_id', '=', thread.id)
      .where('is_opening', '=', false)
      .where('deleted_at', 'is', null)
      .where('hidden_at', 'is', null)
      .executeTakeFirst();
    if (!post) throw invalidField('postId', 'is not a visible reply in this thread');
    if (thread.accepted_post_id === post.id) return; // already so: nothing written, nobody told again
    await trx.updateTable('thread').set({ accepted_post_id: post.id, updated_at: new Date() }).where('id', '=', thread.id).execute();
    await notify(trx, { userId: post.author_id, kind: 'accepted_answer', threadId: thread.id, postId: post.id, actorId: actor.id, data: { threadTitle: thread.title } });
    await announce(trx, thread, post.id);
  });
  return loadThread(db, threadId, actor);
}

/** Clears the best answer (nothing happens when there is none). */
export async function clearAcceptedAnswer(db: Db, actor: Actor, threadId: string): Promise<Thread> {
  await db.transaction().execute(async (trx) => {
    const thread = await lockThreadForAnswer(trx, actor, threadId);
    if (!mayAcceptAnswer(actor, thread.author_id)) throw forbidden('not_allowed', 'Only the asker, an expert or a moderator can choose the best answer.');
    if (thread.accepted_post_id === null) return;
    await trx.updateTable('thread').set({ accepted_post_id: null, updated_at: new Date() }).where('id', '=', thread.id).execute();
    await announce(trx, thread, null);
  });
  return loadThread(db, threadId, actor);
}

/**
 * A reply that is hidden or deleted stops being the best answer (the threads domain calls this in
 * the hiding or deleting transaction).
 */
export async function dropAcceptedAnswer(trx: Trx, postId: string): Promise<void> {
  const rows = await trx
    .updateTable('thread as t')
    .from('channel as c')
    .set({ accepted_post_id: null })
    .whereRef('c.id', '=', 't.channel_id')
    .where('t.accepted_post_id', '=', postId)
    .returning(['t.id', 'c.slug'])
    .execute();
  for (const t of rows) await announce(trx, t, null);
}
