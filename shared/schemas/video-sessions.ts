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
  /** After the session: the organiser's summary reply and the recording link, when given. */
  summaryPostId: Type.Optional(Id),
  recordingUrl: Type.Optional(Type.String()),
});
export type VideoSession = Static<typeof VideoSession>;

export const RequestSessionBody = Type.Object(
  { title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), description: Type.Optional(Type.String({ maxLength: 5000 })) },
  { additionalProperties: false },
);

/** An absolute http(s) link: no spaces, control characters or quotes (they break calendar files). */
export const MEETING_URL_PATTERN = '^https?://[^\\s\\x00-\\x1f\\x7f<>"{}|\\\\^`]+$';

export const UpdateSessionBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    startsAt: Type.Optional(Type.String({ format: 'date-time' })),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 15, maximum: 480 })),
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    meetingUrl: Type.Optional(Type.String({ maxLength: 2000, pattern: MEETING_URL_PATTERN, description: 'an absolute http(s) link without spaces' })),
    status: Type.Optional(Type.Literal('cancelled')),
  },
  { additionalProperties: false },
);

/** Registering, optionally for the time the caller was told (`?startsAt=` from a notification): a moved session is 409 session_moved. */
export const RegisterQuery = Type.Object({ startsAt: Type.Optional(Type.String({ format: 'date-time' })) });

export const MyRole = Type.Union([Type.Literal('organiser'), Type.Literal('registered'), Type.Literal('waitlisted'), Type.Literal('interested')]);

export const MySessionItem = Type.Object({
  videoSession: VideoSession,
  thread: Type.Object({ id: Type.String(), title: Type.String() }),
  myRole: MyRole,
});
export type MySessionItem = Static<typeof MySessionItem>;

export const AgendaItem = Type.Object({ videoSession: VideoSession, thread: Type.Object({ id: Id, title: Type.String(), channelSlug: Type.String() }) });
export type AgendaItem = Static<typeof AgendaItem>;

export const SummaryBody = Type.Object(
  {
    summary: Type.String({ minLength: 1, maxLength: 20000, pattern: '\\S' }),
    recordingUrl: Type.Optional(Type.String({ maxLength: 2000, pattern: MEETING_URL_PATTERN })),
    confirmSensitive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const CalendarFeed = Type.Object({ url: Type.Union([Type.String(), Type.Null()]) });
