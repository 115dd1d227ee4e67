import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../shared/schemas/common';
import { MyLogins, OidcProviderInfo } from '../../shared/schemas/organisations';
import { requireUser } from '../accounts/guards';
import { notFound } from '../http/errors';
import { OidcClients, OidcRefusal, endSessionUrl, finishLogin, linkedLogins, safeReturnTo, startLogin, unlinkProvider } from './login';
import { REFUSAL_MESSAGES, refusalPage } from './messages';

const tags = ['accounts'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody };
const ProviderParams = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 40 }) });
const STATE_COOKIE = 'plein_oidc_state';
const STATE_COOKIE_PATH = '/api/auth/oidc';

/** Log in with your organisation (OpenID Connect): start, callback, linking and RP-initiated logout. */
const oidcRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const clients = new OidcClients(app.config.oidcProviders);
  const publicUrl = app.config.publicUrl;
  const secure = publicUrl.startsWith('https://');
  const providerOr404 = (id: string) => {
    const provider = clients.provider(id);
    if (!provider) throw notFound('login provider');
    return provider;
  };

  app.get('/api/auth/oidc/providers', { schema: { tags, summary: 'The organisations one can log in with', response: { 200: Type.Object({ items: Type.Array(OidcProviderInfo) }) } } }, async () => ({
    items: clients.providers.map((p) => ({ id: p.id, label: p.label })),
  }));

  app.get(
    '/api/auth/oidc/:provider/start',
    {
      schema: {
        tags,
        summary: "Start logging in at the organisation's login service (302); link=1 links it to the signed-in account",
        params: ProviderParams,
        querystring: Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 500 })), link: Type.Optional(Type.Boolean()) }),
        // Refusals are a page for the person (text/html), not JSON: no error schema here.
        response: { 302: Type.Null(), '4xx': Type.Any({ description: 'a page (text/html) saying why not, or the error shape for Accept: application/json' }), 502: Type.Any() },
      },
      config: { rateLimit: { max: app.config.rateLimits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const provider = providerOr404(request.params.provider);
      const linkUserId = request.query.link ? requireUser(request).id : null;
      try {
        const { url, state } = await startLogin(app.db, clients, publicUrl, provider, { linkUserId, returnTo: safeReturnTo(request.query.returnTo) });
        // Binds the callback to this browser: a state that arrives without its cookie is refused.
        reply.setCookie(STATE_COOKIE, state, { path: STATE_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure, maxAge: 600 });
        return reply.redirect(url, 302);
      } catch (err) {
        if (err instanceof OidcRefusal) return reply.status(err.status).type('text/html; charset=utf-8').send(refusalPage(err.code));
        throw err;
      }
    },
  );

  app.get(
    '/api/auth/oidc/:provider/callback',
    {
      schema: {
        tags,
        summary: 'Where the login service sends the browser back: 302 into Plein with a session, or a page saying (in Dutch) why not',
        params: ProviderParams,
        querystring: Type.Object({}, { additionalProperties: Type.String({ maxLength: 4000 }) }),
        response: { 302: Type.Null(), '4xx': Type.Any({ description: 'a page (text/html) saying why not, or the error shape for Accept: application/json' }), 502: Type.Any() },
      },
      config: { rateLimit: { max: app.config.rateLimits.loginPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const provider = providerOr404(request.params.provider);
      reply.clearCookie(STATE_COOKIE, { path: STATE_COOKIE_PATH });
      try {
        const { cookie, returnTo, user, linked } = await finishLogin(app.db, clients, app.sessions, provider, {
          currentUrl: new URL(request.url, publicUrl),
          cookieState: request.cookies[STATE_COOKIE],
          oldSessionId: request.sessionId,
        });
        request.log.info({ provider: provider.id, userId: user.id, linked }, 'oidc login');
        reply.header('set-cookie', cookie);
        return reply.redirect(returnTo, 302);
      } catch (err) {
        if (!(err instanceof OidcRefusal)) throw err;
        request.log.warn({ provider: provider.id, refusal: err.code }, 'oidc login refused');
        if (request.headers.accept?.includes('application/json')) {
          return reply.status(err.status).send({ error: { code: err.code, message: REFUSAL_MESSAGES[err.code].nl } });
        }
        return reply.status(err.status).type('text/html; charset=utf-8').send(refusalPage(err.code));
      }
    },
  );

  app.get('/api/me/logins', { schema: { tags, summary: 'The ways I can log in: a password, linked organisations', response: { 200: MyLogins, ...errors } } }, async (request) => {
    const me = requireUser(request);
    const row = await app.db.selectFrom('user').select('password_hash').where('id', '=', me.id).executeTakeFirstOrThrow();
    const linked = await linkedLogins(app.db, clients, me.id);
    return {
      password: row.password_hash !== null,
      linked,
      available: clients.providers.filter((p) => !linked.some((l) => l.provider === p.id)).map((p) => ({ id: p.id, label: p.label })),
    };
  });

  app.delete(
    '/api/me/logins/:provider',
    { schema: { tags, summary: 'Unlink an organisation login (never the last way to log in: 409)', params: ProviderParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await unlinkProvider(app.db, requireUser(request).id, request.params.provider);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/oidc/logout',
    { schema: { tags, summary: "Log out; for a session from an organisation's login, also the URL that logs out there (RP-initiated logout)", response: { 200: Type.Object({ redirectTo: Type.Union([Type.String(), Type.Null()]) }), ...errors } } },
    async (request, reply) => {
      let redirectTo: string | null = null;
      if (request.sessionId) {
        redirectTo = await endSessionUrl(clients, publicUrl, await app.sessions.oidcOrigin(request.sessionId));
        await app.sessions.invalidate(request.sessionId);
      }
      reply.header('set-cookie', app.sessions.blankCookie());
      return { redirectTo };
    },
  );
};

export default oidcRoutes;
