import { topics } from '../../shared/events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, Page, PageQuery } from '../../shared/schemas/common';
import { Channel, CreateChannelBody, ThreadSummary, UpdateChannelBody } from '../../shared/schemas/forum';
import { requireRole } from '../accounts/guards';
import { sendPage } from '../page-cache/plugin';
import { readChannelThreadsFor, readChannels } from './page';
import { createChannel, findChannelBySlug, getChannelBySlug, listChannels, toChannel, updateChannel } from './queries';

const tags = ['channels'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });

/** Channels: the list on the home page, one channel, and its thread list. */
const channelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // channel:<slug>: new and changed threads of a channel; public like the channel itself.
  app.realtime.topic('channel', async (_viewer, slug) => (/^[a-z0-9-]{1,60}$/.test(slug) && (await findChannelBySlug(app.db, slug)) ? topics.channel(slug) : null));
  const applied = () => String(app.realtime.lastDeliveredId ?? 0);
  // Public lists: the same for every reader, so cached per instance and kept true by the event log.
  // Archived channels too (the Beheer page) come uncached: a rare read.
  app.get(
    '/api/channels',
    {
      schema: {
        tags,
        summary: 'All channels (archived ones only with includeArchived=true; ETag; If-None-Match → 304)',
        querystring: Type.Object({ includeArchived: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ items: Type.Array(Channel) }), 304: Type.Null() },
      },
    },
    async (request, reply) => {
      if (request.query.includeArchived === true) return { items: await listChannels(app.db, { includeArchived: true }) };
      return sendPage(request, reply, await readChannels(app.db, app.pageCache, applied));
    },
  );

  app.patch(
    '/api/channels/:slug',
    { schema: { tags, summary: 'Edit a channel: name, description, posting policy, archived (admin)', params: SlugParams, body: UpdateChannelBody, response: { 200: Type.Object({ channel: Channel }), ...errors } } },
    async (request) => ({ channel: toChannel(await updateChannel(app.db, requireRole(request, 'admin'), request.params.slug, request.body)) }),
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
    // The page everyone gets (cached), with the reader's new replies per thread over it.
    async (request, reply) => sendPage(request, reply, await readChannelThreadsFor(app.db, app.pageCache, request.user, request.params.slug, request.query.limit ?? 50, request.query.cursor)),
  );
};

export default channelRoutes;
