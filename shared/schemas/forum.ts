import { type Static, Type } from '@sinclair/typebox';
import { Author } from './accounts';
import { Attachment, AttachmentIds } from './attachments';
import { Id } from './common';
import { VideoSession } from './video-sessions';

export const TITLE_MAX_LENGTH = 200;
export const BODY_MAX_LENGTH = 100_000;
export const MAX_TAGS = 5;

export const PostingPolicy = Type.Union([Type.Literal('experts_ask'), Type.Literal('open')]);
/** public: everyone reads it; members: only its members (and moderators) know it exists. */
export const ChannelVisibility = Type.Union([Type.Literal('public'), Type.Literal('members')]);
export const ThreadKind = Type.Union([Type.Literal('question'), Type.Literal('discussion')]);

export const Channel = Type.Object({
  id: Id,
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  postingPolicy: PostingPolicy,
  visibility: ChannelVisibility,
  /** The caller's place in a closed channel: member, channel moderator, member through their organisation, a pending request, or none. */
  myMembership: Type.Optional(Type.Union([Type.Literal('member'), Type.Literal('moderator'), Type.Literal('organisation'), Type.Literal('pending'), Type.Null()])),
  threadCount: Type.Integer(),
  lastActivityAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** In the channel list only: the most recently active thread, for the home page. */
  latestThread: Type.Optional(
    Type.Union([Type.Object({ id: Id, title: Type.String(), lastActivityAt: Type.String({ format: 'date-time' }) }), Type.Null()]),
  ),
});
export type Channel = Static<typeof Channel>;

export const CreateChannelBody = Type.Object(
  {
    slug: Type.String({ minLength: 2, maxLength: 60, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }),
    name: Type.String({ minLength: 2, maxLength: 80 }),
    description: Type.String({ maxLength: 500, default: '' }),
    postingPolicy: PostingPolicy,
    visibility: Type.Optional(ChannelVisibility),
  },
  { additionalProperties: false },
);

/** A thread in a channel list. */
export const ThreadSummary = Type.Object({
  id: Id,
  channelSlug: Type.String(),
  channelName: Type.String(),
  title: Type.String(),
  kind: ThreadKind,
  excerpt: Type.String(),
  author: Author,
  createdAt: Type.String({ format: 'date-time' }),
  replyCount: Type.Integer(),
  lastActivityAt: Type.String({ format: 'date-time' }),
  pinned: Type.Boolean(),
  locked: Type.Boolean(),
  tags: Type.Array(Type.String()),
});
export type ThreadSummary = Static<typeof ThreadSummary>;

export const Thread = Type.Object({
  id: Id,
  channelSlug: Type.String(),
  channelName: Type.String(),
  title: Type.String(),
  kind: ThreadKind,
  /** Sanitized HTML of the opening post (the Toelichting). */
  body: Type.String(),
  /** The opening post's id (edit it with PATCH /api/posts/:id). */
  postId: Id,
  author: Author,
  createdAt: Type.String({ format: 'date-time' }),
  editedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  replyCount: Type.Integer(),
  lastActivityAt: Type.String({ format: 'date-time' }),
  pinned: Type.Boolean(),
  locked: Type.Boolean(),
  tags: Type.Array(Type.String()),
  attachments: Type.Array(Attachment),
  videoSession: Type.Union([VideoSession, Type.Null()]),
  /** The opening post was hidden by a moderator (its body is empty for those who may not see it). */
  hidden: Type.Optional(Type.Boolean()),
  /** Only for moderators and the author when the opening post is hidden. */
  hiddenReason: Type.Optional(Type.String()),
});
export type Thread = Static<typeof Thread>;

export const Post = Type.Object({
  id: Id,
  threadId: Id,
  /** Sanitized HTML; empty when hidden and the viewer may not see it. */
  body: Type.String(),
  author: Author,
  createdAt: Type.String({ format: 'date-time' }),
  editedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  hidden: Type.Boolean(),
  /** Only for moderators and the author of a hidden post. */
  hiddenReason: Type.Optional(Type.String()),
  attachments: Type.Array(Attachment),
  quotePostId: Type.Union([Id, Type.Null()]),
});
export type Post = Static<typeof Post>;

export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: MAX_TAGS });

export const CreateThreadBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: TITLE_MAX_LENGTH }),
    body: Type.String({ minLength: 1, maxLength: BODY_MAX_LENGTH }),
    kind: ThreadKind,
    tags: Type.Optional(Tags),
    attachmentIds: Type.Optional(AttachmentIds),
  },
  { additionalProperties: false },
);
export type CreateThreadBody = Static<typeof CreateThreadBody>;

export const CreateReplyBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: BODY_MAX_LENGTH }),
    attachmentIds: Type.Optional(AttachmentIds),
    quotePostId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type CreateReplyBody = Static<typeof CreateReplyBody>;

export const UpdatePostBody = Type.Object(
  {
    body: Type.Optional(Type.String({ minLength: 1, maxLength: BODY_MAX_LENGTH })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: TITLE_MAX_LENGTH })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export type UpdatePostBody = Static<typeof UpdatePostBody>;
