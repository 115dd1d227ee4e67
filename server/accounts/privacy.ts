import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DeleteAccountBody } from '../../shared/schemas/accounts';
import { ErrorBody } from '../../shared/schemas/common';
import { requireUser } from './guards';
import { eraseAccount, exportMyData } from './erase';

/** AVG/GDPR: a member can download everything Plein holds about them, and delete their account. */
const privacyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;

  app.get('/api/me/export', { schema: { tags: ['accounts'], summary: 'Download all my data (AVG inzageverzoek)', response: { 401: ErrorBody } } }, async (request, reply) => {
    const me = requireUser(request);
    const data = await exportMyData(db, me.id);
    return reply
      .header('content-disposition', `attachment; filename="plein-gegevens-${me.id}.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2) as never);
  });

  app.delete(
    '/api/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Delete my account: personal data is erased, posts stay as "Verwijderd account"',
        body: DeleteAccountBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody },
      },
      config: { rateLimit: { max: app.config.rateLimits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      await eraseAccount(db, requireUser(request).id, request.body.password);
      return reply.header('set-cookie', app.sessions.blankCookie()).status(204).send(null);
    },
  );
};

export default privacyRoutes;
