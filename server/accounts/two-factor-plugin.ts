import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CodeBody, DisableTwoFactorBody, RecoveryCodes, TwoFactorSetup } from '../../shared/schemas/accounts';
import { ErrorBody } from '../../shared/schemas/common';
import { requireUser } from './guards';
import { beginTwoFactorSetup, disableTwoFactor, enableTwoFactor } from './two-factor';

const tags = ['accounts'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/** My two-factor sign-in: set up (secret and QR link), turn on with a first code, turn off. */
const twoFactorRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limit = { rateLimit: { max: app.config.rateLimits.twoFactorPerMinute, timeWindow: '1 minute' } };
  const issuer = new URL(app.config.publicUrl).hostname === 'localhost' ? 'Plein' : `Plein (${new URL(app.config.publicUrl).hostname})`;

  app.post('/api/me/2fa/setup', { schema: { tags, summary: 'Start setting up two-factor sign-in: a new secret and its otpauth:// link (shown as a QR code)', response: { 200: TwoFactorSetup, ...errors } } }, async (request) =>
    beginTwoFactorSetup(app.db, requireUser(request), issuer),
  );

  app.post(
    '/api/me/2fa/enable',
    { schema: { tags, summary: 'Turn two-factor on with a first code; answers 10 single-use recovery codes (shown once)', body: CodeBody, response: { 200: RecoveryCodes, ...errors } }, config: limit },
    async (request) => ({ recoveryCodes: await enableTwoFactor(app.db, requireUser(request), request.body.code) }),
  );

  app.delete(
    '/api/me/2fa',
    { schema: { tags, summary: 'Turn two-factor off (password and a code confirm it)', body: DisableTwoFactorBody, response: { 204: Type.Null(), ...errors } }, config: limit },
    async (request, reply) => {
      await disableTwoFactor(app.db, requireUser(request), request.body.password, request.body.code);
      return reply.status(204).send(null);
    },
  );
};

export default twoFactorRoutes;
