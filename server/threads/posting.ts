// Writing in threads: start one, reply, edit a post, delete one. Plain domain functions
// (db, actor, input) → result: they ask the policy, own the thread and post SQL, call the channels,
// attachments, moderation and notifications domains for their parts, and append their events in
// the same transaction.
import type { Selectable, Transaction } from 'kysely';
import { topics } from '../../shared/events';
import { type CreateReplyBody, type CreateThreadBody, type Post, QUESTION_MAX_LENGTH, type Thread, type UpdatePostBody } from '../../shared/schemas/forum';
import type { SessionUser } from '../accounts/session';
import { attachToPost } from '../attachments/attach';
import { channelActive, threadAddedToChannel, threadLeftChannel } from '../channels/queries';
import { normaliseTags, plainText, sanitizeBody } from '../content/sanitize';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import type { ChannelTable } from '../db/tables/forum';
import { ApiError, forbidden, invalidField, notFound } from '../http/errors';
import { recordAction, recordIfModerating } from '../moderation/audit';
import { onReplyCreated, onThreadCreated } from '../notifications/hooks';
import { mayDeleteThread, mayEditPost, mayReplyToLocked, maySeeChannel, mayStartThread } from '../policy';
import { type NewEvent, appendEvents } from '../realtime/outbox';
import { dropAcceptedAnswer } from './answers';
import { HELD_TITLE, checkBeforePublishing, holdPost } from './guardrail';
import { linkMentions } from './mention-links';
import type { RememberResult } from './idempotency';
import { loadPostForViewers, loadThreadForWriter, type ThreadRow } from './queries';

/** The writer: a signed-in user who may write (routes check suspension with requireWriter). */
type Writer = Pick<SessionUser, 'id' | 'role' | 'suspendedUntil' | 'displayName'>;

function cleanTitle(title: string): string {
  const clean = plainText(title);
  if (!clean) throw invalidField('title', 'must contain text');
  return clean;
}

/** The Vraag statement: plain text on one line; empty → null (none). Questions only. */
function cleanQuestion(question: string | undefined, kind: 'question' | 'discussion'): string | null {
  if (question === undefined) return null;
  const clean = plainText(question);
  if (clean && kind !== 'question') throw invalidField('question', 'only a question has a statement');
  if (clean.length > QUESTION_MAX_LENGTH) throw invalidField('question', `at most ${QUESTION_MAX_LENGTH} characters`);
  return clean || null;
}

/** The body with its @mentions linked to the members' profiles (the text stays as it is). */
async function withMentionLinks(db: Db, body: ReturnType<typeof cleanBody>) {
  return { ...body, html: await linkMentions(db, body.html) };
}

function cleanBody(body: string) {
  const clean = sanitizeBody(body);
  if (!clean.text && !/<(li|pre|code)/.test(clean.html)) throw invalidField('body', 'must contain text');
  return clean;
}

/**
 * The post (not deleted) with its thread and channel, row-locked for the rest of the transaction, or
 * 404. NO KEY UPDATE: a reply quoting this post (a foreign-key share lock) does not wait for it.
 */
async function lockPostForWriting(trx: Transaction<Database>, postId: string, actor: Writer) {
  const post = await trx
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .select(['p.id', 'p.author_id', 'p.is_opening', 'p.body_html', 'p.thread_id', 't.channel_id', 't.title', 't.kind', 't.question', 'c.slug as channel_slug', 'c.visibility as channel_visibility'])
    .where('p.id', '=', postId)
    .where('p.deleted_at', 'is', null)
    .forNoKeyUpdate('p')
    .executeTakeFirst();
  // A post in a channel closed to the actor (someone who left it) does not exist for them.
  if (!post || !maySeeChannel(actor, { id: post.channel_id, visibility: post.channel_visibility })) throw notFound('post');
  return post;
}

