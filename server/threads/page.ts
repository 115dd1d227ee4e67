// The thread page and its pages of replies through the page cache: everyone gets the page as an
// anonymous visitor may see it (presented by the policy with no viewer), and a signed-in reader gets
// it with their own parts merged in by one overlay per part. An overlay returns the page unchanged
// (the same object) when it has nothing to add, so most signed-in reads cost no query at all.
import type { Post, Thread } from '../../shared/schemas/forum';
import type { SessionUser } from '../accounts/session';
import { loadAttachmentsForPosts } from '../attachments/attach';
import type { Db } from '../db';
import type { CachedPage, PageCache } from '../page-cache/cache';
import { etagOf, uncachedPage } from '../page-cache/cache';
import { ApiError } from '../http/errors';
import { maySeeHiddenPost } from '../policy';
import { loadVideoSessionForThread } from '../video-sessions/summary';
import { listReplies, loadPostRows, loadThreadPage, presentPost } from './queries';
import { overlayPosts, overlayThreadPage } from './viewer';

export interface ThreadPage {
  thread: Thread;
  replies: { items: Post[]; nextCursor: string | null };
  lastEventId: string;
}
export type RepliesPage = { items: Post[]; nextCursor: string | null };

/** One viewer-specific part of a page: the page with that part merged in, or the same object when there is nothing to merge. */
export type Overlay<P> = (db: Db, viewer: SessionUser, page: P) => Promise<P>;

/** Hidden posts this reader may see whole (their own, or all as a moderator): body, handouts and reason. */
async function visibleHiddenPosts(db: Db, viewer: SessionUser, posts: Array<{ id: string; authorId: string; hidden: boolean }>): Promise<Map<string, Post>> {
  const ids = posts.filter((p) => p.hidden && maySeeHiddenPost(viewer, p.authorId)).map((p) => p.id);
  if (!ids.length) return new Map();
  const rows = await loadPostRows(db, ids);
  const attachments = await loadAttachmentsForPosts(db, rows.map((r) => r.id));
  return new Map(rows.map((r) => [r.id, presentPost(r, viewer, attachments.get(r.id) ?? [])]));
}

function withReplies<P extends { items: Post[] }>(page: P, whole: Map<string, Post>): P {
  if (!page.items.some((p) => whole.has(p.id))) return page;
  return { ...page, items: page.items.map((p) => whole.get(p.id) ?? p) };
}

export const hiddenPostsOverlay: Overlay<ThreadPage> = async (db, viewer, page) => {
  const { thread } = page;
  const whole = await visibleHiddenPosts(db, viewer, [
    { id: thread.postId, authorId: thread.author.id, hidden: thread.hidden === true },
    ...page.replies.items.map((p) => ({ id: p.id, authorId: p.author.id, hidden: p.hidden })),
  ]);
  if (!whole.size) return page;
  const opening = whole.get(thread.postId);
  return {
    ...page,
    thread: opening ? { ...thread, body: opening.body, attachments: opening.attachments, ...(opening.hiddenReason !== undefined ? { hiddenReason: opening.hiddenReason } : {}) } : thread,
    replies: withReplies(page.replies, whole),
  };
};

/** The video session with this reader's interest, registration and (when theirs to see) meeting link. */
export const videoSessionOverlay: Overlay<ThreadPage> = async (db, viewer, page) => {
  if (!page.thread.videoSession) return page;
  const videoSession = await loadVideoSessionForThread(db, page.thread.id, viewer);
  return { ...page, thread: { ...page.thread, videoSession } };
};

/** What the reader marked "nuttig" and where they last read (threads/viewer.ts). */
export const readerOverlay: Overlay<ThreadPage> = (db, viewer, page) => overlayThreadPage(db, viewer, page);

/** The thread page's viewer-specific parts, in order. */
export const threadPageOverlays: Overlay<ThreadPage>[] = [hiddenPostsOverlay, videoSessionOverlay, readerOverlay];

export const repliesPageOverlays: Overlay<RepliesPage>[] = [
  async (db, viewer, page) =>
    withReplies(page, await visibleHiddenPosts(db, viewer, page.items.map((p) => ({ id: p.id, authorId: p.author.id, hidden: p.hidden })))),
  async (db, viewer, page) => ({ ...page, items: await overlayPosts(db, viewer, page.items) }),
];

export async function personalise<P>(db: Db, viewer: SessionUser | null, cached: CachedPage<P> & { hit: boolean }, overlays: Overlay<P>[]) {
  if (!viewer) return cached;
  let page = cached.value;
  for (const overlay of overlays) page = await overlay(db, viewer, page);
  if (page === cached.value) return cached;
  const body = JSON.stringify(page);
  // A personalised copy is sent as it is (compressing it per request would cost more than it saves here).
  return { value: page, body, etag: etagOf(cached.watermark, body), watermark: cached.watermark, hit: cached.hit, gzip: undefined };
}

/** GET /api/threads/:id: the cached public page, personalised for a signed-in reader. */
export async function readThreadPage(db: Db, cache: PageCache, viewer: SessionUser | null, threadId: string, limit: number) {
  const cached = await cache
    .get(`thread:${threadId}:${limit}`, [`thread:${threadId}`], async () => {
      const value: ThreadPage = await loadThreadPage(db, threadId, null, limit);
      return { value, watermark: value.lastEventId };
    })
    .catch(async (err) => {
      // Not for visitors (a closed channel's thread, or none): a member reads it uncached.
      if (!(viewer && err instanceof ApiError && err.statusCode === 404)) throw err;
      const value: ThreadPage = await loadThreadPage(db, threadId, viewer, limit);
      return uncachedPage(value, value.lastEventId);
    });
  return personalise(db, viewer, cached, threadPageOverlays);
}

/** GET /api/threads/:id/replies: a cached public page of replies, personalised for a signed-in reader. */
export async function readRepliesPage(db: Db, cache: PageCache, viewer: SessionUser | null, threadId: string, limit: number, cursor: string | undefined, watermark: () => string) {
  const cached = await cache
    .get(`replies:${threadId}:${limit}:${cursor ?? ''}`, [`thread:${threadId}`], async () => {
      const w = watermark();
      return { value: await listReplies(db, threadId, null, limit, cursor), watermark: w };
    })
    .catch(async (err) => {
      if (!(viewer && err instanceof ApiError && err.statusCode === 404)) throw err;
      const w = watermark();
      return uncachedPage(await listReplies(db, threadId, viewer, limit, cursor), w);
    });
  return personalise(db, viewer, cached, repliesPageOverlays);
}
