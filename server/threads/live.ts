// What the threads domain tells the topic bus: who may read `thread:<id>`, and how a replayed post or
// thread event looks to a viewer now. Replay never sends stored old content: a post hidden since is
// the hidden placeholder (whole for its author and moderators), a deleted one a tombstone, an edited
// one its current text; a thread summary carries its current title, tags and excerpt.
import type { FastifyInstance } from 'fastify';
import type { EventPayload, ThreadChange } from '../../shared/events';
import { topics } from '../../shared/events';
import { isId } from '../../shared/schemas/common';
import type { Post, ThreadSummary } from '../../shared/schemas/forum';
import { loadAttachmentsForPosts } from '../attachments/attach';
import type { Db } from '../db';
import { type Viewer, maySeeChannel } from '../policy';
import type { StoredEvent } from '../realtime/hub';
import { loadPostRows, loadThreadSummaries, presentPost } from './queries';

type PostBearing = { post?: { id: string; threadId: string } };

/** The posts these events carry, as `viewer` may see them now; absent when deleted. */
async function currentPosts(db: Db, viewer: Viewer, events: StoredEvent[]): Promise<Map<string, Post>> {
  const ids = [...new Set(events.map((e) => (e.payload as PostBearing).post?.id).filter((id): id is string => !!id))];
  const rows = await loadPostRows(db, ids);
  const attachments = await loadAttachmentsForPosts(db, rows.map((r) => r.id));
  return new Map(rows.map((r) => [r.id, presentPost(r, viewer, attachments.get(r.id) ?? [])]));
}

function presentPostEvent(payload: PostBearing & Record<string, unknown>, posts: Map<string, Post>): unknown {
  // The mod topic's post.hidden carries no post (who hid it and why, for moderators only): as stored.
  if (!payload.post) return payload;
  const { id, threadId } = payload.post;
  const now = posts.get(id);
  const post = now ?? { id, threadId, deleted: true as const };
  return 'hidden' in payload ? { ...payload, post, hidden: now?.hidden ?? true } : { ...payload, post };
}

/** The threads these events are about, as summaries now; absent when deleted. */
async function currentThreads(db: Db, events: StoredEvent[]): Promise<Map<string, ThreadSummary>> {
  const ids = [...new Set(events.map((e) => (e.payload as { thread?: { id?: string } }).thread?.id).filter((id): id is string => !!id))];
  return loadThreadSummaries(db, ids);
}

function presentThreadChange(change: ThreadChange, now: ThreadSummary | undefined): ThreadChange {
  if (change.deleted || !now) return { id: change.id, deleted: true };
  // Only the fields the event was about, with their values of now.
  const fresh: Record<string, unknown> = { ...change };
  for (const key of Object.keys(change) as Array<keyof ThreadSummary>) if (key in now) fresh[key] = now[key];
  return fresh as ThreadChange;
}

/** Registers the `thread` topic kind and the replay presenters of post and thread events. */
export function registerThreadTopics(app: FastifyInstance): void {
  app.realtime.topic('thread', async (viewer, key) => {
    if (!isId(key)) return null;
    const row = await app.db.selectFrom('thread as t').innerJoin('channel as c', 'c.id', 't.channel_id').select(['t.id', 'c.id as channel_id', 'c.visibility']).where('t.id', '=', key).executeTakeFirst();
    return row && maySeeChannel(viewer, { id: row.channel_id, visibility: row.visibility }) ? topics.thread(key) : null;
  });

  const presentPosts = async (db: Db, viewer: Viewer, events: StoredEvent[]) => {
    const posts = await currentPosts(db, viewer, events);
    return events.map((e) => presentPostEvent(e.payload as PostBearing & Record<string, unknown>, posts));
  };
  app.realtime.presenter('reply.created', presentPosts);
  app.realtime.presenter('post.updated', presentPosts);
  app.realtime.presenter('post.hidden', presentPosts);

  // "Nuttig" counts as they are now (the post's current count; deleted posts keep their last one).
  app.realtime.presenter('post.appreciated', async (db, _viewer, events) => {
    const ids = [...new Set(events.map((e) => (e.payload as EventPayload<'post.appreciated'>).postId))];
    const rows = ids.length ? await db.selectFrom('post').select(['id', 'appreciation_count']).where('id', 'in', ids).execute() : [];
    const counts = new Map(rows.map((r) => [r.id, r.appreciation_count]));
    return events.map((e) => {
      const payload = e.payload as EventPayload<'post.appreciated'>;
      return { ...payload, appreciationCount: counts.get(payload.postId) ?? payload.appreciationCount } satisfies EventPayload<'post.appreciated'>;
    });
  });

  app.realtime.presenter('thread.created', async (db, _viewer, events) => {
    const threads = await currentThreads(db, events);
    return events.map((e) => {
      const { thread } = e.payload as EventPayload<'thread.created'>;
      const now = threads.get(thread.id);
      return { thread: now ?? { id: thread.id, deleted: true } } satisfies EventPayload<'thread.created'>;
    });
  });
  app.realtime.presenter('thread.updated', async (db, _viewer, events) => {
    const threads = await currentThreads(db, events);
    return events.map((e) => {
      const { thread } = e.payload as EventPayload<'thread.updated'>;
      return { thread: presentThreadChange(thread, threads.get(thread.id)) } satisfies EventPayload<'thread.updated'>;
    });
  });
}