/** Starts a thread (a Vraag with its Toelichting, or a discussion) in `channel`; the Thread as its author sees it. */
export async function startThread(db: Db, actor: Writer, channel: Selectable<ChannelTable>, input: CreateThreadBody, remember: RememberResult): Promise<Thread> {
  if (channel.archived_at) throw forbidden('channel_archived', 'This channel is archived: no new threads.');
  if (!mayStartThread(actor, channel.posting_policy)) throw forbidden('experts_only', 'In this channel only experts start new questions; you can reply to them.');
  const title = cleanTitle(input.title);
  const question = cleanQuestion(input.question, input.kind);
  const body = await withMentionLinks(db, cleanBody(input.body));
  const threadTags = normaliseTags(input.tags);
  const held = checkBeforePublishing([title, question, body.text], input.confirmSensitive);
  const now = new Date();
  return db.transaction().execute(async (trx) => {
    const thread = await trx
      .insertInto('thread')
      .values({ channel_id: channel.id, author_id: actor.id, title, question, kind: input.kind, first_post_id: null, last_activity_at: now, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const post = await trx
      .insertInto('post')
      .values({ thread_id: thread.id, author_id: actor.id, is_opening: true, body_html: body.html, body_text: body.text, quote_post_id: null, created_at: now, edited_at: null, deleted_at: null, hidden_at: null, hidden_by: null, hidden_reason: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('thread').set({ first_post_id: post.id }).where('id', '=', thread.id).execute();
    await holdPost(trx, post.id, held);
    if (threadTags.length) await trx.insertInto('thread_tag').values(threadTags.map((tag) => ({ thread_id: thread.id, tag }))).execute();
    if (input.attachmentIds?.length) await attachToPost(trx, { uploaderId: actor.id, postId: post.id, attachmentIds: input.attachmentIds });
    await remember(trx, thread.id);
    const notices = await onThreadCreated(trx, { threadId: thread.id, channelId: channel.id, channelSlug: channel.slug, authorId: actor.id, title: held ? HELD_TITLE : title, bodyText: body.text });
    // One read for the channel's event and the author's answer.
    const { summary, thread: own } = await loadThreadForWriter(trx, thread.id, actor);
    // The channel row and the event counter are locked until commit: last.
    await threadAddedToChannel(trx, channel.id, now);
    await appendEvents(trx, [...notices, { topic: topics.channel(channel.slug), type: 'thread.created', payload: { thread: summary } }]);
    return own;
  });
}

/** Replies to `thread`; the Post as its author sees it. */
export async function replyToThread(db: Db, actor: Writer, thread: ThreadRow, input: CreateReplyBody, remember: RememberResult): Promise<Post> {
  // After the retry check (the caller's): a reply that got through before a moderator locked the thread is still answered.
  if (thread.locked && !mayReplyToLocked(actor)) throw new ApiError(403, 'thread_locked', 'This thread is closed for new replies.');
  if (input.quotePostId) {
    const quoted = await db.selectFrom('post').select('id').where('id', '=', input.quotePostId).where('thread_id', '=', thread.id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!quoted) throw invalidField('quotePostId', 'is not a post in this thread');
  }
  const body = await withMentionLinks(db, cleanBody(input.body));
  const held = checkBeforePublishing([body.text], input.confirmSensitive);
  const now = new Date();
  return db.transaction().execute(async (trx) => {
    const post = await trx
      .insertInto('post')
      .values({ thread_id: thread.id, author_id: actor.id, body_html: body.html, body_text: body.text, quote_post_id: input.quotePostId ?? null, created_at: now, edited_at: null, deleted_at: null, hidden_at: null, hidden_by: null, hidden_reason: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.attachmentIds?.length) await attachToPost(trx, { uploaderId: actor.id, postId: post.id, attachmentIds: input.attachmentIds });
    await holdPost(trx, post.id, held);
    await remember(trx, post.id);
    // Read before any event is written: event writers wait on each other until commit. What every
    // subscriber may see, and the writer's answer.
    const [member, own] = (await loadPostForViewers(trx, post.id, [null, actor]))!;
    const notices = await onReplyCreated(trx, { threadId: thread.id, channelId: thread.channel_id, threadTitle: thread.title, postId: post.id, authorId: actor.id, authorName: actor.displayName, quotePostId: input.quotePostId ?? null, bodyText: body.text });
    // Rows every other reply to this thread (or channel) writes too, locked until commit: as late as
    // possible, and then one append of every event.
    const updated = await trx
      .updateTable('thread')
      .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_activity_at: now, updated_at: now }))
      .where('id', '=', thread.id)
      .returning(['reply_count'])
      .executeTakeFirstOrThrow();
    await channelActive(trx, thread.channel_id, now);
    const counts = { thread: { id: thread.id, replyCount: updated.reply_count, lastActivityAt: now.toISOString() } };
    await appendEvents(trx, [
      ...notices,
      { topic: topics.thread(thread.id), type: 'reply.created', payload: { post: member } },
      { topic: topics.thread(thread.id), type: 'thread.updated', payload: counts },
      { topic: topics.channel(thread.channel_slug), type: 'thread.updated', payload: counts },
    ]);
    return own;
  });
}

/** Edits a post (its author or a moderator); the opening post also takes title and tags. */
export async function editPost(db: Db, actor: Writer, postId: string, input: UpdatePostBody): Promise<{ post: Post; thread?: Thread }> {
  if (input.body === undefined && input.title === undefined && input.tags === undefined && input.question === undefined) throw invalidField('body', 'nothing to change');
  // Clean first: a bad body or title is refused before anything is locked or written.
  const body = input.body !== undefined ? await withMentionLinks(db, cleanBody(input.body)) : null;
  const title = input.title !== undefined ? cleanTitle(input.title) : null;
  const newTags = input.tags !== undefined ? normaliseTags(input.tags) : null;
  const held = checkBeforePublishing([title, input.question, body?.text], input.confirmSensitive);
  const now = new Date();

  return db.transaction().execute(async (trx) => {
    // The row lock serialises concurrent edits, so each revision holds the body it replaced.
    const post = await lockPostForWriting(trx, postId, actor);
    if (!mayEditPost(actor, post.author_id)) throw forbidden('not_author', 'Only the author or a moderator can edit this post.');
    if (!post.is_opening && (title !== null || newTags !== null)) throw invalidField(title !== null ? 'title' : 'tags', 'only the opening post has a title and tags');
    if (input.question !== undefined && !post.is_opening) throw invalidField('question', 'only the opening post of a question has a statement');
    const question = input.question !== undefined ? cleanQuestion(input.question, post.kind) : undefined;

    await trx
      .insertInto('post_revision')
      .values({ post_id: post.id, editor_id: actor.id, title: post.is_opening ? post.title : null, question: post.is_opening ? post.question : null, body_html: post.body_html })
      .execute();
    const changed = [...(body ? ['body'] : []), ...(title !== null ? ['title'] : []), ...(newTags !== null ? ['tags'] : []), ...(question !== undefined ? ['question'] : [])];
    await recordIfModerating(trx, actor, post.author_id, { action: 'edit_post', targetType: 'post', targetId: post.id, data: { threadId: post.thread_id, changed } });
    if (body) await trx.updateTable('post').set({ body_html: body.html, body_text: body.text, edited_at: now }).where('id', '=', post.id).execute();
    else await trx.updateTable('post').set({ edited_at: now }).where('id', '=', post.id).execute();
    if (title !== null || question !== undefined) {
      await trx
        .updateTable('thread')
        .set({ ...(title !== null ? { title } : {}), ...(question !== undefined ? { question } : {}), updated_at: now })
        .where('id', '=', post.thread_id)
        .execute();
    }
    if (newTags !== null) {
      await trx.deleteFrom('thread_tag').where('thread_id', '=', post.thread_id).execute();
      if (newTags.length) await trx.insertInto('thread_tag').values(newTags.map((tag) => ({ thread_id: post.thread_id, tag }))).execute();
    }
    await holdPost(trx, post.id, held);
    // Events last, everything read first. The post as a member sees it (a hidden post's new body is
    // never pushed) and as the editor sees it, for the answer.
    const [member, own] = (await loadPostForViewers(trx, post.id, [null, actor]))!;
    const events: NewEvent[] = [{ topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: member } }];
    // The opening post carries the thread: one read for its events and the editor's answer.
    const written = post.is_opening ? await loadThreadForWriter(trx, post.thread_id, actor) : null;
    if (written) {
      const { summary } = written;
      const payload = { thread: { id: summary.id, title: summary.title, tags: summary.tags, excerpt: summary.excerpt, question: summary.question } };
      events.push({ topic: topics.thread(post.thread_id), type: 'thread.updated', payload }, { topic: topics.channel(post.channel_slug), type: 'thread.updated', payload });
    }
    await appendEvents(trx, events);
    return written ? { post: own, thread: written.thread } : { post: own };
  });
}

/** Deletes a reply (its author or a moderator) or, as a moderator, a whole thread through its opening post. */
export async function deletePost(db: Db, actor: Writer, postId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Locked, so two deletes of one reply decrement the count once.
    const post = await lockPostForWriting(trx, postId, actor);
    const gone = { id: post.thread_id, deleted: true as const };

    if (post.is_opening) {
      // The opening post carries the thread: deleting it removes the whole conversation.
      if (!mayDeleteThread(actor)) throw forbidden('not_allowed', 'Only a moderator can delete a whole thread.');
      // Always audited, even for one's own thread: the whole conversation goes.
      await recordAction(trx, { actorId: actor.id, action: 'delete_thread', targetType: 'thread', targetId: post.thread_id, data: { title: post.title, channel: post.channel_slug, authorId: post.author_id } });
      // The best answer's reference first: a cascade that comes back to the row it deletes fails.
      await trx.updateTable('thread').set({ accepted_post_id: null }).where('id', '=', post.thread_id).execute();
      await trx.deleteFrom('thread').where('id', '=', post.thread_id).execute();
      await threadLeftChannel(trx, post.channel_id);
      await appendEvents(trx, [
        { topic: topics.thread(post.thread_id), type: 'thread.updated', payload: { thread: gone } },
        { topic: topics.channel(post.channel_slug), type: 'thread.updated', payload: { thread: gone } },
      ]);
      return;
    }

    if (!mayEditPost(actor, post.author_id)) throw forbidden('not_author', 'Only the author or a moderator can delete this reply.');
    await recordIfModerating(trx, actor, post.author_id, { action: 'delete_post', targetType: 'post', targetId: post.id, data: { threadId: post.thread_id } });
    await trx.updateTable('post').set({ deleted_at: new Date() }).where('id', '=', post.id).execute();
    await dropAcceptedAnswer(trx, post.id);
    const t = await trx
      .updateTable('thread')
      .set((eb) => ({ reply_count: eb('reply_count', '-', 1), updated_at: new Date() }))
      .where('id', '=', post.thread_id)
      .returning('reply_count')
      .executeTakeFirstOrThrow();
    const counts = { thread: { id: post.thread_id, replyCount: t.reply_count } };
    await appendEvents(trx, [
      { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: { id: post.id, threadId: post.thread_id, deleted: true } } },
      { topic: topics.thread(post.thread_id), type: 'thread.updated', payload: counts },
      { topic: topics.channel(post.channel_slug), type: 'thread.updated', payload: counts },
    ]);
  });
}
