import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common';

export const MAX_ATTACHMENTS_PER_POST = 10;
export const ATTACHMENT_DESCRIPTION_MAX_LENGTH = 300;

export const Attachment = Type.Object({
  id: Id,
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  /** Download URL (GET /api/attachments/:id/download). */
  url: Type.String(),
  /** What the handout is, in the uploader's words (may be empty): "Bijlage: <naam> — <beschrijving>". */
  description: Type.String(),
  /** Search could read its text (true) or not ("niet doorzoekbaar", false); absent: not yet, or not a document. */
  searchable: Type.Optional(Type.Boolean()),
});
export type Attachment = Static<typeof Attachment>;

export const AttachmentIds = Type.Array(Id, { maxItems: MAX_ATTACHMENTS_PER_POST, uniqueItems: true });

export const UpdateAttachmentBody = Type.Object({ description: Type.String({ maxLength: ATTACHMENT_DESCRIPTION_MAX_LENGTH }) }, { additionalProperties: false });
export type UpdateAttachmentBody = Static<typeof UpdateAttachmentBody>;
