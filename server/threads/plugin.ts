import { topics } from '../../shared/events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams, Page, PageQuery } from '../../shared/schemas/common';
import { CreateReplyBody, CreateThreadBody, Post, Thread, UpdatePostBody } from '../../shared/schemas/forum';
import { hasRole, isModerator, requireWriter } from '../accounts/guards';
import { attachToPost } from '../attachments/attach';
import { getChannelBySlug, threadLeftChannel } from '../channels/queries';
import { normaliseTags, plainText, sanitizeBody } from '../content/sanitize';
import { ApiError, forbidden, invalidField, notFound } from '../http/errors';
import { recordAction, recordIfModerating } from '../moderation/audit';
import { postingLimit } from '../moderation/rate-limits';
import { onReplyCreated, onThreadCreated } from '../notifications/hooks';
import { type NewEvent, appendEvent, appendEvents } from '../realtime/outbox';
import { createIdempotently } from './idempotency';
import { registerThreadTopics } from './live';
import { listReplies, loadPostForViewer, loadPostForViewers, loadThread, loadThreadForWriter, loadThreadPage, loadThreadRow } from './queries';

const tags = ['threads'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody };
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });
const ThreadResponse = Type.Object({
  thread: Thread,
  replies: Page(Post),
  /** Subscribe to thread:<id> with this lastEventId to get every change after this snapshot. */
  lastEventId: Type.String(),
});

function cleanTitle(title: string): string {
  const clean = plainText(title);
  if (!clean) throw invalidField('title', 'must contain text');
  return clean;
}

function cleanBody(body: string) {
  const clean = sanitizeBody(body);
  if (!clean.text && !/<(li|pre|code)/.test(clean.html)) throw invalidField('body', 'must contain text');
  return clean;
}

