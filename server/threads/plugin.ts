
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams, Page, PageQuery } from '../../shared/schemas/common';
import { CreateReplyBody, CreateThreadBody, Post, Thread, UpdatePostBody } from '../../shared/schemas/forum';
import { requireWriter } from '../accounts/guards';
import { getVisibleChannel } from '../channels/queries';
import { notFound } from '../http/errors';
import { postingLimit } from '../http/posting-limits';
import { createIdempotently } from './idempotency';
import { registerThreadTopics } from './live';
import { deletePost, editPost, replyToThread, startThread } from './posting';
import { listReplies, loadPostForViewer, loadThread, loadThreadPage, loadThreadRow, requireVisibleThread } from './queries';

const tags = ['threads'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody };
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });
const ThreadResponse = Type.Object({
  thread: Thread,
  replies: Page(Post),
  /** Subscribe to thread:<id> with this lastEventId to get every change after this snapshot. */
  lastEventId: Type.String(),
});

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
    { schema: { tags, summary: 'A thread with the first page of replies', params: IdParams, querystring: Type.Pick(PageQuery, ['limit']), response: { 200: ThreadResponse, ...errors } } },
    async (request) => loadThreadPage(db, request.params.id, request.user, request.query.limit ?? 50),
  );

  app.get(
    '/api/threads/:id/replies',
    { schema: { tags, summary: 'Replies, oldest first', params: IdParams, querystring: PageQuery, response: { 200: Page(Post), ...errors } } },
    async (request) => listReplies(db, request.params.id, request.user, request.query.limit ?? 50, request.query.cursor),
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
};

export default threadRoutes;
