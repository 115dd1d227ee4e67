import { type Selectable, type Transaction, sql } from 'kysely';
import type { Static } from '@sinclair/typebox';
import type { Channel, CreateChannelBody, UpdateChannelBody } from '../../shared/schemas/forum';
import { plainText } from '../content/sanitize';
import { isUniqueViolation } from '../db/errors';
import { recordAction } from '../moderation/audit';
import { topics } from '../../shared/topics';
import { type Actor, type Viewer, maySeeChannel, visibleChannelSql } from '../policy';
import { appendEvent } from '../realtime/outbox';
import { applyChannelAccess } from './members';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import type { ChannelTable } from '../db/tables/forum';
import { conflict, invalidField, notFound } from '../http/errors';

export function toChannel(row: Selectable<ChannelTable>): Channel {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    postingPolicy: row.posting_policy,
    visibility: row.visibility,
    threadCount: row.thread_count,
    lastActivityAt: row.last_activity_at ? row.last_activity_at.toISOString() : null,
    archived: row.archived_at !== null,
  };
}

export async function findChannelBySlug(db: Db, slug: string) {
  return db.selectFrom('channel').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function getChannelBySlug(db: Db, slug: string) {
  const channel = await findChannelBySlug(db, slug);
  if (!channel) throw notFound('channel');
  return channel;
}

/** The channel with this slug when `viewer` may see it; 404 when there is none or it is closed to them. */
export async function getVisibleChannel(db: Db, viewer: Viewer, slug: string) {
  const channel = await findChannelBySlug(db, slug);
  if (!channel || !maySeeChannel(viewer, channel)) throw notFound('channel');
  return channel;
}

/**
 * The most recently active thread of each channel. Pinned and unpinned are read separately so both
 * reads follow the channel list index (channel, pinned, last activity); the newer of the two wins.
 */
export async function latestThreads(db: Db, channelIds: string[]): Promise<Map<string, { id: string; title: string; lastActivityAt: string }>> {
  if (!channelIds.length) return new Map();
  const { rows } = await sql<{ channel_id: string; id: string; title: string; last_activity_at: Date }>`
    select c.id as channel_id, l.id, l.title, l.last_activity_at
    from unnest(${channelIds}::bigint[]) as c(id)
    cross join lateral (
      select * from (
        (select t.id, t.title, t.last_activity_at from thread t where t.channel_id = c.id and t.pinned order by t.pinned desc, t.last_activity_at desc, t.id desc limit 1)
        union all
        (select t.id, t.title, t.last_activity_at from thread t where t.channel_id = c.id and not t.pinned order by t.pinned desc, t.last_activity_at desc, t.id desc limit 1)
      ) both_kinds
      order by last_activity_at desc, id desc
      limit 1
    ) l`.execute(db);
  return new Map(rows.map((r) => [r.channel_id, { id: r.id, title: r.title, lastActivityAt: r.last_activity_at.toISOString() }]));
}

/**
 * A thread left the channel (moved away or deleted): one fewer, and its last activity is that of
 * the threads it still has.
 */
export async function threadLeftChannel(trx: Transaction<Database>, channelId: string): Promise<void> {
  await trx
    .updateTable('channel')
    .set((eb) => ({
      thread_count: eb('thread_count', '-', 1),
      last_activity_at: eb.selectFrom('thread').select((s) => s.fn.max('last_activity_at').as('m')).where('channel_id', '=', channelId),
    }))
    .where('id', '=', channelId)
    .execute();
}

/** A new thread in the channel: one more, and the channel was active at `at`. */
export async function threadAddedToChannel(trx: Transaction<Database>, channelId: string, at: Date): Promise<void> {
  await trx
    .updateTable('channel')
    .set((eb) => ({ thread_count: eb('thread_count', '+', 1), last_activity_at: at }))
    .where('id', '=', channelId)
    .execute();
}

/** A thread moved into the channel: one more, and the channel gains the thread's last activity. */
export async function threadJoinedChannel(trx: Transaction<Database>, channelId: string, threadLastActivityAt: Date): Promise<void> {
  await trx
    .updateTable('channel')
    .set((eb) => ({ thread_count: eb('thread_count', '+', 1), last_activity_at: sql`greatest(last_activity_at, ${threadLastActivityAt})` }))
    .where('id', '=', channelId)
    .execute();
}

/** Something happened in one of the channel's threads at `at` (a reply). */
export async function channelActive(trx: Transaction<Database>, channelId: string, at: Date): Promise<void> {
  // Every reply in a channel touches this one row, and a row lock lasts until commit: replies all over
  // the channel would queue behind each other. A reply that finds the row locked by another one skips
  // it: that one is setting the same moment, give or take a few milliseconds.
  await sql`
    update channel set last_activity_at = greatest(last_activity_at, ${at})
    where id = (select id from channel where id = ${channelId} for no key update skip locked)
  `.execute(trx);
}

/** The channel with this slug, row-locked for the rest of the transaction (a move into it), or 404. */
export async function lockChannelBySlug(trx: Transaction<Database>, slug: string) {
  const channel = await trx.selectFrom('channel').selectAll().where('slug', '=', slug).forUpdate().executeTakeFirst();
  if (!channel) throw notFound('channel');
  return channel;
}

/** Every channel `viewer` may see in its position, each with its most recently active thread (the home page); archived ones only when asked (the Beheer page). */
export async function listChannels(db: Db, viewer: Viewer, options: { includeArchived?: boolean } = {}): Promise<Channel[]> {
  let query = db.selectFrom('channel as c').selectAll().where(visibleChannelSql(viewer, 'c')).orderBy('position').orderBy('id');
  if (!options.includeArchived) query = query.where('archived_at', 'is', null);
  const rows = await query.execute();
  const latest = await latestThreads(db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...toChannel(r), latestThread: latest.get(r.id) ?? null }));
}