/** Threads (a Vraag with its Toelichting, or a discussion) and their replies. */
const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;
  registerThreadTopics(app);

  app.post(
    '/api/channels/:slug/threads',
    {
      schema: { tags, summary: 'Start a thread (experts_ask channels: experts, moderators and admins only)', params: SlugParams, body: CreateThreadBody, response: { 201: Type.Object({ thread: Thread }), ...errors } },
      config: { rateLimit: postingLimit(app.config, 'threadsPerHour') },
    },
    async (request, reply) => {
      const user = requireWriter(request);
      const channel = await getChannelBySlug(db, request.params.slug);
      if (channel.posting_policy === 'experts_ask' && !hasRole(user, 'expert')) {
        throw forbidden('experts_only', 'In this channel only experts start new questions; you can reply to them.');
      }
      const replay = async (id: string) => {
        const thread = await loadThread(db, id, user);
        return reply.status(201).send({ thread });
      };
      return createIdempotently(db, request, user.id, 'thread', {
        replay,
        create: async (remember) => {
          const b = request.body;
          const title = cleanTitle(b.title);
          const body = cleanBody(b.body);
          const threadTags = normaliseTags(b.tags);
          const now = new Date();

          const created = await db.transaction().execute(async (trx) => {
            const thread = await trx
              .insertInto('thread')
              .values({ channel_id: channel.id, author_id: user.id, title, kind: b.kind, first_post_id: null, last_activity_at: now, created_at: now })
              .returning('id')
              .executeTakeFirstOrThrow();
            const post = await trx
              .insertInto('post')
              .values({ thread_id: thread.id, author_id: user.id, is_opening: true, body_html: body.html, body_text: body.text, quote_post_id: null, created_at: now, edited_at: null, deleted_at: null, hidden_at: null, hidden_by: null, hidden_reason: null })
              .returning('id')
              .executeTakeFirstOrThrow();
            await trx.updateTable('thread').set({ first_post_id: post.id }).where('id', '=', thread.id).execute();
            if (threadTags.length) await trx.insertInto('thread_tag').values(threadTags.map((tag) => ({ thread_id: thread.id, tag }))).execute();
            if (b.attachmentIds?.length) await attachToPost(trx, { uploaderId: user.id, postId: post.id, attachmentIds: b.attachmentIds });
            await trx
              .updateTable('channel')
              .set((eb) => ({ thread_count: eb('thread_count', '+', 1), last_activity_at: now }))
              .where('id', '=', channel.id)
              .execute();
            await remember(trx, thread.id);
            await onThreadCreated(trx, { threadId: thread.id, channelId: channel.id, channelSlug: channel.slug, authorId: user.id, title, bodyText: body.text });
            // One read for the channel's event and the author's answer.
            const { summary, thread: own } = await loadThreadForWriter(trx, thread.id, user);
            await appendEvent(trx, { topic: topics.channel(channel.slug), type: 'thread.created', payload: { thread: summary } });
            return own;
          });
          return reply.status(201).send({ thread: created });
        },
      });
    },
  );

  app.get(
    '/api/threads/:id',
    { schema: { tags, summary: 'A thread with the first page of replies', params: IdParams, querystring: Type.Pick(PageQuery, ['limit']), response: { 200: ThreadResponse, ...errors } } },
    async (request) => loadThreadPage(db, request.params.id, request.user, request.query.limit ?? 50),
  );

  app.get(
    '/api/threads/:id/replies',
    { schema: { tags, summary: 'Replies, oldest first', params: IdParams, querystring: PageQuery, response: { 200: Page(Post), ...errors } } },
    async (request) => {
      const exists = await db.selectFrom('thread').select('id').where('id', '=', request.params.id).executeTakeFirst();
      if (!exists) throw notFound('thread');
      return listReplies(db, request.params.id, request.user, request.query.limit ?? 50, request.query.cursor);
    },
  );

  app.post(
    '/api/threads/:id/replies',
    {
      schema: { tags, summary: 'Reply to a thread', params: IdParams, body: CreateReplyBody, response: { 201: Type.Object({ post: Post }), ...errors } },
      config: { rateLimit: postingLimit(app.config, 'repliesPerHour') },
    },
    async (request, reply) => {
      const user = requireWriter(request);
      const thread = await loadThreadRow(db, request.params.id);
      if (!thread) throw notFound('thread');
      const replay = async (id: string) => {
        const post = await loadPostForViewer(db, id, user);
        if (!post) throw notFound('post'); // the first result was deleted since
        return reply.status(201).send({ post });
      };
      return createIdempotently(db, request, user.id, 'post', {
        replay,
        create: async (remember) => {
          // After the retry check: a reply that got through before a moderator locked the thread is still answered.
          if (thread.locked && !isModerator(user)) throw new ApiError(403, 'thread_locked', 'This thread is closed for new replies.');
          const b = request.body;
          if (b.quotePostId) {
            const quoted = await db.selectFrom('post').select('id').where('id', '=', b.quotePostId).where('thread_id', '=', thread.id).where('deleted_at', 'is', null).executeTakeFirst();
            if (!quoted) throw invalidField('quotePostId', 'is not a post in this thread');
          }
          const body = cleanBody(b.body);
          const now = new Date();
          const created = await db.transaction().execute(async (trx) => {
            const post = await trx
              .insertInto('post')
              .values({ thread_id: thread.id, author_id: user.id, body_html: body.html, body_text: body.text, quote_post_id: b.quotePostId ?? null, created_at: now, edited_at: null, deleted_at: null, hidden_at: null, hidden_by: null, hidden_reason: null })
              .returning('id')
              .executeTakeFirstOrThrow();
            if (b.attachmentIds?.length) await attachToPost(trx, { uploaderId: user.id, postId: post.id, attachmentIds: b.attachmentIds });
            const updated = await trx
              .updateTable('thread')
              .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_activity_at: now, updated_at: now }))
              .where('id', '=', thread.id)
              .returning(['reply_count'])
              .executeTakeFirstOrThrow();
            await trx.updateTable('channel').set({ last_activity_at: now }).where('id', '=', thread.channel_id).execute();
            await remember(trx, post.id);
            // Read before any event is written: event writers wait on each other until commit. What every
            // subscriber may see, and the writer's answer.
            const [member, own] = (await loadPostForViewers(trx, post.id, [null, user]))!;
            await onReplyCreated(trx, { threadId: thread.id, channelId: thread.channel_id, threadTitle: thread.title, postId: post.id, authorId: user.id, authorName: user.displayName, quotePostId: b.quotePostId ?? null, bodyText: body.text });
            const counts = { thread: { id: thread.id, replyCount: updated.reply_count, lastActivityAt: now.toISOString() } };
            await appendEvents(trx, [
              { topic: topics.thread(thread.id), type: 'reply.created', payload: { post: member } },
              { topic: topics.thread(thread.id), type: 'thread.updated', payload: counts },
              { topic: topics.channel(thread.channel_slug), type: 'thread.updated', payload: counts },
            ]);
            return own;
          });
          return reply.status(201).send({ post: created });
        },
      });
    },
  );

  app.patch(
    '/api/posts/:id',
    { schema: { tags, summary: 'Edit a post (author or moderator); the opening post also takes title and tags', params: IdParams, body: UpdatePostBody, response: { 200: Type.Object({ post: Post, thread: Type.Optional(Thread) }), ...errors } } },
    async (request) => {
      const user = requireWriter(request);
      const b = request.body;
      if (b.body === undefined && b.title === undefined && b.tags === undefined) throw invalidField('body', 'nothing to change');
      // Clean first: a bad body or title is refused before anything is locked or written.
      const body = b.body !== undefined ? cleanBody(b.body) : null;
      const title = b.title !== undefined ? cleanTitle(b.title) : null;
      const newTags = b.tags !== undefined ? normaliseTags(b.tags) : null;
      const now = new Date();

      const edited = await db.transaction().execute(async (trx) => {
        // The row lock serialises concurrent edits, so each revision holds the body it replaced. NO KEY
        // UPDATE: a reply quoting this post (a foreign-key share lock) does not wait for it.
        const post = await trx
          .selectFrom('post as p')
          .innerJoin('thread as t', 't.id', 'p.thread_id')
          .innerJoin('channel as c', 'c.id', 't.channel_id')
          .select(['p.id', 'p.author_id', 'p.is_opening', 'p.body_html', 'p.thread_id', 't.title', 'c.slug as channel_slug'])
          .where('p.id', '=', request.params.id)
          .where('p.deleted_at', 'is', null)
          .forNoKeyUpdate('p')
          .executeTakeFirst();
        if (!post) throw notFound('post');
        if (post.author_id !== user.id && !isModerator(user)) throw forbidden('not_author', 'Only the author or a moderator can edit this post.');
        if (!post.is_opening && (title !== null || newTags !== null)) throw invalidField(title !== null ? 'title' : 'tags', 'only the opening post has a title and tags');

        await trx.insertInto('post_revision').values({ post_id: post.id, editor_id: user.id, title: post.is_opening ? post.title : null, body_html: post.body_html }).execute();
        const changed = [...(body ? ['body'] : []), ...(title !== null ? ['title'] : []), ...(newTags !== null ? ['tags'] : [])];
        await recordIfModerating(trx, user, post.author_id, { action: 'edit_post', targetType: 'post', targetId: post.id, data: { threadId: post.thread_id, changed } });
        if (body) await trx.updateTable('post').set({ body_html: body.html, body_text: body.text, edited_at: now }).where('id', '=', post.id).execute();
        else await trx.updateTable('post').set({ edited_at: now }).where('id', '=', post.id).execute();
        if (title !== null) await trx.updateTable('thread').set({ title, updated_at: now }).where('id', '=', post.thread_id).execute();
        if (newTags !== null) {
          await trx.deleteFrom('thread_tag').where('thread_id', '=', post.thread_id).execute();
          if (newTags.length) await trx.insertInto('thread_tag').values(newTags.map((tag) => ({ thread_id: post.thread_id, tag }))).execute();
        }
        // Events last, everything read first. The post as a member sees it (a hidden post's new body is
        // never pushed) and as the editor sees it, for the answer.
        const [member, own] = (await loadPostForViewers(trx, post.id, [null, user]))!;
        const events: NewEvent[] = [{ topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: member } }];
        // The opening post carries the thread: one read for its events and the editor's answer.
        const written = post.is_opening ? await loadThreadForWriter(trx, post.thread_id, user) : null;
        if (written) {
          const { summary } = written;
          const payload = { thread: { id: summary.id, title: summary.title, tags: summary.tags, excerpt: summary.excerpt } };
          events.push({ topic: topics.thread(post.thread_id), type: 'thread.updated', payload }, { topic: topics.channel(post.channel_slug), type: 'thread.updated', payload });
        }
        await appendEvents(trx, events);
        return { own, thread: written?.thread };
      });
      return edited.thread ? { post: edited.own, thread: edited.thread } : { post: edited.own };
    },
  );

  app.delete(
    '/api/posts/:id',
    { schema: { tags, summary: 'Delete a reply (author or moderator) or, as moderator, a whole thread via its opening post', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const user = requireWriter(request);
      await db.transaction().execute(async (trx) => {
        // Locked, so two deletes of one reply decrement the count once.
        const post = await trx
          .selectFrom('post as p')
          .innerJoin('thread as t', 't.id', 'p.thread_id')
          .innerJoin('channel as c', 'c.id', 't.channel_id')
          .select(['p.id', 'p.author_id', 'p.is_opening', 'p.thread_id', 't.channel_id', 't.title', 'c.slug as channel_slug'])
          .where('p.id', '=', request.params.id)
          .where('p.deleted_at', 'is', null)
          .forNoKeyUpdate('p')
          .executeTakeFirst();
        if (!post) throw notFound('post');
        const gone = { id: post.thread_id, deleted: true as const };

        if (post.is_opening) {
          // The opening post carries the thread: deleting it removes the whole conversation.
          if (!isModerator(user)) throw forbidden('not_allowed', 'Only a moderator can delete a whole thread.');
          // Always audited, even for one's own thread: the whole conversation goes.
          await recordAction(trx, { actorId: user.id, action: 'delete_thread', targetType: 'thread', targetId: post.thread_id, data: { title: post.title, channel: post.channel_slug, authorId: post.author_id } });
          await trx.deleteFrom('thread').where('id', '=', post.thread_id).execute();
          await threadLeftChannel(trx, post.channel_id);
          await appendEvents(trx, [
            { topic: topics.thread(post.thread_id), type: 'thread.updated', payload: { thread: gone } },
            { topic: topics.channel(post.channel_slug), type: 'thread.updated', payload: { thread: gone } },
          ]);
          return;
        }

        if (post.author_id !== user.id && !isModerator(user)) throw forbidden('not_author', 'Only the author or a moderator can delete this reply.');
        await recordIfModerating(trx, user, post.author_id, { action: 'delete_post', targetType: 'post', targetId: post.id, data: { threadId: post.thread_id } });
        await trx.updateTable('post').set({ deleted_at: new Date() }).where('id', '=', post.id).execute();
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
      return reply.status(204).send(null);
    },
  );
};

export default threadRoutes;
