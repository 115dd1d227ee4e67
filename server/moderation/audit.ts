import type { Static } from '@sinclair/typebox';
import type { Transaction } from 'kysely';
import { IdCursor } from '../../shared/schemas/common';
import type { AuditEntry, AuditQuery } from '../../shared/schemas/moderation';
import { authorColumnsOf, toAuthor } from '../accounts/present';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import { excerpt } from '../content/sanitize';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { type Actor, isModerator } from '../policy';

export interface AuditRecord {
  actorId: string;
  action: string;
  targetType: 'thread' | 'post' | 'user' | 'report' | 'channel' | 'video_session';
  targetId: string;
  reason?: string;
  data?: Record<string, unknown>;
}

/** Writes one audit row in the caller's transaction: the action and its record stand or fall together. */
export async function recordAction(trx: Transaction<Database>, a: AuditRecord): Promise<void> {
  await trx
    .insertInto('moderation_action')
    .values({ actor_id: a.actorId, action: a.action, target_type: a.targetType, target_id: a.targetId, reason: a.reason ?? '', data: JSON.stringify(a.data ?? {}) })
    .execute();
}

/**
 * For other domains: logs what a moderator or admin does to someone else's content (editing or
 * deleting another member's post, cancelling another organiser's session, ...), in the caller's
 * transaction. Members acting on their own things are not moderating: nothing is written then.
 */
export async function recordIfModerating(
  trx: Transaction<Database>,
  actor: Actor,
  ownerId: string | null,
  record: Omit<AuditRecord, 'actorId'>,
): Promise<boolean> {
  if (ownerId === actor.id || !isModerator(actor)) return false;
  await recordAction(trx, { ...record, actorId: actor.id });
  return true;
}

/** The audit log, newest first, filterable; keyset pagination. There is no function to change it. */
export async function listAuditLog(db: Db, _mod: Actor, q: Static<typeof AuditQuery>): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const after = decodeCursor(IdCursor, q.cursor);
  let query = db
    .selectFrom('moderation_action as m')
    .innerJoin('user as u', 'u.id', 'm.actor_id')
    .select(['m.id as mid', 'm.action', 'm.target_type', 'm.target_id', 'm.reason', 'm.data', 'm.created_at', ...authorColumnsOf('u')])
    .orderBy('m.id', 'desc')
    .limit(limit + 1);
  if (q.actor) query = query.where('m.actor_id', '=', q.actor);
  if (q.targetType) query = query.where('m.target_type', '=', q.targetType);
  if (q.targetId) query = query.where('m.target_id', '=', q.targetId);
  if (q.action) query = query.where('m.action', '=', q.action);
  if (after) query = query.where('m.id', '<', after.id);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const targets = await describeTargets(db, page);
  return {
    items: page.map((r) => ({ id: r.mid, actor: toAuthor(r), action: r.action, targetType: r.target_type, targetId: r.target_id, reason: r.reason, data: r.data, createdAt: r.created_at.toISOString(), target: targets(r) })),
    nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1].mid }) : null,
  };
}

type AuditRowForTarget = { target_type: string; target_id: string; data: Record<string, unknown> };

/**
 * Readable targets for a page of audit rows, in one read per kind: a thread's title (or the title it
 * had when it was deleted), a post's excerpt with its thread, a user's name (erased: "Verwijderd
 * account"), a session's title, and for a move the names of the channels it went from and to.
 */
async function describeTargets(db: Db, rows: AuditRowForTarget[]): Promise<(r: AuditRowForTarget) => AuditEntry['target']> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.target_type === type).map((r) => r.target_id))];
  const slugs = [...new Set(rows.flatMap((r) => [r.data.from, r.data.to, r.data.channel]).filter((s): s is string => typeof s === 'string'))];
  const [threads, posts, users, sessions, channels] = await Promise.all([
    ids('thread').length ? db.selectFrom('thread').select(['id', 'title']).where('id', 'in', ids('thread')).execute() : [],
    ids('post').length
      ? db.selectFrom('post as p').innerJoin('thread as t', 't.id', 'p.thread_id').select(['p.id', 'p.body_text', 'p.is_opening', 'p.held_title', 't.id as thread_id', 't.title']).where('p.id', 'in', ids('post')).execute()
      : [],
    ids('user').length ? db.selectFrom('user').select(['id', 'display_name']).where('id', 'in', ids('user')).execute() : [],
    ids('video_session').length ? db.selectFrom('video_session').select(['id', 'title', 'thread_id']).where('id', 'in', ids('video_session')).execute() : [],
    slugs.length ? db.selectFrom('channel').select(['slug', 'name']).where('slug', 'in', slugs).execute() : [],
  ]);
  const thread = new Map(threads.map((t) => [t.id, t]));
  const post = new Map(posts.map((p) => [p.id, p]));
  const user = new Map(users.map((u) => [u.id, u]));
  const session = new Map(sessions.map((v) => [v.id, v]));
  const channel = new Map(channels.map((c) => [c.slug, c.name]));
  const channelName = (slug: unknown) => (typeof slug === 'string' ? (channel.get(slug) ?? slug) : undefined);
  return (r) => {
    const gone = typeof r.data.title === 'string' && r.data.title ? r.data.title : '';
    switch (r.target_type) {
      case 'thread': {
        const t = thread.get(r.target_id);
        const move = r.data.from !== undefined ? { fromChannel: channelName(r.data.from), toChannel: channelName(r.data.to) } : {};
        return { label: t?.title ?? (gone || `#${r.target_id}`), ...(t ? { threadId: t.id, threadTitle: t.title } : {}), ...move };
      }
      case 'post': {
        const p = post.get(r.target_id);
        if (!p) return { label: gone || `#${r.target_id}` };
        const title = p.is_opening && p.held_title ? p.held_title : p.title;
        return { label: excerpt(p.body_text, 120) || `#${r.target_id}`, threadId: p.thread_id, threadTitle: title };
      }
      case 'user':
        return { label: user.get(r.target_id)?.display_name ?? `#${r.target_id}` };
      case 'video_session': {
        const v = session.get(r.target_id);
        return v ? { label: v.title, threadId: v.thread_id } : { label: `#${r.target_id}` };
      }
      case 'channel':
        return { label: channelName(r.data.slug) ?? channelName(r.data.channel) ?? `#${r.target_id}` };
      default:
        return { label: `#${r.target_id}` };
    }
  };
}
