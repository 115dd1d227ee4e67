import { topics } from '../../shared/events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { type Transaction, sql } from 'kysely';
import { ErrorBody, IdCursor, IdParams, Page } from '../../shared/schemas/common';
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
import { authorColumnsOf, toAuthor } from '../accounts/present';
import { type Actor, mayReadModerationTopic } from '../policy';
import { isUniqueViolation } from '../db/errors';
import { excerpt } from '../content/sanitize';
import type { Database } from '../db/schema';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { conflict, forbidden, invalidField, notFound } from '../http/errors';
import { notify } from '../notifications/notify';
import { appendEvent } from '../realtime/outbox';
import { loadPostForViewer, loadThread, loadThreadSummary } from '../threads/queries';
import { threadLeftChannel } from '../channels/queries';
import { recordAction } from './audit';
import { postingLimit } from '../http/posting-limits';

const tags = ['moderation'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const authorCols = authorColumnsOf('u');

type ThreadFlag = 'pin' | 'unpin' | 'lock' | 'unlock';
const FLAGS: Record<ThreadFlag, { pinned?: boolean; locked?: boolean }> = {
  pin: { pinned: true },
  unpin: { pinned: false },
  lock: { locked: true },
  unlock: { locked: false },
};

/** Pin, lock, move, hide, reports, suspensions and the audit log. Moderators and admins only, except reporting. */
const moderationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // mod: reports and moderator actions, for moderators and admins who are not suspended.
  app.realtime.topic('mod', async (viewer, key) => (key === '' && mayReadModerationTopic(viewer) ? topics.mod : null));
  const db = app.db;

  /** The thread and its channel, row-locked for the rest of the transaction (concurrent actions serialise). */
  async function lockThread(trx: Transaction<Database>, id: string) {
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

  async function pushThreadUpdate(trx: Transaction<Database>, threadId: string, slugs: string[], fields: Record<string, unknown>) {
    const payload = { thread: { id: threadId, ...fields } };
    await appendEvent(trx, { topic: topics.thread(threadId), type: 'thread.updated', payload });
    for (const slug of slugs) await appendEvent(trx, { topic: topics.channel(slug), type: 'thread.updated', payload });
  }

  for (const flag of Object.keys(FLAGS) as ThreadFlag[]) {
    app.post(
      `/api/threads/:id/${flag}`,
      { schema: { tags, summary: `${flag[0].toUpperCase()}${flag.slice(1)} a thread (moderator)`, params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: Type.Object({ thread: Thread }), ...errors } } },
      async (request) => {
        const mod = requireRole(request, 'moderator');
        const change = FLAGS[flag];
        await db.transaction().execute(async (trx) => {
          const thread = await lockThread(trx, request.params.id);
          // Already so: nothing changes, so nothing is logged or pushed (a double click is harmless).
          if ((change.pinned === undefined || change.pinned === thread.pinned) && (change.locked === undefined || change.locked === thread.locked)) return;
          await trx.updateTable('thread').set({ ...change, updated_at: new Date() }).where('id', '=', thread.id).execute();
          await recordAction(trx, { actorId: mod.id, action: flag, targetType: 'thread', targetId: thread.id, reason: request.body?.reason?.trim() });
          await pushThreadUpdate(trx, thread.id, [thread.slug], change);
        });
        return { thread: await loadThread(db, request.params.id, mod) };
      },
    );
  }

  app.post(
    '/api/threads/:id/move',
    { schema: { tags, summary: 'Move a thread to another channel (moderator)', params: IdParams, body: MoveBody, response: { 200: Type.Object({ thread: Thread }), ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      await db.transaction().execute(async (trx) => {
        const thread = await lockThread(trx, request.params.id);
        const target = await trx.selectFrom('channel').selectAll().where('slug', '=', request.body.channelSlug).forUpdate().executeTakeFirst();
        if (!target) throw notFound('channel');
        if (target.id === thread.channel_id) return;
        await trx.updateTable('thread').set({ channel_id: target.id, updated_at: new Date() }).where('id', '=', thread.id).execute();
        await threadLeftChannel(trx, thread.channel_id);
        // The new channel gains this thread's activity.
        await trx
          .updateTable('channel')
          .set((eb) => ({ thread_count: eb('thread_count', '+', 1), last_activity_at: sql`greatest(last_activity_at, ${thread.last_activity_at})` }))
          .where('id', '=', target.id)
          .execute();
        await recordAction(trx, { actorId: mod.id, action: 'move', targetType: 'thread', targetId: thread.id, reason: request.body.reason?.trim(), data: { from: thread.slug, to: target.slug } });
        // Readers of the thread and of the old channel learn where it went; the new channel gets the
        // whole summary (as thread.updated, and as thread.created so open lists show it as new).
        const summary = await loadThreadSummary(trx, thread.id);
        await pushThreadUpdate(trx, thread.id, [thread.slug], { channelSlug: target.slug, channelName: target.name, moved: true, fromChannelSlug: thread.slug });
        await appendEvent(trx, { topic: topics.channel(target.slug), type: 'thread.updated', payload: { thread: { ...summary, moved: true, fromChannelSlug: thread.slug } } });
        await appendEvent(trx, { topic: topics.channel(target.slug), type: 'thread.created', payload: { thread: summary } });
      });
      return { thread: await loadThread(db, request.params.id, mod) };
    },
  );

  /** The post, row-locked for the rest of the transaction. */
  async function lockPost(trx: Transaction<Database>, postId: string) {
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
   * Hides a post in the caller's transaction, with its audit row, its events and the author's
   * notification. Returns the post as moderators (and its author) now see it, or null (having done
   * nothing) when it was hidden already.
   * thread.reply_count is left alone on purpose: it counts the replies that are not deleted, and a
   * hidden reply stays in the list (as "Verborgen door een moderator"), so the count stays what
   * readers see; deleting a hidden reply later decrements it once.
   */
  async function hidePost(trx: Transaction<Database>, actor: Actor, postId: string, reason: string): Promise<Post | null> {
    const post = await lockPost(trx, postId);
    if (post.hidden_at !== null) return null;
    await trx.updateTable('post').set({ hidden_at: new Date(), hidden_by: actor.id, hidden_reason: reason }).where('id', '=', post.id).execute();
    await recordAction(trx, { actorId: actor.id, action: 'hide', targetType: 'post', targetId: post.id, reason });
    // What every reader gets: the fact, never the content (no body, no attachments, no reason).
    await appendEvent(trx, {
      topic: topics.thread(post.thread_id),
      type: 'post.hidden',
      payload: { postId: post.id, threadId: post.thread_id, hidden: true, post: { id: post.id, threadId: post.thread_id, hidden: true, body: '', attachments: [] } },
    });
    // Those who may see it get the post as they see it: moderators (with the details) and the author,
    // who both see a hidden post whole (canSeeHiddenPost), so one view serves both.
    const hidden = (await loadPostForViewer(trx, post.id, actor))!;
    await appendEvent(trx, { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: hidden, moderation: { action: 'hide', actorId: actor.id, reason } }, audience: 'moderators' });
    await appendEvent(trx, { topic: topics.mod, type: 'post.hidden', payload: { postId: post.id, threadId: post.thread_id, threadTitle: post.title, actorId: actor.id, reason }, audience: 'moderators' });
    await appendEvent(trx, { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: hidden }, audience: `user:${post.author_id}` });
    await notify(trx, { userId: post.author_id, kind: 'post_hidden', threadId: post.thread_id, postId: post.id, actorId: actor.id, data: { reason, threadTitle: post.title } });
    return hidden;
  }

  app.post(
    '/api/posts/:id/hide',
    { schema: { tags, summary: 'Hide a post with a reason (moderator)', params: IdParams, body: HideBody, response: { 200: Type.Object({ post: Post }), ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      const post = await db.transaction().execute(async (trx) => {
        const hidden = await hidePost(trx, mod, request.params.id, request.body.reason.trim());
        if (!hidden) throw conflict('already_hidden', 'This post is already hidden.');
        return hidden;
      });
      return { post };
    },
  );

  app.post(
    '/api/posts/:id/unhide',
    { schema: { tags, summary: 'Show a hidden post again (moderator)', params: IdParams, body: Type.Optional(ThreadActionBody), response: { 200: Type.Object({ post: Post }), ...errors } } },
    async (request) => {
      const mod = requireRole(request, 'moderator');
      const shown = await db.transaction().execute(async (trx) => {
        const post = await lockPost(trx, request.params.id);
        if (post.hidden_at === null) throw conflict('not_hidden', 'This post is not hidden.');
        await trx.updateTable('post').set({ hidden_at: null, hidden_by: null, hidden_reason: null }).where('id', '=', post.id).execute();
        await recordAction(trx, { actorId: mod.id, action: 'unhide', targetType: 'post', targetId: post.id, reason: request.body?.reason?.trim() });
        // The post as members see it again (body and attachments): a visible post looks the same to everyone.
        const shown = (await loadPostForViewer(trx, post.id, null))!;
        await appendEvent(trx, { topic: topics.thread(post.thread_id), type: 'post.updated', payload: { post: shown } });
        return shown;
      });
      return { post: shown };
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
      schema: { tags, summary: 'Report a post to the moderators', body: ReportBody, response: { 201: Type.Object({ report: NewReport }), ...errors } },
      config: { rateLimit: postingLimit(app.config, 'reportsPerHour') },
    },
    async (request, reply) => {
      const user = requireWriter(request);
      const post = await db.selectFrom('post').select(['id', 'author_id', 'hidden_at']).where('id', '=', request.body.postId).where('deleted_at', 'is', null).executeTakeFirst();
      if (!post) throw notFound('post');
      if (post.author_id === user.id) throw conflict('own_post', 'You cannot report your own post.');
      if (post.hidden_at !== null) throw conflict('already_hidden', 'A moderator already hid this post.');
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
    {
      schema: {
        tags,
        summary: 'Open reports grouped per post, the longest waiting first; keyset pagination (moderator)',
        querystring: ReportQueueQuery,
        response: { 200: Page(ReportGroup), ...errors },
      },
    },
    async (request) => {
      requireRole(request, 'moderator');
      const limit = request.query.limit ?? 20;
      const after = decodeCursor(IdCursor, request.query.cursor);
      // One group per post, ordered by its first open report (a queue: first come, first served).
      let groupsQuery = db
        .selectFrom('report')
        .select(['post_id', sql<string>`min(id)::text`.as('first_id'), sql<number>`count(*)::int`.as('n')])
        .where('status', '=', 'open')
        .groupBy('post_id')
        .orderBy(sql`min(id)`)
        .limit(limit + 1);
      if (after) groupsQuery = groupsQuery.having(sql`min(id)`, '>', after.id);
      if (request.query.threadId) groupsQuery = groupsQuery.where('post_id', 'in', db.selectFrom('post').select('id').where('thread_id', '=', request.query.threadId!));
      const groupRows = await groupsQuery.execute();
      const page = groupRows.slice(0, limit);
      if (!page.length) return { items: [], nextCursor: null };
      const postIds = page.map((g) => g.post_id);
      const [posts, reports] = await Promise.all([
        db
          .selectFrom('post as p')
          .innerJoin('thread as t', 't.id', 'p.thread_id')
          .innerJoin('user as u', 'u.id', 'p.author_id')
          .select(['p.id as post_id', 'p.thread_id', 'p.body_text', 'p.hidden_at', 't.title', ...authorCols])
          .where('p.id', 'in', postIds)
          .execute(),
        db
          .selectFrom('report as r')
          .innerJoin('user as u', 'u.id', 'r.reporter_id')
          .select(['r.id as report_id', 'r.post_id', 'r.reason', 'r.created_at', ...authorCols])
          .where('r.status', '=', 'open')
          .where('r.post_id', 'in', postIds)
          .orderBy('r.id')
          .execute(),
      ]);
      const postById = new Map(posts.map((p) => [p.post_id, p]));
      const items: ReportGroup[] = [];
      for (const g of page) {
        const p = postById.get(g.post_id);
        if (!p) continue;
        const own = reports.filter((r) => r.post_id === g.post_id);
        items.push({
          reportId: g.first_id,
          count: g.n,
          post: { id: p.post_id, threadId: p.thread_id, threadTitle: p.title, excerpt: excerpt(p.body_text, 300), author: toAuthor(p), hidden: p.hidden_at !== null },
          reports: own.map((r) => ({ id: r.report_id, reason: r.reason, reporter: toAuthor(r), createdAt: r.created_at.toISOString() })),
        });
      }
      return { items, nextCursor: groupRows.length > limit ? encodeCursor({ id: page[page.length - 1].first_id }) : null };
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
        // Resolving first locks the open reports: a concurrent resolve of the same post waits, then finds none.
        const rows = await trx
          .updateTable('report')
          .set({ status: 'resolved', resolution, resolved_by: mod.id, resolved_at: new Date() })
          .where('post_id', '=', report.post_id)
          .where('status', '=', 'open')
          .returning('id')
          .execute();
        if (!rows.length) throw conflict('already_resolved', 'These reports were already resolved.');
        // A post a moderator hid already stays hidden; only the reports are resolved.
        if (resolution === 'hide') await hidePost(trx, mod, report.post_id, reason);
        if (resolution === 'suspend') {
          const post = await trx.selectFrom('post').select('author_id').where('id', '=', report.post_id).executeTakeFirstOrThrow();
          await suspend(trx, mod, post.author_id, request.body.until!, reason);
        }
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
    if ((target.role === 'moderator' || target.role === 'admin') && mod.role !== 'admin') throw forbidden('forbidden', 'Only an admin can suspend moderators and admins.');
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
      const target = await db.transaction().execute(async (trx) => {
        const target = await trx.selectFrom('user').select(['id', 'suspended_until']).where('id', '=', request.params.id).forUpdate().executeTakeFirst();
        if (!target) throw notFound('user');
        if (target.suspended_until === null || target.suspended_until.getTime() <= Date.now()) throw conflict('not_suspended', 'This member is not suspended.');
        await trx.updateTable('user').set({ suspended_until: null, suspension_reason: null, updated_at: new Date() }).where('id', '=', target.id).execute();
        await recordAction(trx, { actorId: mod.id, action: 'unsuspend', targetType: 'user', targetId: target.id, reason: request.body?.reason?.trim() });
        return target;
      });
      return { user: { id: target.id, suspendedUntil: null, suspensionReason: null } };
    },
  );

  app.get(
    '/api/mod/audit-log',
    { schema: { tags, summary: 'The audit log, newest first, filterable (moderator). There is no route to change it.', querystring: AuditQuery, response: { 200: Page(AuditEntry), ...errors } } },
    async (request) => {
      requireRole(request, 'moderator');
      const q = request.query;
      const limit = q.limit ?? 50;
      const after = decodeCursor(IdCursor, q.cursor);
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