/** Creates a channel at the end of the list (admins, checked by the route); in the audit log. 409 for a slug in use. */
export async function createChannel(db: Db, admin: Actor, b: Static<typeof CreateChannelBody>): Promise<Selectable<ChannelTable>> {
  // Names and descriptions are plain text, like titles.
  const name = plainText(b.name);
  if (name.length < 2) throw invalidField('name', 'must contain at least 2 characters of text');
  const description = plainText(b.description ?? '');
  try {
    return await db.transaction().execute(async (trx) => {
      const channel = await trx
        .insertInto('channel')
        .values({
          slug: b.slug,
          name,
          description,
          posting_policy: b.postingPolicy,
          visibility: b.visibility ?? 'public',
          position: sql<number>`(select coalesce(max(position), 0) + 1 from channel)`,
          last_activity_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAction(trx, { actorId: admin.id, action: 'create_channel', targetType: 'channel', targetId: channel.id, data: { slug: channel.slug, postingPolicy: channel.posting_policy, visibility: channel.visibility } });
      await appendEvent(trx, { topic: topics.channel(channel.slug), type: 'channel.created', payload: { channel: toChannel(channel) } });
      return channel;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('slug_taken', 'A channel with this slug already exists.');
    throw err;
  }
}

/**
 * Renames, re-describes, changes the posting policy or visibility of, archives or restores a channel
 * (admins, checked by the route); in the audit log, and announced on the channel's topic so every
 * instance's page cache drops what showed the old state.
 */
export async function updateChannel(db: Db, admin: Actor, slug: string, b: Static<typeof UpdateChannelBody>): Promise<Selectable<ChannelTable>> {
  const name = b.name !== undefined ? plainText(b.name) : undefined;
  if (name !== undefined && name.length < 2) throw invalidField('name', 'must contain at least 2 characters of text');
  return db.transaction().execute(async (trx) => {
    const before = await lockChannelBySlug(trx, slug);
    const changes = {
      ...(name !== undefined ? { name } : {}),
      ...(b.description !== undefined ? { description: plainText(b.description) } : {}),
      ...(b.postingPolicy !== undefined ? { posting_policy: b.postingPolicy } : {}),
      ...(b.archived !== undefined ? { archived_at: b.archived ? (before.archived_at ?? new Date()) : null } : {}),
    };
    let channel = Object.keys(changes).length ? await trx.updateTable('channel').set(changes).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow() : before;
    if (b.visibility !== undefined || b.organisationIds !== undefined) channel = await applyChannelAccess(trx, channel, { visibility: b.visibility, organisationIds: b.organisationIds });
    const action = b.archived === true && !before.archived_at ? 'archive_channel' : b.archived === false && before.archived_at ? 'unarchive_channel' : 'update_channel';
    await recordAction(trx, {
      actorId: admin.id,
      action,
      targetType: 'channel',
      targetId: channel.id,
      data: { name: channel.name, postingPolicy: channel.posting_policy, visibility: channel.visibility, ...(b.organisationIds ? { organisationIds: b.organisationIds } : {}) },
    });
    await appendEvent(trx, { topic: topics.channel(channel.slug), type: 'channel.updated', payload: { channel: toChannel(channel) } });
    return channel;
  });
}
