import { type Static, Type } from '@sinclair/typebox';
import { Author } from './accounts';
import { AuditReason, Id, PageQuery } from './common';

const Reason = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' });

export const HideBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const MoveBody = Type.Object({ channelSlug: Type.String({ minLength: 1, maxLength: 60 }), reason: AuditReason }, { additionalProperties: false });
export const ThreadActionBody = Type.Object({ reason: AuditReason }, { additionalProperties: false });
export const ReportBody = Type.Object({ postId: Id, reason: Reason }, { additionalProperties: false });
export const SuspendBody = Type.Object({ until: Type.String({ format: 'date-time' }), reason: Reason }, { additionalProperties: false });
export const ResolveBody = Type.Object(
  {
    resolution: Type.Union([Type.Literal('hide'), Type.Literal('dismiss'), Type.Literal('suspend')]),
    reason: AuditReason,
    until: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const Report = Type.Object({ id: Id, postId: Id, reason: Type.String(), status: Type.String(), createdAt: Type.String() });
/** What POST /api/reports answers (201): the report just made, without its time. */
export const NewReport = Type.Omit(Report, ['createdAt']);

/** The moderators' queue: open reports grouped per post, first come first served. */
export const ReportQueueQuery = Type.Object({
  status: Type.Optional(Type.Literal('open')),
  /** Only the reports on posts of this thread (the thread page shows moderators what is reported). */
  threadId: Type.Optional(Id),
  cursor: PageQuery.properties.cursor,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const ReportGroup = Type.Object({
  /** Resolve the whole group with any of its report ids. */
  reportId: Id,
  count: Type.Integer(),
  post: Type.Object({ id: Id, threadId: Id, threadTitle: Type.String(), excerpt: Type.String(), author: Author, hidden: Type.Boolean() }),
  reports: Type.Array(Type.Object({ id: Id, reason: Type.String(), reporter: Author, createdAt: Type.String() })),
});
export type ReportGroup = Static<typeof ReportGroup>;

export const AuditEntry = Type.Object({
  id: Id,
  actor: Author,
  action: Type.String(),
  targetType: Type.String(),
  targetId: Id,
  reason: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
  /** The target in words: a thread's title, a post's excerpt (and its thread), a user's name; a move's channels. */
  target: Type.Object({
    label: Type.String(),
    threadId: Type.Optional(Id),
    threadTitle: Type.Optional(Type.String()),
    fromChannel: Type.Optional(Type.String()),
    toChannel: Type.Optional(Type.String()),
  }),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object({
  actor: Type.Optional(Id),
  targetType: Type.Optional(Type.String({ maxLength: 40 })),
  targetId: Type.Optional(Id),
  action: Type.Optional(Type.String({ maxLength: 40 })),
  ...PageQuery.properties,
});

export const Revision = Type.Object({
  id: Id,
  editor: Author,
  title: Type.Union([Type.String(), Type.Null()]),
  /** The Vraag statement before this edit (opening posts of questions). */
  question: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  body: Type.String(),
  createdAt: Type.String(),
});
export type Revision = Static<typeof Revision>;
