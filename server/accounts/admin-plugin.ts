import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AdminReasonBody, AdminUsersPage, AdminUsersQuery, StatusResponse, UserResponse } from '../../shared/schemas/accounts';
import { ErrorBody, IdParams } from '../../shared/schemas/common';
import { adminResendVerification, publicProfile } from './accounts';
import { listUsersForAdmin } from './admin';
import { requireRole } from './guards';
import { toUser } from './present';
import { resetTwoFactor } from './two-factor';

const tags = ['accounts'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/** The Beheer page's account work (admins). Roles: PUT /api/admin/users/:id/role; suspensions: /api/mod/users/:id/suspend. */
const adminAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/admin/users', { schema: { tags, summary: 'Accounts, newest first; q searches name and e-mail (admin)', querystring: AdminUsersQuery, response: { 200: AdminUsersPage, ...errors } } }, async (request) =>
    listUsersForAdmin(app.db, requireRole(request, 'admin'), request.query),
  );

  app.post(
    '/api/admin/users/:id/verification',
    { schema: { tags, summary: 'Send the verification link again (admin); 409 when the address is verified', params: IdParams, response: { 202: StatusResponse, ...errors } } },
    async (request, reply) => {
      await adminResendVerification(app.db, app.config, requireRole(request, 'admin'), request.params.id);
      app.accountMails.kick();
      return reply.status(202).send({ status: 'verification_sent' });
    },
  );

  app.delete(
    '/api/admin/users/:id/2fa',
    { schema: { tags, summary: "Turn someone's two-factor sign-in off, e.g. after a lost phone (admin; in the audit log)", params: IdParams, body: AdminReasonBody, response: { 200: UserResponse, ...errors } } },
    async (request) => {
      const admin = requireRole(request, 'admin');
      await resetTwoFactor(app.db, admin, request.params.id, request.body?.reason);
      return { user: toUser(await publicProfile(app.db, request.params.id), { withEmail: true }) };
    },
  );
};

export default adminAccountRoutes;
