import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams, Page } from '../../shared/schemas/common';
import { AgendaItem, CalendarFeed, MyRegistration, MySessionItem, RegisterQuery, RequestSessionBody, SummaryBody, UpdateSessionBody, VideoSession } from '../../shared/schemas/video-sessions';
import { SensitiveDataError } from '../../shared/schemas/guardrail';
import { calendarFeed, myCalendarFeed, regenerateCalendarFeed, revokeCalendarFeed } from './calendar-feed';
import { requireUser, requireWriter } from '../accounts/guards';
import { addSummary, agenda, attendeeList, attendeeWorkbook, calendarEntry, changeSession, getSession, mySessions, register, requestSession, setInterest, takeOn, unregister } from './sessions';

const tags = ['video-sessions'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const SessionResponse = Type.Object({ videoSession: VideoSession });

/** Follow-up video sessions: request, propose, interest, schedule, register with a waitlist, calendar, attendees. */
const videoSessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;

  app.post(
    '/api/threads/:id/video-session',
    { schema: { tags, summary: 'Propose (thread author, expert, moderator) or request (anyone) a follow-up video session', params: IdParams, body: Type.Optional(RequestSessionBody), response: { 200: SessionResponse, 201: SessionResponse, ...errors } } },
    async (request, reply) => {
      const { status, videoSession } = await requestSession(db, requireWriter(request), request.params.id, request.body);
      return reply.status(status).send({ videoSession });
    },
  );

  app.get('/api/video-sessions/:id', { schema: { tags, summary: 'A video session as the caller sees it', params: IdParams, response: { 200: SessionResponse, ...errors } } }, async (request) => ({ videoSession: await getSession(db, request.user, request.params.id) }));

  app.post(
    '/api/video-sessions/:id/take-on',
    { schema: { tags, summary: 'Become the organiser of a requested session (thread author, expert, moderator)', params: IdParams, response: { 200: SessionResponse, ...errors } } },
    async (request) => ({ videoSession: await takeOn(db, requireWriter(request), request.params.id) }),
  );

  for (const method of ['POST', 'DELETE'] as const) {
    app.route({
      method,
      url: '/api/video-sessions/:id/interest',
      schema: { tags, summary: method === 'POST' ? 'Say "Ik heb interesse"' : 'Take interest back', params: IdParams, response: { 200: SessionResponse, ...errors } },
      handler: async (request) => ({ videoSession: await setInterest(db, requireWriter(request), (request.params as { id: string }).id, method === 'POST') }),
    });
  }

  app.patch(
    '/api/video-sessions/:id',
    { schema: { tags, summary: 'Schedule, reschedule or cancel (organiser or moderator)', params: IdParams, body: UpdateSessionBody, response: { 200: SessionResponse, ...errors } } },
    async (request) => ({ videoSession: await changeSession(db, requireWriter(request), request.params.id, request.body) }),
  );

  app.post(
    '/api/video-sessions/:id/registrations',
    { schema: { tags, summary: 'Register; when full you are waitlisted with a position. With startsAt (from a notification): 409 session_moved when the time changed since', params: IdParams, querystring: RegisterQuery, response: { 200: Type.Object({ registration: MyRegistration }), 201: Type.Object({ registration: MyRegistration }), ...errors } } },
    async (request, reply) => {
      const { status, registration } = await register(db, requireWriter(request), request.params.id, request.query);
      return reply.status(status).send({ registration });
    },
  );

  app.delete(
    '/api/video-sessions/:id/registrations/me',
    { schema: { tags, summary: 'Cancel my registration; the first on the waitlist moves up', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await unregister(db, requireWriter(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/video-sessions/:id/calendar.ics',
    { schema: { tags, summary: 'Calendar entry (registered users, organiser, moderators)', params: IdParams, response: { ...errors } } },
    async (request, reply) => {
      const file = await calendarEntry(db, requireUser(request), request.params.id, app.config.publicUrl);
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body as never);
    },
  );

  app.get(
    '/api/video-sessions/:id/attendees.csv',
    { schema: { tags, summary: 'Attendee list for Excel (organiser or moderator)', params: IdParams, response: { ...errors } } },
    async (request, reply) => {
      const file = await attendeeList(db, requireUser(request), request.params.id);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body as never);
    },
  );

  app.get(
    '/api/video-sessions/:id/attendees.xlsx',
    { schema: { tags, summary: 'Attendee list as an Excel workbook: registered and waitlisted on separate sheets (organiser or moderator)', params: IdParams, response: { ...errors } } },
    async (request, reply) => {
      const file = await attendeeWorkbook(db, requireUser(request), request.params.id);
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body as never);
    },
  );

  app.post(
    '/api/video-sessions/:id/summary',
    { schema: { tags, summary: 'After the session: the summary and recording link, posted as the organiser\'s reply; registrants are told (organiser or moderator)', params: IdParams, body: SummaryBody, response: { 200: SessionResponse, 422: SensitiveDataError, ...errors } } },
    async (request) => ({ videoSession: await addSummary(db, requireWriter(request), request.params.id, request.body) }),
  );

  app.get(
    '/api/video-sessions/upcoming',
    { schema: { tags, summary: 'The agenda: upcoming scheduled sessions, soonest first, in the channels the caller may read', querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }), response: { 200: Page(AgendaItem), ...errors } } },
    async (request) => agenda(db, request.user, request.query),
  );

  app.get(
    '/api/me/video-sessions',
    { schema: { tags, summary: 'Sessions I organise, am registered or waitlisted for, or am interested in; upcoming first', response: { 200: Type.Object({ items: Type.Array(MySessionItem) }), ...errors } } },
    async (request) => ({ items: await mySessions(db, requireUser(request)) }),
  );

  app.get(
    '/api/me/calendar-feed',
    { schema: { tags, summary: 'The address of my personal calendar feed (null when none was made)', response: { 200: CalendarFeed, ...errors } } },
    async (request) => ({ url: await myCalendarFeed(db, app.config, requireUser(request)) }),
  );

  app.post(
    '/api/me/calendar-feed',
    { schema: { tags, summary: 'Make a new address for my calendar feed; the old one stops working', response: { 200: Type.Object({ url: Type.String() }), ...errors } } },
    async (request) => ({ url: await regenerateCalendarFeed(db, app.config, requireUser(request)) }),
  );

  app.delete(
    '/api/me/calendar-feed',
    { schema: { tags, summary: 'Turn my calendar feed off', response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await revokeCalendarFeed(db, requireUser(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/calendar.ics',
    { schema: { tags, summary: 'My personal iCalendar feed behind its secret token (no session needed); 404 for a forged or revoked token', querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }), response: { ...errors } } },
    async (request, reply) => {
      const body = await calendarFeed(db, app.config, request.query.token);
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, no-store').send(body as never);
    },
  );
};

export default videoSessionRoutes;
