import { topics } from '../../shared/events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ErrorBody, Page, PageQuery } from '../../shared/schemas/common';
import { Channel, CreateChannelBody, ThreadSummary } from '../../shared/schemas/forum';
import { requireRole } from '../accounts/guards';
import { isUniqueViolation } from '../db/errors';
import { plainText } from '../content/sanitize';
import { conflict, invalidField } from '../http/errors';
import { recordAction } from '../moderation/audit';
import { listChannelThreads } from '../threads/queries';
import { getChannelBySlug, latestThreads, toChannel } from './queries';

const tags = ['channels'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });

/** Channels: the list on the home page, one channel, and its thread list. */
const channelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // channel:<slug>: new and changed threads of a channel; public like the channel itself.
  app.realtime.topic('channel', async (_viewer, slug) => {
    if (!/^[a-z0-9-]{1,60}$/.test(slug)) return null;
    const row = await app.db.selectFrom('channel').select('id').where('slug', '=', slug).executeTakeFirst();
    return row ? topics.channel(slug) : null;
  });
  app.get('/api/channels', { schema: { tags, summary: 'All channels', response: { 200: Type.Object({ items: Type.Array(Channel) }) } } }, async () => {
    const rows = await app.db.selectFrom('channel').selectAll().orderBy('position').orderBy('id').execute();
    const latest = await latestThreads(app.db, rows.map((r) => r.id));
    return { items: rows.map((r) => ({ ...toChannel(r), latestThread: latest.get(r.id) ?? null })) };
  });

  app.post(
    '/api/channels',
    { schema: { tags, summary: 'Create a channel (admin)', body: CreateChannelBody, response: { 201: Type.Object({ channel: Channel }), ...errors } } },
    async (request, reply) => {
      const admin = requireRole(request, 'admin');
      const b = request.body;
      // Names and descriptions are plain text, like titles.
      const name = plainText(b.name);
      if (name.length < 2) throw invalidField('name', 'must contain at least 2 characters of text');
      const description = plainText(b.description ?? '');
      try {
        const row = await app.db.transaction().execute(async (trx) => {
          const channel = await trx
            .insertInto('channel')
            .values({
              slug: b.slug,
              name,
              description,
              posting_policy: b.postingPolicy,
              position: sql<number>`(select coalesce(max(position), 0) + 1 from channel)`,
              last_activity_at: null,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await recordAction(trx, { actorId: admin.id, action: 'create_channel', targetType: 'channel', targetId: channel.id, data: { slug: channel.slug, postingPolicy: channel.posting_policy } });
          return channel;
        });
        reply.status(201);
        return { channel: toChannel(row) };
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('slug_taken', 'A channel with this slug already exists.');
        throw err;
      }
    },
  );

  app.get('/api/channels/:slug', { schema: { tags, summary: 'One channel', params: SlugParams, response: { 200: Type.Object({ channel: Channel }), ...errors } } }, async (request) => {
    return { channel: toChannel(await getChannelBySlug(app.db, request.params.slug)) };
  });

  app.get(
    '/api/channels/:slug/threads',
    { schema: { tags, summary: 'Threads of a channel: pinned first, then by last activity', params: SlugParams, querystring: PageQuery, response: { 200: Type.Composite([Page(ThreadSummary), Type.Object({ lastEventId: Type.String() })]), ...errors } } },
    async (request) => listChannelThreads(app.db, request.params.slug, request.query.limit ?? 50, request.query.cursor),
  );
};

export default channelRoutes;
