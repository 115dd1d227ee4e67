// "Nuttig": a signed-in member thanks a colleague for a post without writing a reply. Once per member
// and post, as a toggle, never on one's own post. The count is pushed live (never who); the author
// gets one notification per post, grouped while unread ("3 collega's vinden je bericht nuttig").
import { topics } from '../../shared/events';
import type { Db } from '../db';
import { conflict, notFound } from '../http/errors';
import { notify } from '../notifications/notify';
import { type Actor, type Viewer, mayAppreciate, maySeeChannel, visibleChannelSql } from '../policy';
import { appendEvent } from '../realtime/outbox';

export interface AppreciationResult {
  postId: string;
  appreciationCount: number;
  myAppreciation: boolean;
}

/** Marks (`on`) or unmarks a post "nuttig" for `actor`. A repeat changes nothing and tells nobody. */
export async function setAppreciation(db: Db, actor: Actor, postId: string, on: boolean): Promise<AppreciationResult> {
  return db.transaction().execute(async (trx) => {
    const post = await trx
      .selectFrom('post as p')
      .innerJoin('thread as t', 't.id', 'p.thread_id')
      .innerJoin('channel as c', 'c.id', 't.channel_id')
      .select(['p.id', 'p.thread_id', 'p.author_id', 'p.hidden_at', 'p.appreciation_count', 't.title', 'c.id as channel_id', 'c.visibility'])
      .where('p.id', '=', postId)
      .where('p.deleted_at', 'is', null)
      .forNoKeyUpdate('p')
      .executeTakeFirst();
    if (!post || !maySeeChannel(actor, { id: post.channel_id, visibility: post.visibility })) throw notFound('post');
    if (!mayAppreciate(actor, post.author_id)) throw conflict('own_post', 'You cannot mark your own post as useful.');
    if (on && post.hidden_at !== null) throw conflict('post_hidden', 'This post is hidden by a moderator.');

    const changed = on
      ? await trx.insertInto('post_appreciation').values({ post_id: post.id, user_id: actor.id }).onConflict((oc) => oc.doNothing()).returning('post_id').executeTakeFirst()
      : await trx.deleteFrom('post_appreciation').where('post_id', '=', post.id).where('user_id', '=', actor.id).returning('post_id').executeTakeFirst();
    if (!changed) return { postId: post.id, appreciationCount: post.appreciation_count, myAppreciation: on };

    const updated = await trx
      .updateTable('post')
      .set((eb) => ({ appreciation_count: eb('appreciation_count', on ? '+' : '-', 1) }))
      .where('id', '=', post.id)
      .returning('appreciation_count')
      .executeTakeFirstOrThrow();
    if (on) {
      await notify(trx, {
        userId: post.author_id,
        kind: 'appreciation',
        threadId: post.thread_id,
        postId: post.id,
        actorId: actor.id,
        data: { threadTitle: post.title },
        groupKey: `appreciation:${post.id}`,
      });
    }
    await appendEvent(trx, { topic: topics.thread(post.thread_id), type: 'post.appreciated', payload: { postId: post.id, threadId: post.thread_id, appreciationCount: updated.appreciation_count } });
    return { postId: post.id, appreciationCount: updated.appreciation_count, myAppreciation: on };
  });
}

/**
 * What a member contributed, for their profile: threads, replies, best answers and "nuttig" received,
 * counting only visible posts in channels `viewer` may see (a closed channel's activity is not told).
 */
export async function contributionsOf(db: Db, viewer: Viewer | undefined, userId: string) {
  const user = await db.selectFrom('user').select('id').where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound('user');
  const row = await db
    .selectFrom('post as p')
    .innerJoin('thread as pt', 'pt.id', 'p.thread_id')
    .innerJoin('channel as vis', 'vis.id', 'pt.channel_id')
    .select((eb) => [
      eb.fn.count<string>('p.id').filterWhere('p.is_opening', '=', true).as('threads'),
      eb.fn.count<string>('p.id').filterWhere('p.is_opening', '=', false).as('replies'),
      eb.fn.coalesce(eb.fn.sum<string>('p.appreciation_count'), eb.lit(0)).as('appreciations'),
      eb
        .selectFrom('thread as t')
        .innerJoin('post as ap', 'ap.id', 't.accepted_post_id')
        .innerJoin('channel as bvis', 'bvis.id', 't.channel_id')
        .select((e) => e.fn.countAll<string>().as('n'))
        .where('ap.author_id', '=', userId)
        .where(visibleChannelSql(viewer, 'bvis'))
        .as('best'),
    ])
    .where('p.author_id', '=', userId)
    .where('p.deleted_at', 'is', null)
    .where('p.hidden_at', 'is', null)
    .where(visibleChannelSql(viewer, 'vis'))
    .executeTakeFirstOrThrow();
  return { threads: Number(row.threads), replies: Number(row.replies), bestAnswers: Number(row.best ?? 0), appreciationsReceived: Number(row.appreciations) };
}
