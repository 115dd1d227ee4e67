// Reports: members report a post, moderators work through the queue (grouped per post, the longest
// waiting first) and resolve every open report on a post at once: hide it, dismiss, or suspend its author.
import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import { IdCursor } from '../../shared/schemas/common';
import type { NewReport, ReportBody, ReportGroup, ReportQueueQuery, ResolveBody } from '../../shared/schemas/moderation';
import { authorColumnsOf, toAuthor } from '../accounts/present';
import { excerpt } from '../content/sanitize';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { conflict, invalidField, notFound } from '../http/errors';
import { type Actor, maySeeChannel } from '../policy';
import { hideInTransaction } from './actions';
import { pushModerationCount, tellModerators } from './alerts';
import { recordAction } from './audit';
import { suspendInTransaction } from './suspensions';

const authorCols = authorColumnsOf('u');

/** Reports someone else's post, once while it is open; not one a moderator hid already. */
export async function createReport(db: Db, reporter: Actor, input: Static<typeof ReportBody>): Promise<Static<typeof NewReport>> {
  const post = await db
    .selectFrom('post as p')
    .innerJoin('thread as t', 't.id', 'p.thread_id')
    .innerJoin('channel as c', 'c.id', 't.channel_id')
    .select(['p.id', 'p.author_id', 'p.hidden_at', 'p.thread_id', 'c.id as channel_id', 'c.visibility'])
    .where('p.id', '=', input.postId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst();
  // A post in a channel closed to the reporter does not exist for them.
  if (!post || !maySeeChannel(reporter, { id: post.channel_id, visibility: post.visibility })) throw notFound('post');
  if (post.author_id === reporter.id) throw conflict('own_post', 'You cannot report your own post.');
  if (post.hidden_at !== null) throw conflict('already_hidden', 'A moderator already hid this post.');
  try {
    const report = await db.transaction().execute(async (trx) => {
      const report = await trx
        .insertInto('report')
        .values({ post_id: post.id, reporter_id: reporter.id, reason: input.reason.trim(), resolution: null, resolved_by: null, resolved_at: null })
        .returning(['id', 'post_id', 'reason', 'status'])
        .executeTakeFirstOrThrow();
      // A new group (the first open report on this post) is news for moderators; more reports on it join the group.
      const open = await trx.selectFrom('report').select((eb) => eb.fn.countAll<string>().as('n')).where('post_id', '=', post.id).where('status', '=', 'open').executeTakeFirstOrThrow();
      if (Number(open.n) === 1) {
        const thread = await trx.selectFrom('thread').select(['id', 'title']).where('id', '=', post.thread_id).executeTakeFirstOrThrow();
        await tellModerators(trx, { kind: 'report', threadId: thread.id, postId: post.id, actorId: reporter.id, data: { threadTitle: thread.title, reason: report.reason } });
      }
      return report;
    });
    return { id: report.id, postId: report.post_id, reason: report.reason, status: report.status };
  } catch (err) {
    if (isUniqueViolation(err, 'report_open_once_idx')) throw conflict('already_reported', 'You already reported this post.');
    throw err;
  }
}

/** Open reports grouped per post, the longest waiting first; keyset pagination. */
export async function listReportQueue(db: Db, _mod: Actor, query: Static<typeof ReportQueueQuery>): Promise<{ items: ReportGroup[]; nextCursor: string | null }> {
  const limit = query.limit ?? 20;
  const after = decodeCursor(IdCursor, query.cursor);
  // One group per post, ordered by its first open report (a queue: first come, first served).
  let groupsQuery = db
    .selectFrom('report')
    .select(['post_id', sql<string>`min(id)::text`.as('first_id'), sql<number>`count(*)::int`.as('n')])
    .where('status', '=', 'open')
    .groupBy('post_id')
    .orderBy(sql`min(id)`)
    .limit(limit + 1);
  if (after) groupsQuery = groupsQuery.having(sql`min(id)`, '>', after.id);
  if (query.threadId) groupsQuery = groupsQuery.where('post_id', 'in', db.selectFrom('post').select('id').where('thread_id', '=', query.threadId));
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
}

/** Resolves every open report on the post of report `reportId`; the number resolved. */
export async function resolveReports(db: Db, mod: Actor, reportId: string, input: Static<typeof ResolveBody>): Promise<number> {
  const report = await db.selectFrom('report').select(['id', 'post_id', 'status']).where('id', '=', reportId).executeTakeFirst();
  if (!report) throw notFound('report');
  if (report.status !== 'open') throw conflict('already_resolved', 'This report was already resolved.');
  const { resolution } = input;
  const reason = input.reason?.trim() ?? '';
  if (resolution === 'hide' && !reason) throw invalidField('reason', 'is required to hide a post');
  if (resolution === 'suspend' && (!input.until || !reason)) throw invalidField(!reason ? 'reason' : 'until', 'is required to suspend');
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
    if (resolution === 'hide') await hideInTransaction(trx, mod, report.post_id, reason);
    if (resolution === 'suspend') {
      const post = await trx.selectFrom('post').select('author_id').where('id', '=', report.post_id).executeTakeFirstOrThrow();
      await suspendInTransaction(trx, mod, post.author_id, input.until!, reason);
    }
    await pushModerationCount(trx);
    await recordAction(trx, { actorId: mod.id, action: `resolve_reports_${resolution}`, targetType: 'post', targetId: report.post_id, reason, data: { reports: rows.map((r) => r.id) } });
    return rows.length;
  });
  return resolved;
}
