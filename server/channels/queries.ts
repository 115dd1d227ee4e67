import type { Selectable } from 'kysely';
import type { Channel } from '../../shared/schemas/forum';
import type { Db } from '../db';
import type { ChannelTable } from '../db/tables/forum';
import { notFound } from '../http/errors';

export function toChannel(row: Selectable<ChannelTable>): Channel {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    postingPolicy: row.posting_policy,
    threadCount: row.thread_count,
    lastActivityAt: row.last_activity_at ? row.last_activity_at.toISOString() : null,
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
