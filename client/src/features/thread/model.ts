// The thread page's data and how changes (live events, the reader's own actions) are applied to it.
import type { Post, Reading, Thread } from '../../../../shared/schemas/forum';

export interface ThreadData {
  thread: Thread;
  replies: Post[];
  nextCursor: string | null;
  lastEventId: string;
  /** Signed-in readers: where they were before this visit (fixed for the visit: the divider stays put). */
  reading?: Reading;
}

/** Oldest first: ids are decimal strings of increasing numbers. */
export const oldestFirst = (a: { id: string }, b: { id: string }) => compareIds(a.id, b.id);
export const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** A post as a live event or the reader's action gives it: whole, or only what changed. */
export type PostChange = Partial<Post> & { id: string; deleted?: boolean };

/**
 * Puts a changed post into the page: the opening post into the thread, a reply in its place in the
 * list (also one loaded with "Meer laden"); a deleted reply leaves the list. The live payload of a
 * hidden post is what members see (no body): its own author (`viewerId`) keeps the body they had.
 * Live payloads carry no `myAppreciation` (it is the reader's own): the one the page has stays.
 */
export function applyPost(d: ThreadData, changed: PostChange, viewerId?: string): ThreadData {
  if (changed.deleted) {
    const accepted = d.thread.acceptedAnswer?.postId === changed.id ? { acceptedAnswer: null } : {};
    return { ...d, thread: { ...d.thread, ...accepted }, replies: d.replies.filter((p) => p.id !== changed.id) };
  }
  if (d.thread.postId === changed.id) {
    const moderation = changed.hidden !== undefined ? { hidden: changed.hidden, hiddenReason: changed.hiddenReason, attachments: changed.attachments ?? d.thread.attachments } : {};
    return {
      ...d,
      thread: {
        ...d.thread,
        body: changed.body ?? d.thread.body,
        editedAt: changed.editedAt ?? d.thread.editedAt,
        appreciationCount: changed.appreciationCount ?? d.thread.appreciationCount,
        myAppreciation: changed.myAppreciation ?? d.thread.myAppreciation,
        ...moderation,
      },
    };
  }
  return {
    ...d,
    replies: d.replies.map((p) => {
      if (p.id !== changed.id) return p;
      const merged = { ...p, ...changed, myAppreciation: changed.myAppreciation ?? p.myAppreciation };
      return changed.hidden && viewerId !== undefined && p.author.id === viewerId ? { ...merged, body: p.body } : merged;
    }),
  };
}

/** A new reply (live, or the reader's own): once, in order, counted. */
export function addReply(d: ThreadData, post: Post): ThreadData {
  if (d.replies.some((p) => p.id === post.id)) return d;
  return { ...d, replies: [...d.replies, post].sort(oldestFirst), thread: { ...d.thread, replyCount: d.thread.replyCount + 1 } };
}

/** The "nuttig" count of a post as pushed live. */
export function applyAppreciationCount(d: ThreadData, postId: string, count: number): ThreadData {
  return applyPost(d, { id: postId, appreciationCount: count });
}

/** The link to a post: its thread's page at that post. */
export const postUrl = (threadPath: string, postId: string) => `${location.origin}${threadPath}#post-${postId}`;
