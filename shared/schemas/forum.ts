import { type Static, Type } from '@sinclair/typebox';
import { ConfirmSensitive } from './guardrail';
import { Author } from './accounts';
import { Attachment, AttachmentIds } from './attachments';
import { Id } from './common';
import { VideoSession } from './video-sessions';

export const TITLE_MAX_LENGTH = 200;
/** The Vraag statement: plain text, one short sentence or two. */
export const QUESTION_MAX_LENGTH = 300;
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
  /** Archived: still readable, no new threads; left out of the channel list unless asked for. */
  archived: Type.Optional(Type.Boolean()),
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

/** PATCH /api/channels/:slug (admin): any of name, description, posting policy, visibility, organisations; `archived` archives or restores. */
export const UpdateChannelBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 2, maxLength: 80 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    postingPolicy: Type.Optional(PostingPolicy),
    archived: Type.Optional(Type.Boolean()),
    /** Who may see it: everyone, or its members (closed channel). */
    visibility: Type.Optional(ChannelVisibility),
    /** The organisations whose verified members join a closed channel without asking. */
    organisationIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
/**
 * The best answer of a question: the reply's id, and on the thread page who wrote it and how it
 * starts (for "Beste antwoord" under the question). Thread lists carry only the id ("Beantwoord").
 */
export const AcceptedAnswer = Type.Object({
  postId: Id,
  author: Type.Optional(Type.Object({ id: Id, displayName: Type.String() })),
  excerpt: Type.Optional(Type.String()),
});
export type AcceptedAnswer = Static<typeof AcceptedAnswer>;

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
  /** The Vraag statement (questions only; null when none was given). */
  question: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  acceptedAnswer: Type.Optional(Type.Union([AcceptedAnswer, Type.Null()])),
  /** Per reader (signed in, visited before): replies posted since their last read. Absent otherwise. */
  newReplies: Type.Optional(Type.Integer()),
});
export type ThreadSummary = Static<typeof ThreadSummary>;

export const Thread = Type.Object({
  id: Id,
  channelSlug: Type.String(),
  channelName: Type.String(),
  title: Type.String(),
  kind: ThreadKind,
  /** The Vraag statement, plain text (questions only; null when none was given: show title and body as before). */
  question: Type.Union([Type.String(), Type.Null()]),
  acceptedAnswer: Type.Union([AcceptedAnswer, Type.Null()]),
  /** How many members marked the opening post "nuttig", and whether the reader did (signed-in readers). */
  appreciationCount: Type.Integer(),
  myAppreciation: Type.Optional(Type.Boolean()),
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
  /** How many members marked it "nuttig". */
  appreciationCount: Type.Integer(),
  /** Whether the reader marked it (signed-in readers only; a per-reader overlay, never in live events). */
  myAppreciation: Type.Optional(Type.Boolean()),
});
export type Post = Static<typeof Post>;

export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: MAX_TAGS });

export const CreateThreadBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: TITLE_MAX_LENGTH }),
    /** The Vraag statement (questions only): plain text. */
    question: Type.Optional(Type.String({ maxLength: QUESTION_MAX_LENGTH })),
    body: Type.String({ minLength: 1, maxLength: BODY_MAX_LENGTH }),
    kind: ThreadKind,
    tags: Type.Optional(Tags),
    attachmentIds: Type.Optional(AttachmentIds),
    confirmSensitive: ConfirmSensitive,
  },
  { additionalProperties: false },
);
export type CreateThreadBody = Static<typeof CreateThreadBody>;

export const CreateReplyBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: BODY_MAX_LENGTH }),
    attachmentIds: Type.Optional(AttachmentIds),
    quotePostId: Type.Optional(Id),
    confirmSensitive: ConfirmSensitive,
  },
  { additionalProperties: false },
);
export type CreateReplyBody = Static<typeof CreateReplyBody>;

export const UpdatePostBody = Type.Object(
  {
    body: Type.Optional(Type.String({ minLength: 1, maxLength: BODY_MAX_LENGTH })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: TITLE_MAX_LENGTH })),
    tags: Type.Optional(Tags),
    /** The Vraag statement (the opening post of a question only); empty clears it. */
    question: Type.Optional(Type.String({ maxLength: QUESTION_MAX_LENGTH })),
    confirmSensitive: ConfirmSensitive,
  },
  { additionalProperties: false },
);
export type UpdatePostBody = Static<typeof UpdatePostBody>;

export const AcceptAnswerBody = Type.Object({ postId: Id }, { additionalProperties: false });
export type AcceptAnswerBody = Static<typeof AcceptAnswerBody>;

/** Where the reader is in a thread (signed-in readers): the last post they read, null on a first visit. */
export const Reading = Type.Object({ lastReadPostId: Type.Union([Id, Type.Null()]) });
export type Reading = Static<typeof Reading>;

export const MarkReadBody = Type.Object({ postId: Id }, { additionalProperties: false });

/** What a member contributed, for their profile. */
export const Contributions = Type.Object({
  threads: Type.Integer(),
  replies: Type.Integer(),
  bestAnswers: Type.Integer(),
  appreciationsReceived: Type.Integer(),
});
export type Contributions = Static<typeof Contributions>;
