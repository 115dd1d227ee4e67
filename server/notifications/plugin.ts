
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Author } from '../../shared/schemas/accounts';
import { ErrorBody } from '../../shared/schemas/common';
import { Notification, NotificationSettings, ReadBody, SubscriptionBody, SubscriptionLevel } from '../../shared/schemas/notifications';
import { requireUser, requireWriter } from '../accounts/guards';
import { escapeHtml } from '../content/escape';
import { badRequest, } from '../http/errors';
import { mentionCandidates } from '../accounts/users';
import { listNotifications, markRead } from './inbox';
import { startJobs } from './jobs';
import { mailFrequency, setMailFrequency } from './notify';
import { follow, followLevel } from './subscriptions';
import { appSecret, createMailer, verifyUnsubscribeToken } from './mail';

const tags = ['notifications'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** Subscriptions, the notification list with unread count, email settings, unsubscribe links, background mail. */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;
  const mailer = createMailer(app.config);
  if (app.config.runJobs) {
    const jobs = await startJobs(app, mailer);
    app.addHook('onClose', () => jobs.stop());
  }

  app.put(
    '/api/subscriptions',
    { schema: { tags, summary: 'Follow a channel or thread (watching, normal or muted)', body: SubscriptionBody, response: { 200: Type.Object({ subscription: SubscriptionBody }), ...errors } } },
    async (request) => ({ subscription: await follow(db, requireWriter(request), request.body) }),
  );

  app.get(
    '/api/subscriptions',
    { schema: { tags, summary: 'My level for one channel or thread', querystring: Type.Object({ targetType: Type.Union([Type.Literal('channel'), Type.Literal('thread')]), targetId: Type.String({ minLength: 1, maxLength: 60 }) }), response: { 200: Type.Object({ level: SubscriptionLevel }), ...errors } } },
    async (request) => ({ level: await followLevel(db, requireUser(request), request.query.targetType, request.query.targetId) }),
  );

  app.get(
    '/api/notifications',
    { schema: { tags, summary: 'My notifications, newest first, with the unread count', querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })) }), response: { 200: Type.Object({ items: Type.Array(Notification), nextCursor: Type.Union([Type.String(), Type.Null()]), unreadCount: Type.Integer() }), ...errors } } },
    async (request) => listNotifications(db, requireUser(request), request.query),
  );

  app.post(
    '/api/notifications/read',
    { schema: { tags, summary: 'Mark some ({ids}) or all ({all: true}) as read', body: ReadBody, response: { 200: Type.Object({ unreadCount: Type.Integer() }), ...errors } } },
    async (request) => ({ unreadCount: await markRead(db, requireUser(request), request.body) }),
  );

  app.get('/api/me/notification-settings', { schema: { tags, summary: 'My email preference', response: { 200: NotificationSettings, ...errors } } }, async (request) => ({ emailFrequency: await mailFrequency(db, requireUser(request).id) }));

  app.put('/api/me/notification-settings', { schema: { tags, summary: 'Email immediately (batched), as a daily digest, or never', body: NotificationSettings, response: { 200: NotificationSettings, ...errors } } }, async (request) => ({ emailFrequency: await setMailFrequency(db, requireUser(request).id, request.body.emailFrequency) }));

  app.get(
    '/api/users/mention',
    { schema: { tags, summary: 'People to @mention, by the start of their name (editor autocomplete)', querystring: Type.Object({ prefix: Type.String({ minLength: 1, maxLength: 60 }) }), response: { 200: Type.Object({ items: Type.Array(Author) }), ...errors } } },
    async (request) => ({ items: await mentionCandidates(db, requireUser(request), request.query.prefix) }),
  );

  /** The user a signed unsubscribe token is for; null when it is missing, forged or foreign. */
  const tokenUser = async (token: string | undefined): Promise<string | null> => (token ? verifyUnsubscribeToken(await appSecret(db, app.config), token) : null);
  /** One-click unsubscribe from a mail: works without login; a forged or foreign token changes nothing. */
  async function unsubscribe(token: string | undefined): Promise<string> {
    const userId = await tokenUser(token);
    if (!userId) throw badRequest('invalid_token', 'This unsubscribe link is not valid.');
    await setMailFrequency(db, userId, 'never');
    return userId;
  }
  const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });

  // RFC 8058 one-click: mail clients POST the form field `List-Unsubscribe=One-Click` (urlencoded or
  // multipart) without cookies. Only the signed token in the URL counts, so the body is read and dropped.
  // (This plugin is encapsulated: the parsers apply to these routes only.)
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) => done(null, {}));
  }

  const page = (title: string, body: string) =>
    `<!doctype html><html lang="nl"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Plein</title><body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem"><h1>${title}</h1>${body}</body></html>`;
  const DONE = page('Je bent afgemeld', '<p>Je ontvangt geen e-mail meer van Plein. Je kunt dit altijd weer aanzetten bij je instellingen.</p><p><a href="/">Naar Plein</a></p>');
  const INVALID = page('Deze afmeldlink werkt niet', '<p>De link is niet (meer) geldig. Log in en zet e-mail uit bij je instellingen.</p><p><a href="/instellingen">Naar instellingen</a></p>');
  const wantsHtml = (accept: string | undefined) => !!accept && accept.includes('text/html');

  // Mail clients (RFC 8058) and the confirmation form below. A browser gets a page, a mail client JSON.
  app.post('/api/unsubscribe', { schema: { tags, summary: 'One-click unsubscribe (List-Unsubscribe-Post)', querystring: TokenQuery, response: { 200: Type.Object({ ok: Type.Boolean() }), 400: ErrorBody } } }, async (request, reply) => {
    const html = wantsHtml(request.headers.accept);
    try {
      await unsubscribe(request.query.token);
    } catch (err) {
      if (!html) throw err;
      return reply.status(400).type('text/html; charset=utf-8').send(INVALID as never);
    }
    return html ? reply.type('text/html; charset=utf-8').send(DONE as never) : { ok: true };
  });

  // The link in a mail only asks: virus scanners and link previews (Outlook Safe Links) open every
  // link in a mail, and must not unsubscribe anyone by doing so. The button POSTs.
  app.get('/api/unsubscribe', { schema: { tags, summary: 'Unsubscribe link from a mail: a page that asks to confirm', querystring: TokenQuery } }, async (request, reply) => {
    const token = request.query.token;
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (!token || !(await tokenUser(token))) return reply.status(400).send(INVALID as never);
    const action = `/api/unsubscribe?token=${encodeURIComponent(token)}`;
    return reply.send(
      page(
        'Afmelden voor e-mail van Plein?',
        `<p>Je krijgt dan geen e-mail meer van Plein: geen reacties, vermeldingen, overzichten of berichten over videosessies. Op de site zie je je meldingen nog wel.</p><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font-size:1rem;padding:.5rem 1rem">Afmelden</button></form><p><a href="/">Nee, terug naar Plein</a></p>`,
      ) as never,
    );
  });
};

export default notificationRoutes;
