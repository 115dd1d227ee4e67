import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config';
import dbPlugin from './db/plugin';
import authPlugin from './accounts/auth';
import accounts from './accounts/plugin';
import adminAccounts from './accounts/admin-plugin';
import twoFactor from './accounts/two-factor-plugin';
import devMail from './notifications/dev-outbox';
import privacy from './accounts/privacy';
import attachments from './attachments/plugin';
import channels from './channels/plugin';
import { ApiError } from './http/errors';
import { frameworkErrors, installErrorHandler } from './http/error-handler';
import { refuseNulBytes } from './http/refuse-nul';
import { installMetrics } from './system/metrics';
import moderation from './moderation/plugin';
import notifications from './notifications/plugin';
import oidc from './oidc/plugin';
import organisations from './organisations/plugin';
import realtime from './realtime/plugin';
import pageCache from './page-cache/plugin';
import search from './search/plugin';
import system from './system/plugin';
import threads from './threads/plugin';
import videoSessions from './video-sessions/plugin';
import web from './web/plugin';
import findability from './web/findability';
import './types';

export interface BuildOptions {
  /** A pino logger config or false; defaults to the configured level. */
  logger?: boolean | Record<string, unknown>;
}

/** Composes the Plein app from its domain plugins. `config.databaseUrl` must be set. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.password_hash', '*.passwordHash'], censor: '[redacted]' },
    },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Closing: stop accepting, let in-flight requests finish (bounded by the caller's timeout).
    forceCloseConnections: 'idle',
    frameworkErrors,
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  installErrorHandler(app);
  refuseNulBytes(app);
  installMetrics(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Plein API', version: '0.1.0', description: 'HTTP contract of Plein (see api.md). Websocket: GET /api/ws.' },
    },
    hideUntagged: false,
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: config.publicUrl.startsWith('https://') ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.publicUrl.startsWith('https://'),
  });
  await app.register(fastifyCookie);
  if (config.rateLimitsEnabled) {
    await app.register(fastifyRateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, 'rate_limited', `Too many requests. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`),
    });
  }
  await app.register(fastifyWebsocket, {
    options: { maxPayload: 64 * 1024 },
    // On shutdown every socket hears "going away" (1001), so clients reconnect to another instance.
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(1001, 'server shutting down');
      this.websocketServer.close(() => done());
    },
  });
  await app.register(dbPlugin);
  await app.register(authPlugin);

  // The topic bus first: domains register their topic kinds and replay presenters on it.
  await app.register(realtime);
  await app.register(pageCache);
  await app.register(system);
  await app.register(accounts);
  await app.register(twoFactor);
  await app.register(adminAccounts);
  await app.register(devMail);
  await app.register(privacy);
  await app.register(channels);
  await app.register(threads);
  await app.register(attachments);
  await app.register(videoSessions);
  await app.register(moderation);
  await app.register(notifications);
  await app.register(search);
  await app.register(findability);
  await app.register(organisations);
  await app.register(oidc);
  if (config.serveClient) await app.register(web);

  return app;
}
