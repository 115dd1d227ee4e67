// Every live event Plein pushes, with its payload, and the topics they travel on. The server appends
// these (server/realtime/outbox.ts) and the client handles them (client/src/lib/realtime.ts): one
// catalogue, so neither can send or expect a shape the other does not know.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Id } from './schemas/common';
import { Channel, Post, ThreadSummary } from './schemas/forum';
import { Notification } from './schemas/notifications';
import { VideoSession } from './schemas/video-sessions';

export { type Topic, topics } from './topics';

/** A deleted post as every reader sees it now. */
export const PostTombstone = Type.Object({ id: Id, threadId: Id, deleted: Type.Literal(true) });
export type PostTombstone = Static<typeof PostTombstone>;

/** A hidden post as readers who may not see it get it: the fact, never the content. */
export const HiddenPostStub = Type.Object({ id: Id, threadId: Id, hidden: Type.Literal(true), body: Type.Literal(''), attachments: Type.Array(Type.Never()) });

/** What changed about a thread: always its id, then the fields that changed (or that it is gone or moved). */
export const ThreadChange = Type.Intersect([
  Type.Partial(ThreadSummary),
  Type.Object({
    id: Id,
    deleted: Type.Optional(Type.Literal(true)),
    moved: Type.Optional(Type.Literal(true)),
    fromChannelSlug: Type.Optional(Type.String()),
  }),
]);
export type ThreadChange = Static<typeof ThreadChange>;

const ModerationNote = Type.Object({ action: Type.String(), actorId: Id, reason: Type.String() });

export const EventPayloads = {
  /** On channel:<slug>: a channel was created (caches of the channel list follow it). */
  'channel.created': Type.Object({ channel: Channel }),
  /** A channel renamed, re-described, archived or closed (its visibility changed). */
  'channel.updated': Type.Object({ channel: Channel }),
  /** On user:<id>: an author line changed (name, job, organisation, photo, role; without userId: several). Cached pages that show it are stale. */
  'author.updated': Type.Object({ userId: Type.Optional(Id) }),
  /** On channel:<slug>: a new thread (or one moved in). A tombstone when it was deleted since (replay). */
  'thread.created': Type.Object({ thread: Type.Union([ThreadSummary, Type.Object({ id: Id, deleted: Type.Literal(true) })]) }),
  /** On thread:<id> and channel:<slug>: counts, title, tags, excerpt, pinned/locked, moved or deleted. */
  'thread.updated': Type.Object({ thread: ThreadChange }),
  /** On thread:<id>: a new reply (a tombstone when it was deleted since: replay). */
  'reply.created': Type.Object({ post: Type.Union([Post, PostTombstone]) }),
  /** On thread:<id>: an edited, hidden, shown or deleted post, as the receiver may see it. */
  'post.updated': Type.Object({ post: Type.Union([Post, PostTombstone, HiddenPostStub]), moderation: Type.Optional(ModerationNote) }),
  /** On thread:<id> (everyone: the fact) and on mod (moderators: who and why). */
  'post.hidden': Type.Union([
    Type.Object({ postId: Id, threadId: Id, hidden: Type.Boolean(), post: Type.Union([Post, PostTombstone, HiddenPostStub]) }),
    Type.Object({ postId: Id, threadId: Id, threadTitle: Type.String(), actorId: Id, reason: Type.String() }),
  ]),
  /** On thread:<id>: how many members now find a post "nuttig" (never who). */
  'post.appreciated': Type.Object({ postId: Id, threadId: Id, appreciationCount: Type.Integer() }),
  /** On thread:<id>: the session as everyone sees it (no meeting link). */
  'video_session.updated': Type.Object({ videoSession: VideoSession }),
  /** On mod (moderators): how many report groups and held posts wait for a decision ("Moderatie (3)"). */
  'moderation.count': Type.Object({ openCount: Type.Integer() }),
  /** On user:<id>: a new or grown notification, and the unread count after it. */
  'notification.created': Type.Object({ notification: Type.Omit(Notification, ['text']), unreadCount: Type.Integer() }),
} satisfies Record<string, TSchema>;

export type EventName = keyof typeof EventPayloads;
export const EVENT_NAMES = Object.keys(EventPayloads) as EventName[];
export type EventPayload<K extends EventName> = Static<(typeof EventPayloads)[K]>;

/** One event frame as the client receives it, narrowed by `event`. */
export type LiveEvent = { [K in EventName]: { id: string; topic: string; event: K; data: EventPayload<K> } }[EventName];
