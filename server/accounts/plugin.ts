import { topics } from '../../shared/events';
import { mayReadUserTopic } from '../policy';
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
import { changePassword, logIn, myAccount, publicProfile, setRole, signUp, updateProfile } from './accounts';
import { requireRole, requireUser, requireWriter } from './guards';
import { toPublicProfile, toUser } from './present';

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
      const { user, cookie } = await signUp(app.db, app.sessions, request.body);
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
      const { user, cookie } = await logIn(app.db, app.sessions, request.body.email, request.body.password, request.sessionId);
      reply.header('set-cookie', cookie);
      return { user: toUser(user, { withEmail: true }) };
    },
  );

  app.post('/api/auth/logout', { schema: { tags, summary: 'Sign out (ends the session server-side)', response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    if (request.sessionId) await app.sessions.invalidate(request.sessionId);
    reply.header('set-cookie', app.sessions.blankCookie()).status(204);
  });

  app.get('/api/me', { schema: { tags, summary: 'The signed-in user', response: { 200: UserResponse, ...errors } } }, async (request) => ({ user: toUser(await myAccount(app.db, requireUser(request)), { withEmail: true }) }));

  app.patch('/api/me', { schema: { tags, summary: 'Update my profile', body: UpdateMeBody, response: { 200: UserResponse, ...errors } } }, async (request) => ({ user: toUser(await updateProfile(app.db, requireWriter(request), request.body), { withEmail: true }) }));

  app.post(
    '/api/me/password',
    {
      schema: { tags, summary: 'Change my password; every other session ends', body: ChangePasswordBody, response: { 200: UserResponse, ...errors } },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { user, cookie } = await changePassword(app.db, app.sessions, requireUser(request), request.body);
      reply.header('set-cookie', cookie);
      return { user: toUser(user, { withEmail: true }) };
    },
  );

  app.get(
    '/api/users/:id',
    { schema: { tags, summary: 'Public profile', params: IdParams, response: { 200: Type.Object({ user: PublicProfile }), ...errors } } },
    async (request) => ({ user: toPublicProfile(await publicProfile(app.db, request.params.id)) }),
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
    async (request) => ({ user: toUser(await setRole(app.db, requireRole(request, 'admin'), request.params.id, request.body), { withEmail: true }) }),
  );
};

export default accountRoutes;
