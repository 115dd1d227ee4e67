import { UNSIGNED_BIGINT_PATTERN } from '../../shared/schemas/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { Author } from '../../shared/schemas/accounts';
import { ErrorBody } from '../../shared/schemas/common';
import { Notification, NotificationSettings, ReadBody, SubscriptionBody, SubscriptionLevel } from '../../shared/schemas/notifications';
import { requireUser, requireWriter } from '../accounts/guards';
import { AUTHOR_COLUMNS, toAuthor } from '../accounts/present';
import { erasedAccount } from '../accounts/users';
import { escapeHtml } from '../content/escape';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { badRequest, notFound } from '../http/errors';
import { startJobs } from './jobs';
import { appSecret, createMailer, describeNotification, verifyUnsubscribeToken } from './mail';
import { unreadCount, visibleNotification } from './visibility';

const tags = ['notifications'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Cursor = Type.Object({ us: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }), id: Type.String({ pattern: UNSIGNED_BIGINT_PATTERN }) }, { additionalProperties: false });

/** Subscriptions, the notification list with unread count, email settings, unsubscribe links, background mail. */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = app.db;
  const mailer = createMailer(app.config);
  if (app.config.runJobs) {
    const jobs = await startJobs(app, mailer);
    app.addHook('onClose', () => jobs.stop());
  }

  async function resolveTarget(targetType: 'channel' | 'thread', targetId: string): Promise<string> {
    if (targetType === 'channel') {
      const c = await db.selectFrom('channel').select('id').where((eb) => (/^[0-9]+$/.test(targetId) ? eb('id', '=', targetId) : eb('slug', '=', targetId))).executeTakeFirst();
      if (!c) throw notFound('channel');
      return c.id;
    }
    if (!/^[1-9][0-9]{0,18}$/.test(targetId)) throw notFound('thread');
    const t = await db.selectFrom('thread').select('id').where('id', '=', targetId).executeTakeFirst();
    if (!t) throw notFound('thread');
    return t.id;
  }

  app.put(
    '/api/subscriptions',
    { schema: { tags, summary: 'Follow a channel or thread (watching, normal or muted)', body: SubscriptionBody, response: { 200: Type.Object({ subscription: SubscriptionBody }), ...errors } } },
    async (request) => {
      const user = requireWriter(request);
      const b = request.body;
      const targetId = await resolveTarget(b.targetType, b.targetId);
      await db
        .insertInto('subscription')
        .values({ user_id: user.id, target_type: b.targetType, target_id: targetId, level: b.level })
        .onConflict((oc) => oc.columns(['user_id', 'target_type', 'target_id']).doUpdateSet({ level: b.level, updated_at: new Date() }))
        .execute();
      return { subscription: { targetType: b.targetType, targetId: b.targetId, level: b.level } };
    },
  );

  app.get(
    '/api/subscriptions',
    { schema: { tags, summary: 'My level for one channel or thread', querystring: Type.Object({ targetType: Type.Union([Type.Literal('channel'), Type.Literal('thread')]), targetId: Type.String({ minLength: 1, maxLength: 60 }) }), response: { 200: Type.Object({ level: SubscriptionLevel }), ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const targetId = await resolveTarget(request.query.targetType, request.query.targetId);
      const row = await db.selectFrom('subscription').select('level').where('user_id', '=', user.id).where('target_type', '=', request.query.targetType).where('target_id', '=', targetId).executeTakeFirst();
      return { level: row?.level ?? 'normal' };
    },
  );

  app.get(
    '/api/notifications',
    { schema: { tags, summary: 'My notifications, newest first, with the unread count', querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })) }), response: { 200: Type.Object({ items: Type.Array(Notification), nextCursor: Type.Union([Type.String(), Type.Null()]), unreadCount: Type.Integer() }), ...errors } } },
    async (request) => {
      const user = requireUser(request);
      const limit = request.query.limit ?? 30;
      const after = decodeCursor(Cursor, request.query.cursor);
      // What the user may no longer see (a post hidden or deleted since) is left out, except their own.
      let q = db
        .selectFrom('notification as n')
        .leftJoin('post as p', 'p.id', 'n.post_id')
        .select(['n.id', 'n.kind', 'n.thread_id', 'n.post_id', 'n.count', 'n.data', 'n.read_at', 'n.created_at', 'n.updated_at', sql<string>`(extract(epoch from n.updated_at) * 1000000)::bigint::text`.as('us')])
        .where('n.user_id', '=', user.id)
        .where(visibleNotification)
        .orderBy('n.updated_at', 'desc')
        .orderBy('n.id', 'desc')
        .limit(limit + 1);
      if (after) q = q.where(sql<boolean>`(n.updated_at, n.id) < (timestamptz 'epoch' + ${after.us}::bigint * interval '1 microsecond', ${after.id}::bigint)`);
      const [rows, unread] = await Promise.all([q.execute(), unreadCount(db, user.id)]);
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          kind: r.kind,
          threadId: r.thread_id,
          postId: r.post_id,
          count: r.count,
          text: describeNotification(r.kind, r.count, r.data),
          data: r.data,
          read: r.read_at !== null,
          createdAt: r.created_at.toISOString(),
          updatedAt: r.updated_at.toISOString(),
        })),
        nextCursor: rows.length > limit ? encodeCursor({ us: page[page.length - 1].us, id: page[page.length - 1].id }) : null,
        unreadCount: unread,
      };
    },
  );

  app.post(
    '/api/notifications/read',
    { schema: { tags, summary: 'Mark some ({ids}) or all ({all: true}) as read', body: ReadBody, response: { 200: Type.Object({ unreadCount: Type.Integer() }), ...errors } } },
    async (request) => {
      const user = requireUser(request);
      let q = db.updateTable('notification').set({ read_at: new Date() }).where('user_id', '=', user.id).where('read_at', 'is', null);
      if ('ids' in request.body) q = q.where('id', 'in', request.body.ids);
      await q.execute();
      return { unreadCount: await unreadCount(db, user.id) };
    },
  );

  app.get('/api/me/notification-settings', { schema: { tags, summary: 'My email preference', response: { 200: NotificationSettings, ...errors } } }, async (request) => {
    const user = requireUser(request);
    const row = await db.selectFrom('notification_setting').select('email_frequency').where('user_id', '=', user.id).executeTakeFirst();
    return { emailFrequency: row?.email_frequency ?? 'immediately' };
  });

  app.put('/api/me/notification-settings', { schema: { tags, summary: 'Email immediately (batched), as a daily digest, or never', body: NotificationSettings, response: { 200: NotificationSettings, ...errors } } }, async (request) => {
    const user = requireUser(request);
    const f = request.body.emailFrequency;
    await db.insertInto('notification_setting').values({ user_id: user.id, email_frequency: f, last_digest_at: null }).onConflict((oc) => oc.column('user_id').doUpdateSet({ email_frequency: f })).execute();
    return { emailFrequency: f };
  });

  app.get(
    '/api/users/mention',
    { schema: { tags, summary: 'People to @mention, by the start of their name (editor autocomplete)', querystring: Type.Object({ prefix: Type.String({ minLength: 1, maxLength: 60 }) }), response: { 200: Type.Object({ items: Type.Array(Author) }), ...errors } } },
    async (request) => {
      requireUser(request);
      const prefix = request.query.prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      const rows = await db.selectFrom('user').select(AUTHOR_COLUMNS).where(sql<boolean>`lower(display_name) like lower(${`${prefix}%`})`).where((eb) => eb.not(erasedAccount('email'))).orderBy('display_name').limit(8).execute();
      return { items: rows.map(toAuthor) };
    },
  );

  /** The user a signed unsubscribe token is for; null when it is missing, forged or foreign. */
  const tokenUser = async (token: string | undefined): Promise<string | null> => (token ? verifyUnsubscribeToken(await appSecret(db, app.config), token) : null);
  /** One-click unsubscribe from a mail: works without login; a forged or foreign token changes nothing. */
  async function unsubscribe(token: string | undefined): Promise<string> {
    const userId = await tokenUser(token);
    if (!userId) throw badRequest('invalid_token', 'This unsubscribe link is not valid.');
    await db.insertInto('notification_setting').values({ user_id: userId, email_frequency: 'never', last_digest_at: null }).onConflict((oc) => oc.column('user_id').doUpdateSet({ email_frequency: 'never' })).execute();
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
