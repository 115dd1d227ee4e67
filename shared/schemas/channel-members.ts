import { type Static, Type } from '@sinclair/typebox';
import { Author } from './accounts';
import { UpdateChannelBody } from './forum';
import { Id } from './common';

export const MOTIVATION_MAX_LENGTH = 1000;

/** POST /api/channels/:slug/membership-requests */
export const MembershipRequestBody = Type.Object(
  { motivation: Type.String({ minLength: 1, maxLength: MOTIVATION_MAX_LENGTH, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const MembershipRequest = Type.Object({
  id: Id,
  channelSlug: Type.String(),
  user: Author,
  motivation: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('declined')]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type MembershipRequest = Static<typeof MembershipRequest>;

/** The part of PATCH /api/channels/:slug that says who may see a channel. */
export const ChannelAccessBody = Type.Pick(UpdateChannelBody, ['visibility', 'organisationIds']);

export const ChannelMember = Type.Object({ user: Author, role: Type.Union([Type.Literal('member'), Type.Literal('moderator')]), since: Type.String({ format: 'date-time' }) });
