// The client-data guardrail on the server (the detector is shared/sensitive-data.ts): posting calls
// checkBeforePublishing once per request, and holdPost inside its transaction when the writer chose
// "Toch plaatsen". A held post is hidden (the existing hidden machinery: author and moderators see it)
// until a moderator approves or removes it (server/moderation/held.ts).
import type { Transaction } from 'kysely';
import { topics } from '../../shared/events';
import { type SensitiveFinding, findSensitiveData } from '../../shared/sensitive-data';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { ApiError, conflict, notFound } from '../http/errors';
import { tellModerators } from '../moderation/alerts';
import { appendEvents } from '../realtime/outbox';
import { loadPostForViewer } from './queries';

type Trx = Transaction<Database>;

export const HELD_REASON = 'Wacht op een moderator: mogelijk persoonsgegevens van een cliënt';
/** What a held thread is called in lists until a moderator approves it (its title may be the problem). */
export const HELD_TITLE = 'Onderwerp wacht op een moderator';

/**
 * Before publishing: the findings in the title and body text. Without findings → null (and
 * `confirmSensitive` changes nothing). With findings and no confirmation → 422 sensitive_data.
 * With confirmation → the findings, for holdPost.
 */
export function checkBeforePublishing(texts: Array<string | null | undefined>, confirmSensitive: boolean | undefined): SensitiveFinding[] | null {
  const findings = findSensitiveData(texts.filter((t): t is string => !!t).join('\n'));
  if (!findings.length) return null;
  if (confirmSensitive === true) return findings;
  throw new ApiError(422, 'sensitive_data', 'This text seems to contain personal data of a client. Change it, or send it again with confirmSensitive: true to have a moderator check it first.', undefined, undefined, {
    findings: findings.map((f) => ({ kind: f.kind, excerpt: f.excerpt.slice(0, 80) })),
  });
}

/**
 * Holds a post just written (or edited) in the caller's transaction: hidden for everyone but its
 * author and moderators, and a held thread shows a neutral title. Moderators are told. Call it
 * before the caller reads the post for its events, so no event carries the text.
 */
export async function holdPost(trx: Trx, postId: string, findings: SensitiveFinding[] | null): Promise<void> {
  if (!findings) return;
  const post = await trx
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .select(['p.id', 'p.thread_id', 'p.author_id', 'p.is_opening', 'p.held_title', 't.title'])
    .where('p.id', '=', postId)
    .executeTakeFirstOrThrow();
  const now = new Date();
  await trx
    .updateTable('post')
    .set({
      hidden_at: now,
      hidden_by: null,
      hidden_reason: HELD_REASON,
      held_at: now,
      held_findings: JSON.stringify(findings),
      ...(post.is_opening ? { held_title: post.title === HELD_TITLE ? post.held_title : post.title } : {}),
    })
    .where('id', '=', post.id)
    .execute();
  if (post.is_opening) await trx.updateTable('thread').set({ title: HELD_TITLE, updated_at: now }).where('id', '=', post.thread_id).execute();
  await tellModerators(trx, { kind: 'post_held', threadId: post.thread_id, postId: post.id, actorId: post.author_id, data: { threadTitle: HELD_TITLE } });
}

export interface HeldPostRow {
  id: string;
  thread_id: string;
  author_id: string;
  is_opening: boolean;
  held_title: string | null;
  title: string;
}

/** The held post (not deleted), row-locked; 404 when there is none, 409 when it is no longer held. */
export async function lockHeldPost(trx: Trx, postId: string): Promise<HeldPostRow> {
  const post = await trx
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .select(['p.id', 'p.thread_id', 'p.author_id', 'p.is_opening', 'p.held_title', 'p.held_at', 't.title'])
    .where('p.id', '=', postId)
    .where('p.deleted_at', 'is', null)
    .forUpdate('p')
    .executeTakeFirst();
  if (!post) throw notFound('post');
  if (!post.held_at) throw conflict('not_held', 'This post is not held for moderation.');
  return post;
}

/** Approves a held post: shown to everyone, a held thread gets its own title back. Its events. */
export async function releaseHeldPost(trx: Trx, post: HeldPostRow): Promise<void> {
  await trx.updateTable('post').set({ hidden_at: null, hidden_by: null, hidden_reason: null, held_at: null, held_findings: null, held_title: null }).where('id', '=', post.id).execute();
  // Its own title back, unless the writer gave it a new (checked) title while it was held.
  const title = post.is_opening && post.held_title && post.title === HELD_TITLE ? post.held_title : null;
  if (title) await trx.updateTable('thread').set({ title, updated_at: new Date() }).where('id', '=', post.thread_id).execute();
  const shown = (await loadPostForViewer(trx, post.id, null))!;
  const channel = await trx.selectFrom('thread as t').innerJoin('channel as c', 'c.id', 't.channel_id').select('c.slug').where('t.id', '=', post.thread_id).executeTakeFirstOrThrow();
  await appendEvents(trx, [
    { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: shown } },
    ...(title
      ? [
          { topic: topics.thread(post.thread_id), type: 'thread.updated' as const, payload: { thread: { id: post.thread_id, title } } },
          { topic: topics.channel(channel.slug), type: 'thread.updated' as const, payload: { thread: { id: post.thread_id, title } } },
        ]
      : []),
  ]);
}

/** Posts held for moderators, the longest waiting first (keyset on held_at, id). */
export async function heldPostRows(db: Db, limit: number, after?: { at: string; id: string }) {
  let q = db
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .select(['p.id', 'p.thread_id', 'p.author_id', 'p.is_opening', 'p.body_text', 'p.held_at', 'p.held_findings', 'p.held_title', 't.title'])
    .where('p.held_at', 'is not', null)
    .where('p.deleted_at', 'is', null)
    .orderBy('p.held_at')
    .orderBy('p.id')
    .limit(limit + 1);
  if (after) q = q.where((eb) => eb.or([eb('p.held_at', '>', new Date(after.at)), eb.and([eb('p.held_at', '=', new Date(after.at)), eb('p.id', '>', after.id)])]));
  return q.execute();
}

/** How many posts wait for a moderator's decision. */
export async function heldPostCount(db: Db | Trx): Promise<number> {
  const r = await db.selectFrom('post').select((eb) => eb.fn.countAll<string>().as('n')).where('held_at', 'is not', null).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * A removed held post keeps no client data: its text and the findings are wiped (a removed reply stays
 * as a deleted row for the thread's order; a removed opening post went with its thread).
 */
export async function scrubRemovedHeldPost(trx: Trx, postId: string): Promise<void> {
  await trx
    .updateTable('post')
    .set({ body_html: '', body_text: '', held_at: null, held_findings: null, held_title: null })
    .where('id', '=', postId)
    .where('deleted_at', 'is not', null)
    .execute();
  await trx.deleteFrom('post_revision').where('post_id', '=', postId).execute();
}
