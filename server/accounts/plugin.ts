import { topics } from '../../shared/events';
import { mayReadUserTopic } from '../policy';
import type { Selectable } from 'kysely';
import type { UserTable } from '../db/tables/accounts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ChangePasswordBody,
  LoginBody,
  PublicProfile,
  SetRoleBody,
  SignupBody,
  UpdateMeBody,
  UserResponse,
} from '../../shared/schemas/accounts';
import { ErrorBody, IdParams } from '../../shared/schemas/common';
import { ApiError, conflict, notFound } from '../http/errors';
import { recordAction } from '../moderation/audit';
import { requireRole, requireUser, requireWriter } from './guards';
import { hashPassword, requirePassword, verifyPassword } from './password';
import { toPublicProfile, toUser } from './present';
import { findUserByEmail, findUserById } from './users';
import { isUniqueViolation } from '../db/errors';

const tags = ['accounts'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // user:<id> (or user:me): one's own notifications, only while the session lives.
  app.realtime.topic('user', async (viewer, key, { sessionAlive }) => {
    if (!viewer || !mayReadUserTopic(viewer, key === 'me' ? viewer.id : key)) return null;
    return (await sessionAlive()) ? topics.user(viewer.id) : null;
  });
  const limits = app.config.rateLimits;

  app.post(
    '/api/auth/signup',
    {
      schema: { tags, summary: 'Create an account and sign in', body: SignupBody, response: { 201: UserResponse, ...errors } },
      config: { rateLimit: { max: limits.signupPerHour, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const { email, password, displayName } = request.body;
      const passwordHash = await hashPassword(password);
      let user: Selectable<UserTable>;
      try {
        user = await app.db
          .insertInto('user')
          .values({ email: email.trim(), display_name: displayName.trim(), password_hash: passwordHash, avatar_key: null, suspended_until: null, suspension_reason: null })
          .returningAll()
          .executeTakeFirstOrThrow();
      } catch (err) {
        if (isUniqueViolation(err, 'user_email_lower_idx')) throw conflict('email_taken', 'An account with this email address already exists.');
        throw err;
      }
      const { cookie } = await app.sessions.create(user.id);
      reply.header('set-cookie', cookie).status(201);
      return { user: toUser(user, { withEmail: true }) };
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: { tags, summary: 'Sign in', body: LoginBody, response: { 200: UserResponse, ...errors } },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const user = await findUserByEmail(app.db, email);
      const ok = await verifyPassword(user?.password_hash ?? null, password);
      if (!user || !ok) throw new ApiError(401, 'invalid_credentials', 'Email address or password is incorrect.');
      if (request.sessionId) await app.sessions.invalidate(request.sessionId);
      const { cookie } = await app.sessions.create(user.id);
      reply.header('set-cookie', cookie);
      return { user: toUser(user, { withEmail: true }) };
    },
  );

  app.post('/api/auth/logout', { schema: { tags, summary: 'Sign out (ends the session server-side)', response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    if (request.sessionId) await app.sessions.invalidate(request.sessionId);
    reply.header('set-cookie', app.sessions.blankCookie()).status(204);
  });

  app.get('/api/me', { schema: { tags, summary: 'The signed-in user', response: { 200: UserResponse, ...errors } } }, async (request) => {
    const me = requireUser(request);
    const user = await findUserById(app.db, me.id);
    if (!user) throw notFound('user');
    return { user: toUser(user, { withEmail: true }) };
  });

  app.patch('/api/me', { schema: { tags, summary: 'Update my profile', body: UpdateMeBody, response: { 200: UserResponse, ...errors } } }, async (request) => {
    const me = requireWriter(request);
    const b = request.body;
    const user = await app.db
      .updateTable('user')
      .set({
        ...(b.displayName !== undefined ? { display_name: b.displayName.trim() } : {}),
        ...(b.jobTitle !== undefined ? { job_title: b.jobTitle.trim() } : {}),
        ...(b.organisation !== undefined ? { organisation: b.organisation.trim() } : {}),
        ...(b.bio !== undefined ? { bio: b.bio.trim() } : {}),
        ...(b.locale !== undefined ? { locale: b.locale } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', me.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { user: toUser(user, { withEmail: true }) };
  });

  app.post(
    '/api/me/password',
    {
      schema: { tags, summary: 'Change my password; every other session ends', body: ChangePasswordBody, response: { 200: UserResponse, ...errors } },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const me = requireUser(request);
      const user = await requirePassword(app.db, me.id, request.body.currentPassword, 'currentPassword');
      await app.db.updateTable('user').set({ password_hash: await hashPassword(request.body.newPassword), updated_at: new Date() }).where('id', '=', me.id).execute();
      await app.sessions.invalidateAllForUser(me.id);
      const { cookie } = await app.sessions.create(me.id);
      reply.header('set-cookie', cookie);
      return { user: toUser(user, { withEmail: true }) };
    },
  );

  app.get(
    '/api/users/:id',
    { schema: { tags, summary: 'Public profile', params: IdParams, response: { 200: Type.Object({ user: PublicProfile }), ...errors } } },
    async (request) => {
      const user = await findUserById(app.db, request.params.id);
      if (!user) throw notFound('user');
      return { user: toPublicProfile(user) };
    },
  );

  app.put(
    '/api/admin/users/:id/role',
    {
      schema: {
        tags,
        summary: 'Appoint experts, moderators and admins (admin only); written to the audit log with an optional reason',
        params: IdParams,
        body: SetRoleBody,
        response: { 200: UserResponse, ...errors },
      },
    },
    async (request) => {
      const admin = requireRole(request, 'admin');
      const user = await app.db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('user').select('role').where('id', '=', request.params.id).forUpdate().executeTakeFirst();
        if (!before) throw notFound('user');
        const updated = await trx
          .updateTable('user')
          .set({ role: request.body.role, updated_at: new Date() })
          .where('id', '=', request.params.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAction(trx, { actorId: admin.id, action: 'set_role', targetType: 'user', targetId: updated.id, reason: request.body.reason?.trim(), data: { from: before.role, to: updated.role } });
        return updated;
      });
      return { user: toUser(user, { withEmail: true }) };
    },
  );
};

export default accountRoutes;
