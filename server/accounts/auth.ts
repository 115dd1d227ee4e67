import fp from 'fastify-plugin';
import { forbidden } from '../http/errors';
import { createMailer } from '../notifications/mail';
import { accountMailSender } from './account-mail';
import { createSessionManager } from './session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the session cookie into request.user for every route (websocket upgrades included)
 * and rejects cookie-carrying writes whose Origin is missing or foreign. Leaks its decorators.
 */
export default fp(
  async (app) => {
    app.decorate('sessions', createSessionManager(app.db, app.config));
    // Mails that failed (mail server down, a restart) are tried again every 30 s where jobs run.
    const accountMails = accountMailSender(app.db, createMailer(app.config), app.log, app.config.runJobs ? 30_000 : null);
    app.decorate('accountMails', accountMails);
    app.addHook('onReady', async () => accountMails.kick());
    app.addHook('onClose', async () => {
      accountMails.stop();
      await accountMails.idle();
    });
    app.decorateRequest('user', null);
    app.decorateRequest('sessionId', null);

    app.addHook('onRequest', async (request, reply) => {
      const token = request.cookies[app.sessions.cookieName];
      if (!token) return;
      if (!SAFE_METHODS.has(request.method) && !app.sessions.originAllowed(request.headers.origin)) {
        throw forbidden('bad_origin', 'This request did not come from the Plein website.');
      }
      const session = await app.sessions.validate(token);
      if (!session) return;
      request.user = session.user;
      request.sessionId = session.sessionId;
      if (session.refreshedCookie) reply.header('set-cookie', session.refreshedCookie);
    });

    // What a signed-in user gets is theirs alone (profile, notifications, meeting links): never kept
    // by a browser or a proxy cache. Also when the session just ended (logout answers with no user).
    // A route that declares its answer the same for everyone (`public`: a profile photo, the anonymous
    // view of a page for a visitor whose cookie holds no session) keeps that, as does one that already
    // said `no-store` (`private, no-store` on the cached pages).
    app.addHook('onSend', async (request, reply) => {
      if (!request.url.startsWith('/api/') || !(request.user || request.cookies[app.sessions.cookieName])) return;
      const declared = reply.getHeader('cache-control');
      if (typeof declared === 'string' && (declared.startsWith('public') || declared.includes('no-store'))) return;
      reply.header('cache-control', 'no-store');
    });
  },
  { name: 'plein-auth', dependencies: ['plein-db'] },
);
