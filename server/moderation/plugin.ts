import { topics } from '../../shared/events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams, Page } from '../../shared/schemas/common';
import { Post, Thread } from '../../shared/schemas/forum';
import {
  AuditEntry,
  AuditQuery,
  HideBody,
  MoveBody,
  NewReport,
  ReportBody,
  ReportGroup,
  ReportQueueQuery,
  ResolveBody,
  Revision,
  SuspendBody,
  ThreadActionBody,
} from '../../shared/schemas/moderation';
import { requireRole, requireWriter } from '../accounts/guards';
import { mayReadModerationTopic } from '../policy';
import { listRevisions } from '../threads/queries';
import { FLAGS, type ThreadFlag, flagThread, hide, moveThreadTo, unhide } from './actions';
import { listAuditLog } from './audit';
import { openModerationCount } from './alerts';
import { decideHeldPost, listHeldPosts } from './held';
import { HeldDecisionBody, HeldPost } from '../../shared/schemas/guardrail';
import { createReport, listReportQueue, resolveReports } from './reports';
import { suspendMember, unsuspendMember } from './suspensions';
import { postingLimit } from '../http/posting-limits';

const tags = ['moderation'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/** Pin, lock, move, hide, reports, suspensions and the audit log. Moderators and admins only, except reporting. */
const moderationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // mod: reports and moderator actions, for moderators and admins who are not suspended.
  app.realtime.topic('mod', async (viewer, key) => (key === '' && mayReadModerationTopic(viewer) ? topics.mod : null));
  // A replayed count is the count of now (only the newest one is worth sending).
  app.realtime.presenter('moderation.count', async (db, _viewer, events) => {
    const openCount = await openModerationCount(db);
    return events.map((_e, i) => (i === events.length - 1 ? { openCount } : null));
  });
  const db = app.db;

  for (const flag of Object.keys(FLAGS) as ThreadFlag[]) {
    app.post(
      `/api/threads/:id/${flag}`,
      { schema: { tags, summary: `${flag[0].toUpperCase()}${flag.slice(1)} a thread (moderator)`, params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: Type.Object({ thread: Thread }), ...errors } } },
      async (request) => ({ thread: await flagThread(db, requireRole(request, 'moderator'), request.params.id, flag, request.body?.reason) }),
    );
  }

  app.post(
    '/api/threads/:id/move',
    { schema: { tags, summary: 'Move a thread to another channel (moderator)', params: IdParams, body: MoveBody, response: { 200: Type.Object({ thread: Thread }), ...errors } } },
    async (request) => ({ thread: await moveThreadTo(db, requireRole(request, 'moderator'), request.params.id, request.body.channelSlug, request.body.reason) }),
  );

  app.post(
    '/api/posts/:id/hide',
    { schema: { tags, summary: 'Hide a post with a reason (moderator)', params: IdParams, body: HideBody, response: { 200: Type.Object({ post: Post }), ...errors } } },
    async (request) => ({ post: await hide(db, requireRole(request, 'moderator'), request.params.id, request.body.reason) }),
  );

  app.post(
    '/api/posts/:id/unhide',
    { schema: { tags, summary: 'Show a hidden post again (moderator)', params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: Type.Object({ post: Post }), ...errors } } },
    async (request) => ({ post: await unhide(db, requireRole(request, 'moderator'), request.params.id, request.body?.reason) }),
  );

  app.get(
    '/api/posts/:id/revisions',
    { schema: { tags, summary: 'Edit history of a post (everyone; revisions from before a hide: moderators)', params: IdParams, response: { 200: Type.Object({ items: Type.Array(Revision) }), ...errors } } },
    async (request) => ({ items: await listRevisions(db, request.user, request.params.id) }),
  );

  app.post(
    '/api/reports',
    {
      schema: { tags, summary: 'Report a post to the moderators', body: ReportBody, response: { 201: Type.Object({ report: NewReport }), ...errors } },
      config: { rateLimit: postingLimit(app.config, 'reportsPerHour') },
    },
    async (request, reply) => {
      const report = await createReport(db, requireWriter(request), request.body);
      return reply.status(201).send({ report });
    },
  );

  app.get(
    '/api/mod/reports',
    {
      schema: {
        tags,
        summary: 'Open reports grouped per post, the longest waiting first; keyset pagination (moderator)',
        querystring: ReportQueueQuery,
        response: { 200: Page(ReportGroup), ...errors },
      },
    },
    async (request) => listReportQueue(db, requireRole(request, 'moderator'), request.query),
  );

  app.post(
    '/api/mod/reports/:id/resolve',
    { schema: { tags, summary: 'Resolve every open report on the post: hide it, dismiss, or suspend its author (moderator)', params: IdParams, body: ResolveBody, response: { 200: Type.Object({ resolved: Type.Integer() }), ...errors } } },
    async (request) => ({ resolved: await resolveReports(db, requireRole(request, 'moderator'), request.params.id, request.body) }),
  );

  const UserResult = Type.Object({ user: Type.Object({ id: Type.String(), suspendedUntil: Type.Union([Type.String(), Type.Null()]), suspensionReason: Type.Union([Type.String(), Type.Null()]) }) });

  app.post(
    '/api/mod/users/:id/suspend',
    { schema: { tags, summary: 'Suspend a member until a date (moderator)', params: IdParams, body: SuspendBody, response: { 200: UserResult, ...errors } } },
    async (request) => ({ user: await suspendMember(db, requireRole(request, 'moderator'), request.params.id, request.body.until, request.body.reason) }),
  );

  app.post(
    '/api/mod/users/:id/unsuspend',
    { schema: { tags, summary: 'Lift a suspension (moderator)', params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: UserResult, ...errors } } },
    async (request) => ({ user: await unsuspendMember(db, requireRole(request, 'moderator'), request.params.id, request.body?.reason) }),
  );

  app.get(
    '/api/mod/held-posts',
    { schema: { tags, summary: 'Posts held by the client-data guardrail, the longest waiting first (moderator)', querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }), response: { 200: Page(HeldPost), ...errors } } },
    async (request) => listHeldPosts(db, requireRole(request, 'moderator'), request.query),
  );

  app.post(
    '/api/mod/held-posts/:id/decision',
    { schema: { tags, summary: 'Approve (show) or remove a held post; its writer is told (moderator)', params: IdParams, body: HeldDecisionBody, response: { 200: Type.Object({ decision: Type.String() }), ...errors } } },
    async (request) => {
      await decideHeldPost(db, requireRole(request, 'moderator'), request.params.id, request.body.decision);
      return { decision: request.body.decision };
    },
  );

  app.get(
    '/api/mod/count',
    { schema: { tags, summary: 'How many report groups and held posts wait for a decision (moderator)', response: { 200: Type.Object({ openCount: Type.Integer() }), ...errors } } },
    async (request) => {
      requireRole(request, 'moderator');
      return { openCount: await openModerationCount(db) };
    },
  );

  app.get(
    '/api/mod/audit-log',
    { schema: { tags, summary: 'The audit log, newest first, filterable (moderator). There is no route to change it.', querystring: AuditQuery, response: { 200: Page(AuditEntry), ...errors } } },
    async (request) => listAuditLog(db, requireRole(request, 'moderator'), request.query),
  );
};

export default moderationRoutes;
