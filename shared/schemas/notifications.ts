import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common';

export const SubscriptionLevel = Type.Union([Type.Literal('watching'), Type.Literal('normal'), Type.Literal('muted')]);
export const SubscriptionBody = Type.Object(
  { targetType: Type.Union([Type.Literal('channel'), Type.Literal('thread')]), targetId: Type.String({ minLength: 1, maxLength: 60 }), level: SubscriptionLevel },
  { additionalProperties: false },
);

export const Notification = Type.Object({
  id: Id,
  kind: Type.String(),
  threadId: Type.Union([Id, Type.Null()]),
  postId: Type.Union([Id, Type.Null()]),
  count: Type.Integer(),
  /** A Dutch sentence for lists and mails ("3 nieuwe reacties op …"). */
  text: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  read: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Notification = Static<typeof Notification>;

export const ReadBody = Type.Union([
  Type.Object({ ids: Type.Array(Id, { minItems: 1, maxItems: 200 }) }, { additionalProperties: false }),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);

export const NotificationSettings = Type.Object({ emailFrequency: Type.Union([Type.Literal('immediately'), Type.Literal('daily'), Type.Literal('never')]) }, { additionalProperties: false });
