import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { type Transaction, sql } from 'kysely';
import { ErrorBody, IdParams } from '../../shared/schemas/common';
import { Post, Thread } from '../../shared/schemas/forum';
import {
  AuditEntry,
  AuditQuery,
  HideBody,
  MoveBody,
  ReportBody,
  ReportGroup,
  ResolveBody,
  Revision,
  SuspendBody,
  ThreadActionBody,
} from '../../shared/schemas/moderation';
import { hasRole, requireRole, requireWriter } from '../accounts/guards';
import { toAuthor } from '../accounts/present';
import { isUniqueViolation } from '../accounts/users';
import { getChannelBySlug } from '../channels/queries';
import { excerpt } from '../content/sanitize';
import type { Database } from '../db/schema';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { conflict, forbidden, invalidField, notFound } from '../http/errors';
import { notify } from '../notifications/notify';
import { appendEvent } from '../realtime/outbox';
import { loadPostForViewer, loadPostRow, loadThread, loadThreadSummary, presentPost } from '../threads/queries';
import { recordAction } from './audit';
import { postingLimit } from './rate-limits';

const tags = ['moderation'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const authorCols = ['u.id', 'u.display_name', 'u.job_title', 'u.organisation', 'u.role', 'u.avatar_key'] as const;

type ThreadFlag = 'pin' | 'unpin' | 'lock' | 'unlock';
const FLAGS: Record<ThreadFlag, { pinned?: boolean; locked?: boolean }> = {
  pin: { pinned: true },
  unpin: { pinned: false },
  lock: { locked: true },
  unlock: { locked: false },
};

/** Pin, lock, move, hide, reports, suspensions and the audit log. Moderators and admins only, except reporting. */
const moderationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;

  async function threadWithChannel(id: string) {
    const row = await db
      .selectFrom('thread as t')
      .innerJoin('channel as c', 'c.id', 't.channel_id')
      .select(['t.id', 't.channel_id', 'c.slug', 't.pinned', 't.locked', 't.last_activity_at'])
      .where('t.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('thread');
    return row;
  }

  async function pushThreadUpdate(trx: Transaction<Database>, threadId: string, slugs: string[], fields: Record<string, unknown>) {
    const payload = { thread: { id: threadId, ...fields } };
    await appendEvent(trx, { topic: `thread:${threadId}`, type: 'thread.updated', payload });
    for (const slug of slugs) await appendEvent(trx, { topic: `channel:${slug}`, type: 'thread.updated', payload });
  }

  for (const flag of Object.keys(FLAGS) as ThreadFlag[]) {
    app.post(
      `/api/threads/:id/${flag}`,
      { schema: { tags, summary: `${flag[0].toUpperCase()}${flag.slice(1)} a thread (moderator)`, params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: Type.Object({ thread: Thread }), ...errors } } },
      async (request) => {
        const mod = requireRole(request, 'moderator');
        const thread = await threadWithChannel(request.params.id);
        const change = FLAGS[flag];
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('thread').set({ ...change, updated_at: new Date() }).where('id', '=', thread.id).execute();
          await recordAction(trx, { actorId: mod.id, action: flag, targetType: 'thread', targetId: thread.id, reason: request.body?.reason });
          await pushThreadUpdate(trx, thread.id, [thread.slug], change);
        });
        return { thread: await loadThread(db, thread.id, mod) };
      },
    );
  }

  app.post(
    '/api/threads/:id/move',
    { schema: { tags, summary: 'Move a thread to another channel (moderator)', params: IdParams, body: MoveBody, response: { 200: Type.Object({ thread: Thread }), ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      const thread = await threadWithChannel(request.params.id);
      const target = await getChannelBySlug(db, request.body.channelSlug);
      if (target.id !== thread.channel_id) {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('thread').set({ channel_id: target.id, updated_at: new Date() }).where('id', '=', thread.id).execute();
          await trx.updateTable('channel').set((eb) => ({ thread_count: eb('thread_count', '-', 1) })).where('id', '=', thread.channel_id).execute();
          await trx
            .updateTable('channel')
            .set((eb) => ({ thread_count: eb('thread_count', '+', 1), last_activity_at: sql`greatest(last_activity_at, ${thread.last_activity_at})` }))
            .where('id', '=', target.id)
            .execute();
          await recordAction(trx, { actorId: mod.id, action: 'move', targetType: 'thread', targetId: thread.id, reason: request.body.reason, data: { from: thread.slug, to: target.slug } });
          await pushThreadUpdate(trx, thread.id, [thread.slug], { channelSlug: target.slug, moved: true });
          await appendEvent(trx, { topic: `channel:${target.slug}`, type: 'thread.created', payload: { thread: await loadThreadSummary(trx, thread.id) } });
        });
      }
      return { thread: await loadThread(db, thread.id, mod) };
    },
  );

  async function hidePost(trx: Transaction<Database>, actorId: string, postId: string, reason: string) {
    const post = await trx
      .selectFrom('post as p')
      .innerJoin('thread as t', 't.id', 'p.thread_id')
      .select(['p.id', 'p.thread_id', 'p.author_id', 'p.hidden_at', 't.title'])
      .where('p.id', '=', postId)
      .where('p.deleted_at', 'is', null)
      .executeTakeFirst();
    if (!post) throw notFound('post');
    await trx.updateTable('post').set({ hidden_at: new Date(), hidden_by: actorId, hidden_reason: reason }).where('id', '=', post.id).execute();
    await recordAction(trx, { actorId, action: 'hide', targetType: 'post', targetId: post.id, reason });
    // What readers get: the fact, never the content.
    await appendEvent(trx, { topic: `thread:${post.thread_id}`, type: 'post.hidden', payload: { post: { id: post.id, threadId: post.thread_id, hidden: true, body: '', attachments: [] } } });
    await notify(trx, { userId: post.author_id, kind: 'post_hidden', threadId: post.thread_id, postId: post.id, actorId, data: { reason, threadTitle: post.title } });
    return post;
  }

  app.post(
    '/api/posts/:id/hide',
    { schema: { tags, summary: 'Hide a post with a reason (moderator)', params: IdParams, body: HideBody, response: { 200: Type.Object({ post: Post }), ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      await db.transaction().execute((trx) => hidePost(trx, mod.id, request.params.id, request.body.reason.trim()));
      return { post: (await loadPostForViewer(db, request.params.id, mod))! };
    },
  );

  app.post(
    '/api/posts/:id/unhide',
    { schema: { tags, summary: 'Show a hidden post again (moderator)', params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: Type.Object({ post: Post }), ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      const row = await loadPostRow(db, request.params.id);
      if (!row) throw notFound('post');
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('post').set({ hidden_at: null, hidden_by: null, hidden_reason: null }).where('id', '=', row.id).execute();
        await recordAction(trx, { actorId: mod.id, action: 'unhide', targetType: 'post', targetId: row.id, reason: request.body?.reason });
        await appendEvent(trx, { topic: `thread:${row.thread_id}`, type: 'post.updated', payload: { post: presentPost({ ...row, hidden_at: null, hidden_reason: null }, null) } });
      });
      return { post: (await loadPostForViewer(db, row.id, mod))! };
    },
  );

  app.get(
    '/api/posts/:id/revisions',
    { schema: { tags, summary: 'Edit history of a post (moderator)', params: IdParams, response: { 200: Type.Object({ items: Type.Array(Revision) }), ...errors } } },
    async (request) => {
      requireRole(request, 'moderator');
      const exists = await db.selectFrom('post').select('id').where('id', '=', request.params.id).executeTakeFirst();
      if (!exists) throw notFound('post');
      const rows = await db
        .selectFrom('post_revision as r')
        .innerJoin('user as u', 'u.id', 'r.editor_id')
        .select(['r.id as rid', 'r.title', 'r.body_html', 'r.created_at', ...authorCols])
        .where('r.post_id', '=', request.params.id)
        .orderBy('r.id', 'desc')
        .execute();
      return { items: rows.map((r) => ({ id: r.rid, editor: toAuthor(r), title: r.title, body: r.body_html, createdAt: r.created_at.toISOString() })) };
    },
  );

  app.post(
    '/api/reports',
    {
      schema: { tags, summary: 'Report a post to the moderators', body: ReportBody, response: { 201: Type.Object({ report: Type.Object({ id: Type.String(), postId: Type.String(), reason: Type.String(), status: Type.String() }) }), ...errors } },
      config: { rateLimit: postingLimit(app.config, 'reportsPerHour') },
    },
    async (request, reply) => {
      const user = requireWriter(request);
      const post = await db.selectFrom('post').select(['id', 'author_id']).where('id', '=', request.body.postId).where('deleted_at', 'is', null).executeTakeFirst();
      if (!post) throw notFound('post');
      if (post.author_id === user.id) throw conflict('own_post', 'You cannot report your own post.');
      try {
        const report = await db
          .insertInto('report')
          .values({ post_id: post.id, reporter_id: user.id, reason: request.body.reason.trim(), resolution: null, resolved_by: null, resolved_at: null })
          .returning(['id', 'post_id', 'reason', 'status'])
          .executeTakeFirstOrThrow();
        reply.status(201);
        return { report: { id: report.id, postId: report.post_id, reason: report.reason, status: report.status } };
      } catch (err) {
        if (isUniqueViolation(err, 'report_open_once_idx')) throw conflict('already_reported', 'You already reported this post.');
        throw err;
      }
    },
  );

  app.get(
    '/api/mod/reports',
    { schema: { tags, summary: 'Open reports, grouped per post (moderator)', querystring: Type.Object({ status: Type.Optional(Type.Literal('open')) }), response: { 200: Type.Object({ items: Type.Array(ReportGroup) }), ...errors } } },
    async (request) => {
      requireRole(request, 'moderator');
      const rows = await db
        .selectFrom('report as r')
        .innerJoin('user as u', 'u.id', 'r.reporter_id')
        .innerJoin('post as p', 'p.id', 'r.post_id')
        .innerJoin('thread as t', 't.id', 'p.thread_id')
        .innerJoin('user as a', 'a.id', 'p.author_id')
        .select([
          'r.id as report_id', 'r.reason', 'r.created_at', 'p.id as post_id', 'p.thread_id', 'p.body_text', 'p.hidden_at', 't.title',
          ...authorCols,
          'a.id as a_id', 'a.display_name as a_display_name', 'a.job_title as a_job_title', 'a.organisation as a_organisation', 'a.role as a_role', 'a.avatar_key as a_avatar_key',
        ])
        .where('r.status', '=', 'open')
        .orderBy('r.created_at')
        .orderBy('r.id')
        .limit(1000)
        .execute();
      const groups = new Map<string, ReportGroup>();
      for (const r of rows) {
        let g = groups.get(r.post_id);
        if (!g) {
          g = {
            reportId: r.report_id,
            count: 0,
            post: {
              id: r.post_id,
              threadId: r.thread_id,
              threadTitle: r.title,
              excerpt: excerpt(r.body_text, 300),
              author: toAuthor({ id: r.a_id, display_name: r.a_display_name, job_title: r.a_job_title, organisation: r.a_organisation, role: r.a_role, avatar_key: r.a_avatar_key }),
              hidden: r.hidden_at !== null,
            },
            reports: [],
          };
          groups.set(r.post_id, g);
        }
        g.count++;
        g.reports.push({ id: r.report_id, reason: r.reason, reporter: toAuthor(r), createdAt: r.created_at.toISOString() });
      }
      // Most reported first, then oldest.
      return { items: [...groups.values()].sort((a, b) => b.count - a.count) };
    },
  );

  app.post(
    '/api/mod/reports/:id/resolve',
    { schema: { tags, summary: 'Resolve every open report on the post: hide it, dismiss, or suspend its author (moderator)', params: IdParams, body: ResolveBody, response: { 200: Type.Object({ resolved: Type.Integer() }), ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      const report = await db.selectFrom('report').select(['id', 'post_id', 'status']).where('id', '=', request.params.id).executeTakeFirst();
      if (!report) throw notFound('report');
      if (report.status !== 'open') throw conflict('already_resolved', 'This report was already resolved.');
      const { resolution } = request.body;
      const reason = request.body.reason?.trim() ?? '';
      if (resolution === 'hide' && !reason) throw invalidField('reason', 'is required to hide a post');
      if (resolution === 'suspend' && (!request.body.until || !reason)) throw invalidField(!reason ? 'reason' : 'until', 'is required to suspend');
      const resolved = await db.transaction().execute(async (trx) => {
        const post = await trx.selectFrom('post').select(['id', 'author_id']).where('id', '=', report.post_id).executeTakeFirstOrThrow();
        if (resolution === 'hide') await hidePost(trx, mod.id, post.id, reason);
        if (resolution === 'suspend') await suspend(trx, mod, post.author_id, request.body.until!, reason);
        const rows = await trx
          .updateTable('report')
          .set({ status: 'resolved', resolution, resolved_by: mod.id, resolved_at: new Date() })
          .where('post_id', '=', report.post_id)
          .where('status', '=', 'open')
          .returning('id')
          .execute();
        await recordAction(trx, { actorId: mod.id, action: `resolve_reports_${resolution}`, targetType: 'post', targetId: report.post_id, reason, data: { reports: rows.map((r) => r.id) } });
        return rows.length;
      });
      return { resolved };
    },
  );

  async function suspend(trx: Transaction<Database>, mod: { id: string; role: string }, userId: string, until: string, reason: string) {
    const target = await trx.selectFrom('user').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
    if (!target) throw notFound('user');
    if (target.id === mod.id) throw forbidden('forbidden', 'You cannot suspend yourself.');
    if (hasRole({ role: target.role }, 'moderator') && mod.role !== 'admin') throw forbidden('forbidden', 'Only an admin can suspend moderators and admins.');
    if (target.role === 'admin') throw forbidden('forbidden', 'Admins cannot be suspended.');
    const date = new Date(until);
    if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) throw invalidField('until', 'must be in the future');
    await trx.updateTable('user').set({ suspended_until: date, suspension_reason: reason, updated_at: new Date() }).where('id', '=', target.id).execute();
    await recordAction(trx, { actorId: mod.id, action: 'suspend', targetType: 'user', targetId: target.id, reason, data: { until: date.toISOString() } });
  }

  const UserResult = Type.Object({ user: Type.Object({ id: Type.String(), suspendedUntil: Type.Union([Type.String(), Type.Null()]), suspensionReason: Type.Union([Type.String(), Type.Null()]) }) });

  app.post(
    '/api/mod/users/:id/suspend',
    { schema: { tags, summary: 'Suspend a member until a date (moderator)', params: IdParams, body: SuspendBody, response: { 200: UserResult, ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      await db.transaction().execute((trx) => suspend(trx, mod, request.params.id, request.body.until, request.body.reason.trim()));
      const u = await db.selectFrom('user').select(['id', 'suspended_until', 'suspension_reason']).where('id', '=', request.params.id).executeTakeFirstOrThrow();
      return { user: { id: u.id, suspendedUntil: u.suspended_until?.toISOString() ?? null, suspensionReason: u.suspension_reason } };
    },
  );

  app.post(
    '/api/mod/users/:id/unsuspend',
    { schema: { tags, summary: 'Lift a suspension (moderator)', params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: UserResult, ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      const target = await db.selectFrom('user').select(['id']).where('id', '=', request.params.id).executeTakeFirst();
      if (!target) throw notFound('user');
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('user').set({ suspended_until: null, suspension_reason: null, updated_at: new Date() }).where('id', '=', target.id).execute();
        await recordAction(trx, { actorId: mod.id, action: 'unsuspend', targetType: 'user', targetId: target.id, reason: request.body?.reason });
      });
      return { user: { id: target.id, suspendedUntil: null, suspensionReason: null } };
    },
  );

  const AuditCursor = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,19}$' }) }, { additionalProperties: false });

  app.get(
    '/api/mod/audit-log',
    { schema: { tags, summary: 'The audit log, newest first, filterable (moderator). There is no route to change it.', querystring: AuditQuery, response: { 200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } } },
    async (request) => {
      requireRole(request, 'moderator');
      const q = request.query;
      const limit = q.limit ?? 50;
      const after = decodeCursor(AuditCursor, q.cursor);
      let query = db
        .selectFrom('moderation_action as m')
        .innerJoin('user as u', 'u.id', 'm.actor_id')
        .select(['m.id as mid', 'm.action', 'm.target_type', 'm.target_id', 'm.reason', 'm.data', 'm.created_at', ...authorCols])
        .orderBy('m.id', 'desc')
        .limit(limit + 1);
      if (q.actor) query = query.where('m.actor_id', '=', q.actor);
      if (q.targetType) query = query.where('m.target_type', '=', q.targetType);
      if (q.targetId) query = query.where('m.target_id', '=', q.targetId);
      if (q.action) query = query.where('m.action', '=', q.action);
      if (after) query = query.where('m.id', '<', after.id);
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({ id: r.mid, actor: toAuthor(r), action: r.action, targetType: r.target_type, targetId: r.target_id, reason: r.reason, data: r.data, createdAt: r.created_at.toISOString() })),
        nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1].mid }) : null,
      };
    },
  );
};

export default moderationRoutes;
