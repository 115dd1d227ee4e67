// The channel lists through the page cache: the same for every reader, so one cached answer each.
import { topics } from '../../shared/topics';
import type { Channel, ThreadSummary } from '../../shared/schemas/forum';
import type { Db } from '../db';
import type { PageCache } from '../page-cache/cache';
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

/** Every channel (the home page), cached; `applied` is the instance's event watermark, for the ETag. */
export function readChannels(db: Db, cache: PageCache, applied: () => string) {
  return cache.get<{ items: Channel[] }>('channels', [CHANNELS_GROUP], async () => {
    const watermark = applied();
    return { value: { items: await listChannels(db) }, watermark };
  });
}

/** A page of a channel's threads, cached, with the reader's new replies per thread laid over it. */
export async function readChannelThreadsFor(db: Db, cache: PageCache, viewer: SessionUser | null, slug: string, limit: number, cursor: string | undefined) {
  const cached = await readChannelThreads(db, cache, slug, limit, cursor);
  return personalise(db, viewer, cached, [async (d, v, page) => ({ ...page, items: await overlaySummaries(d, v, page.items) })]);
}

/** A page of a channel's threads, cached; it follows its channel's topic and each listed thread's. */
export function readChannelThreads(db: Db, cache: PageCache, slug: string, limit: number, cursor: string | undefined) {
  return cache.get<ChannelThreadsPage>(`channel:${slug}:${limit}:${cursor ?? ''}`, [topics.channel(slug)], async () => {
    const value = await listChannelThreads(db, slug, limit, cursor);
    return { value, watermark: value.lastEventId, groups: value.items.map((t) => topics.thread(t.id)) };
  });
}
