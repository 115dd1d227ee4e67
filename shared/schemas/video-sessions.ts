import { type Static, Type } from '@sinclair/typebox';
import { Author } from './accounts';
import { Id } from './common';

export const VideoSessionStatus = Type.Union([
  Type.Literal('requested'),
  Type.Literal('proposed'),
  Type.Literal('scheduled'),
  Type.Literal('cancelled'),
  Type.Literal('ended'),
]);

export const MyRegistration = Type.Object({
  status: Type.Union([Type.Literal('registered'), Type.Literal('waitlisted')]),
  position: Type.Optional(Type.Integer()),
});

export const VideoSession = Type.Object({
  id: Id,
  threadId: Id,
  title: Type.String(),
  description: Type.String(),
  status: VideoSessionStatus,
  organiser: Type.Union([Author, Type.Null()]),
  interestCount: Type.Integer(),
  startsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  durationMinutes: Type.Union([Type.Integer(), Type.Null()]),
  capacity: Type.Union([Type.Integer(), Type.Null()]),
  registeredCount: Type.Integer(),
  waitlistCount: Type.Integer(),
  myInterest: Type.Boolean(),
  myRegistration: Type.Union([MyRegistration, Type.Null()]),
  /** Only for registered users, the organiser and moderators. */
  meetingUrl: Type.Optional(Type.String()),
});
export type VideoSession = Static<typeof VideoSession>;
