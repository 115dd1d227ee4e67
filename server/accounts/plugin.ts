import { topics } from '../../shared/events';
import { mayReadUserTopic } from '../policy';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ChangeEmailBody,
  ChangePasswordBody,
  CodeBody,
  EmailBody,
  LoginBody,
  LoginResponse,
  PasswordResetConfirmBody,
  StatusResponse,
  TokenBody,
  PublicProfile,
  SetRoleBody,
  SignupBody,
  UpdateMeBody,
  UserResponse,
} from '../../shared/schemas/accounts';
import { ErrorBody, IdParams } from '../../shared/schemas/common';
import {
  VERIFICATION_SENT,
  changePassword,
  completeTwoFactorLogin,
  confirmPasswordReset,
  logIn,
  myAccount,
  publicProfile,
  requestEmailChange,
  requestPasswordReset,
  resendVerification,
  setRole,
  signUp,
  updateProfile,
  verifyEmail,
} from './accounts';
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
      schema: { tags, summary: 'Create an account: a verification link is mailed (no session; the same 202 for an address that has an account)', body: SignupBody, response: { 202: StatusResponse, ...errors } },
      config: { rateLimit: { max: limits.signupPerHour, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      const answer = await signUp(app.db, app.config, request.body);
      app.accountMails.kick();
      return reply.status(202).send({ ...answer, ...(app.config.devMailPage ? { devOutbox: '/_dev/mail' } : {}) });
    },
  );

  app.post(
    '/api/auth/verify-email',
    {
      schema: { tags, summary: 'The link from the verification mail: verifies the address and signs in', body: TokenBody, response: { 200: UserResponse, ...errors } },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { user, cookie } = await verifyEmail(app.db, app.sessions, request.body.token);
      if (cookie) reply.header('set-cookie', cookie);
      return { user: toUser(user, { withEmail: true }) };
    },
  );

  app.post(
    '/api/auth/verify-email/resend',
    {
      schema: { tags, summary: 'Send the verification link again (always 202)', body: EmailBody, response: { 202: StatusResponse, ...errors } },
      config: { rateLimit: { max: limits.accountMailsPerHour, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      await resendVerification(app.db, app.config, request.body.email);
      app.accountMails.kick();
      return reply.status(202).send(VERIFICATION_SENT);
    },
  );

  app.post(
    '/api/auth/password-reset',
    {
      schema: { tags, summary: 'Mail a password-reset link (always 202, the same body)', body: EmailBody, response: { 202: StatusResponse, ...errors } },
      config: { rateLimit: { max: limits.accountMailsPerHour, timeWindow: '1 hour' } },
    },
    async (request, reply) => {
      await requestPasswordReset(app.db, app.config, request.body.email);
      app.accountMails.kick();
      return reply.status(202).send({ status: 'reset_sent' });
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      schema: { tags, summary: 'Set a new password with the link from the mail; every session of the account ends', body: PasswordResetConfirmBody, response: { 200: StatusResponse, ...errors } },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      await confirmPasswordReset(app.db, app.config, app.sessions, request.body.token, request.body.password);
      app.accountMails.kick();
      if (request.sessionId) reply.header('set-cookie', app.sessions.blankCookie());
      return { status: 'password_changed' };
    },
  );

  const secure = app.config.publicUrl.startsWith('https://');
  const pendingCookie = secure ? '__Host-plein_2fa' : 'plein_2fa';
  const pendingCookieOptions = { httpOnly: true, secure, sameSite: 'lax' as const, path: '/' };

  app.post(
    '/api/auth/login',
    {
      schema: { tags, summary: 'Sign in (with two-factor on: a pending sign-in that /api/auth/login/2fa completes)', body: LoginBody, response: { 200: LoginResponse, ...errors } },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await logIn(app.db, app.config, app.sessions, request.body.email, request.body.password, request.sessionId);
      if (result.kind === 'two_factor') {
        if (request.sessionId) reply.header('set-cookie', app.sessions.blankCookie());
        reply.setCookie(pendingCookie, result.pendingToken, { ...pendingCookieOptions, maxAge: 5 * 60 });
        return { twoFactorRequired: true as const };
      }
      reply.header('set-cookie', result.cookie);
      return { user: toUser(result.user, { withEmail: true }) };
    },
  );

  app.post(
    '/api/auth/login/2fa',
    {
      schema: { tags, summary: 'Complete a sign-in with a code from the app or a recovery code', body: CodeBody, response: { 200: UserResponse, ...errors } },
      config: { rateLimit: { max: limits.twoFactorPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { user, cookie } = await completeTwoFactorLogin(app.db, app.config, app.sessions, request.cookies[pendingCookie], request.body.code);
      reply.header('set-cookie', cookie);
      reply.clearCookie(pendingCookie, pendingCookieOptions);
      return { user: toUser(user, { withEmail: true }) };
    },
  );

  app.post('/api/auth/logout', { schema: { tags, summary: 'Sign out (ends the session server-side)', response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    if (request.sessionId) await app.sessions.invalidate(request.sessionId);
    reply.header('set-cookie', app.sessions.blankCookie()).status(204);
  });

  app.get('/api/me', { schema: { tags, summary: 'The signed-in user', response: { 200: UserResponse, ...errors } } }, async (request) => {
    const me = requireUser(request);
    return { user: toUser(await myAccount(app.db, me), { withEmail: true, twoFactorRequired: me.twoFactorMissing }) };
  });

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

  app.put(
    '/api/me/email',
    {
      schema: { tags, summary: 'Change my e-mail address: it takes effect once the link mailed to the new address is used', body: ChangeEmailBody, response: { 202: StatusResponse, ...errors } },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      await requestEmailChange(app.db, app.config, requireWriter(request), request.body.email, request.body.password);
      app.accountMails.kick();
      return reply.status(202).send(VERIFICATION_SENT);
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
