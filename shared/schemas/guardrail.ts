import { type Static, Type } from '@sinclair/typebox';
import { Author } from './accounts';
import { Id } from './common';

export const SensitiveFinding = Type.Object({
  kind: Type.Union([Type.Literal('bsn'), Type.Literal('iban'), Type.Literal('birthdate')]),
  excerpt: Type.String(),
});

/** 422 sensitive_data: what the guardrail found; send again with `confirmSensitive: true` to hold the post for moderators. */
export const SensitiveDataError = Type.Object({
  error: Type.Object({ code: Type.Literal('sensitive_data'), message: Type.String(), findings: Type.Array(SensitiveFinding) }),
});

/** Body field of thread, reply and edit requests: "Toch plaatsen". */
export const ConfirmSensitive = Type.Optional(Type.Boolean({ description: 'publish despite a 422 sensitive_data: the post is held for moderators' }));

/** A post held for moderators, in their queue. */
export const HeldPost = Type.Object({
  post: Type.Object({ id: Id, threadId: Id, threadTitle: Type.String(), excerpt: Type.String(), author: Author, isOpening: Type.Boolean() }),
  findings: Type.Array(SensitiveFinding),
  heldAt: Type.String(),
});
export type HeldPost = Static<typeof HeldPost>;

export const HeldDecisionBody = Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('remove')]) }, { additionalProperties: false });
