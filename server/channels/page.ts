// The channel lists through the page cache: the same for every reader, so one cached answer each.
import { topics } from '../../shared/topics';
import type { Channel, ThreadSummary } from '../../shared/schemas/forum';
import type { Db } from '../db';
import { type PageCache, uncachedPage } from '../page-cache/cache';
import { ApiError } from '../http/errors';
import { isModerator } from '../policy';
import { CHANNELS_GROUP } from '../page-cache/groups';
import type { SessionUser } from '../accounts/session';
import { personalise } from '../threads/page';
import { listChannelThreads } from '../threads/queries';
import { overlaySummaries } from '../threads/viewer';
import { listChannels } from './queries';

export interface ChannelThreadsPage {
  items: ThreadSummary[];
  nextCursor: string | null;
  lastEventId: string;
}

/** Every public channel (the home page), cached; `applied` is the instance's event watermark, for the ETag. */
export function readChannels(db: Db, cache: PageCache, applied: () => string) {
  return cache.get<{ items: Channel[] }>('channels', [CHANNELS_GROUP], async () => {
    const watermark = applied();
    return { value: { items: await listChannels(db, null) }, watermark };
  });
}

/**
 * The channels `viewer` may see: the cached public list, unless they may see a closed channel
 * (a member of one, or staff); theirs is read for them alone.
 */
export async function readChannelsFor(db: Db, cache: PageCache, viewer: SessionUser | null, applied: () => string) {
  if (!viewer || (!isModerator(viewer) && !viewer.channelIds?.length)) return readChannels(db, cache, applied);
  return uncachedPage({ items: await listChannels(db, viewer) }, applied());
}

/** A page of a channel's threads, cached, with the reader's new replies per thread laid over it. */
export async function readChannelThreadsFor(db: Db, cache: PageCache, viewer: SessionUser | null, slug: string, limit: number, cursor: string | undefined) {
  const cached = await readChannelThreads(db, cache, slug, limit, cursor).catch(async (err) => {
    // Not for visitors (a closed channel, or none): a member of a closed channel reads it uncached.
    if (!(viewer && err instanceof ApiError && err.statusCode === 404)) throw err;
    const value = await listChannelThreads(db, viewer, slug, limit, cursor);
    return uncachedPage(value, value.lastEventId);
  });
  return personalise(db, viewer, cached, [async (d, v, page) => ({ ...page, items: await overlaySummaries(d, v, page.items) })]);
}

/** A page of a channel's threads, cached; it follows its channel's topic and each listed thread's. */
export function readChannelThreads(db: Db, cache: PageCache, slug: string, limit: number, cursor: string | undefined) {
  return cache.get<ChannelThreadsPage>(`channel:${slug}:${limit}:${cursor ?? ''}`, [topics.channel(slug)], async () => {
    const value = await listChannelThreads(db, null, slug, limit, cursor);
    return { value, watermark: value.lastEventId, groups: value.items.map((t) => topics.thread(t.id)) };
  });
}
