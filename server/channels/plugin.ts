import { topics } from '../../shared/events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, Page, PageQuery } from '../../shared/schemas/common';
import { Channel, CreateChannelBody, ThreadSummary } from '../../shared/schemas/forum';
import { requireRole } from '../accounts/guards';
import { sendPage } from '../page-cache/plugin';
import { readChannelThreads, readChannels } from './page';
import { createChannel, findChannelBySlug, getChannelBySlug, toChannel } from './queries';

const tags = ['channels'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });

/** Channels: the list on the home page, one channel, and its thread list. */
const channelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // channel:<slug>: new and changed threads of a channel; public like the channel itself.
  app.realtime.topic('channel', async (_viewer, slug) => (/^[a-z0-9-]{1,60}$/.test(slug) && (await findChannelBySlug(app.db, slug)) ? topics.channel(slug) : null));
  const applied = () => String(app.realtime.lastDeliveredId ?? 0);
  // Public lists: the same for every reader, so cached per instance and kept true by the event log.
  app.get(
    '/api/channels',
    { schema: { tags, summary: 'All channels (ETag; If-None-Match → 304)', response: { 200: Type.Object({ items: Type.Array(Channel) }), 304: Type.Null() } } },
    async (request, reply) => sendPage(request, reply, await readChannels(app.db, app.pageCache, applied)),
  );

  app.post(
    '/api/channels',
    { schema: { tags, summary: 'Create a channel (admin)', body: CreateChannelBody, response: { 201: Type.Object({ channel: Channel }), ...errors } } },
    async (request, reply) => reply.status(201).send({ channel: toChannel(await createChannel(app.db, requireRole(request, 'admin'), request.body)) }),
  );

  app.get('/api/channels/:slug', { schema: { tags, summary: 'One channel', params: SlugParams, response: { 200: Type.Object({ channel: Channel }), ...errors } } }, async (request) => {
    return { channel: toChannel(await getChannelBySlug(app.db, request.params.slug)) };
  });

  app.get(
    '/api/channels/:slug/threads',
    {
      schema: {
        tags,
        summary: 'Threads of a channel: pinned first, then by last activity (ETag; If-None-Match → 304)',
        params: SlugParams,
        querystring: PageQuery,
        response: { 200: Type.Composite([Page(ThreadSummary), Type.Object({ lastEventId: Type.String() })]), 304: Type.Null(), ...errors },
      },
    },
    async (request, reply) => sendPage(request, reply, await readChannelThreads(app.db, app.pageCache, request.params.slug, request.query.limit ?? 50, request.query.cursor)),
  );
};

export default channelRoutes;
