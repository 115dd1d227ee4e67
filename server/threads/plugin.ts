
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams, Page, PageQuery } from '../../shared/schemas/common';
import { AcceptAnswerBody, Contributions, CreateReplyBody, CreateThreadBody, MarkReadBody, Post, Reading, Thread, UpdatePostBody } from '../../shared/schemas/forum';
import { SensitiveDataError } from '../../shared/schemas/guardrail';
import { requireUser, requireWriter } from '../accounts/guards';
import { getVisibleChannel } from '../channels/queries';
import { notFound } from '../http/errors';
import { postingLimit } from '../http/posting-limits';
import { createIdempotently } from './idempotency';
import { registerThreadTopics } from './live';
import { acceptAnswer, clearAcceptedAnswer } from './answers';
import { contributionsOf, setAppreciation } from './appreciation';
import { deletePost, editPost, replyToThread, startThread } from './posting';
import { sendPage } from '../page-cache/plugin';
import { readRepliesPage, readThreadPage } from './page';
import { loadPostForViewer, loadThread, loadThreadRow, requireVisibleThread } from './queries';
import { markRead } from './viewer';

const tags = ['threads'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: SensitiveDataError, 429: ErrorBody };
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });
const ThreadResponse = Type.Object({
  thread: Thread,
  replies: Page(Post),
  /** Subscribe to thread:<id> with this lastEventId to get every change after this snapshot. */
  lastEventId: Type.String(),
  /** Signed-in readers: the last post they read here (the "Nieuw sinds je laatste bezoek" divider). */
  reading: Type.Optional(Reading),
});
const AppreciationResponse = Type.Object({ postId: Type.String(), appreciationCount: Type.Integer(), myAppreciation: Type.Boolean() });

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
      const channel = await getVisibleChannel(db, user, request.params.slug);
      const thread = await createIdempotently(db, request, user.id, 'thread', {
        replay: (id) => loadThread(db, id, user),
        create: (remember) => startThread(db, user, channel, request.body, remember),
      });
      return reply.status(201).send({ thread });
    },
  );

  app.get(
    '/api/threads/:id',
    { schema: { tags, summary: 'A thread with the first page of replies (ETag; If-None-Match → 304)', params: IdParams, querystring: Type.Pick(PageQuery, ['limit']), response: { 200: ThreadResponse, 304: Type.Null(), ...errors } } },
    // The page as a visitor sees it (cached), then what is the reader's own (threads/page.ts overlays).
    async (request, reply) => sendPage(request, reply, await readThreadPage(db, app.pageCache, request.user, request.params.id, request.query.limit ?? 50)),
  );

  app.get(
    '/api/threads/:id/replies',
    { schema: { tags, summary: 'Replies, oldest first (ETag; If-None-Match → 304)', params: IdParams, querystring: PageQuery, response: { 200: Page(Post), 304: Type.Null(), ...errors } } },
    async (request, reply) =>
      sendPage(request, reply, await readRepliesPage(db, app.pageCache, request.user, request.params.id, request.query.limit ?? 50, request.query.cursor, () => String(app.realtime.lastDeliveredId ?? 0))),
  );

  app.post(
    '/api/threads/:id/replies',
    {
      schema: { tags, summary: 'Reply to a thread', params: IdParams, body: CreateReplyBody, response: { 201: Type.Object({ post: Post }), ...errors } },
      config: { rateLimit: postingLimit(app.config, 'repliesPerHour') },
    },
    async (request, reply) => {
      const user = requireWriter(request);
      const thread = requireVisibleThread(user, await loadThreadRow(db, request.params.id));
      const post = await createIdempotently(db, request, user.id, 'post', {
        replay: async (id) => {
          const post = await loadPostForViewer(db, id, user);
          if (!post) throw notFound('post'); // the first result was deleted since
          return post;
        },
        create: (remember) => replyToThread(db, user, thread, request.body, remember),
      });
      return reply.status(201).send({ post });
    },
  );

  app.patch(
    '/api/posts/:id',
    { schema: { tags, summary: 'Edit a post (author or moderator); the opening post also takes title and tags', params: IdParams, body: UpdatePostBody, response: { 200: Type.Object({ post: Post, thread: Type.Optional(Thread) }), ...errors } } },
    async (request) => editPost(db, requireWriter(request), request.params.id, request.body),
  );

  app.delete(
    '/api/posts/:id',
    { schema: { tags, summary: 'Delete a reply (author or moderator) or, as moderator, a whole thread via its opening post', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await deletePost(db, requireWriter(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/threads/:id/accepted-answer',
    { schema: { tags, summary: 'Mark a reply as the best answer (the asker, an expert or a moderator)', params: IdParams, body: AcceptAnswerBody, response: { 200: Type.Object({ thread: Thread }), ...errors } } },
    async (request) => ({ thread: await acceptAnswer(db, requireWriter(request), request.params.id, request.body.postId) }),
  );

  app.delete(
    '/api/threads/:id/accepted-answer',
    { schema: { tags, summary: 'Clear the best answer (the asker, an expert or a moderator)', params: IdParams, response: { 200: Type.Object({ thread: Thread }), ...errors } } },
    async (request) => ({ thread: await clearAcceptedAnswer(db, requireWriter(request), request.params.id) }),
  );

  app.put(
    '/api/posts/:id/appreciation',
    { schema: { tags, summary: 'Mark a post "nuttig" (not one\'s own: 409)', params: IdParams, response: { 200: AppreciationResponse, ...errors } } },
    async (request) => setAppreciation(db, requireWriter(request), request.params.id, true),
  );

  app.delete(
    '/api/posts/:id/appreciation',
    { schema: { tags, summary: 'Take back "nuttig"', params: IdParams, response: { 200: AppreciationResponse, ...errors } } },
    async (request) => setAppreciation(db, requireWriter(request), request.params.id, false),
  );

  app.get(
    '/api/users/:id/contributions',
    { schema: { tags, summary: 'What a member contributed: threads, replies, best answers, "nuttig" received', params: IdParams, response: { 200: Type.Object({ contributions: Contributions }), ...errors } } },
    async (request) => ({ contributions: await contributionsOf(db, request.user, request.params.id) }),
  );

  app.put(
    '/api/threads/:id/read',
    { schema: { tags, summary: 'Remember the last post I read in this thread (only moves forward)', params: IdParams, body: MarkReadBody, response: { 200: Type.Object({ reading: Reading }), ...errors } } },
    async (request) => ({ reading: await markRead(db, requireUser(request), request.params.id, request.body.postId) }),
  );
};

export default threadRoutes;
