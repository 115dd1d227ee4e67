import { topics } from '../../shared/events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ChannelMember, MembershipRequest, MembershipRequestBody } from '../../shared/schemas/channel-members';
import { ErrorBody, Id, Page, PageQuery } from '../../shared/schemas/common';
import { Channel, CreateChannelBody, ThreadSummary, UpdateChannelBody } from '../../shared/schemas/forum';
import { requireRole, requireUser, requireWriter } from '../accounts/guards';
import { sendPage } from '../page-cache/plugin';
import { maySeeChannel } from '../policy';
import { registerAudienceRule } from '../realtime/outbox';
import {
  channelOrganisationIds,
  decideMembershipRequest,
  leaveChannel,
  listMembers,
  listMembershipRequests,
  myMembership,
  requestMembership,
  setChannelModerator,
  closedTopicAudiences,
} from './members';
import { readChannelThreadsFor, readChannelsFor } from './page';
import { createChannel, findChannelBySlug, getVisibleChannel, listChannels, toChannel, updateChannel } from './queries';

const tags = ['channels'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }) });
const RequestParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }), id: Id });
const MemberParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 60 }), userId: Id });

/** Channels: the list on the home page, one channel, its thread list, and the members of closed ones. */
const channelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Events in a closed channel (its topic, its threads' topics) reach its members only, live and replayed.
  registerAudienceRule(['thread', 'channel'], closedTopicAudiences);
  // channel:<slug>: new and changed threads of a channel, for whoever may see the channel.
  app.realtime.topic('channel', async (viewer, slug) => {
    if (!/^[a-z0-9-]{1,60}$/.test(slug)) return null;
    const channel = await findChannelBySlug(app.db, slug);
    return channel && maySeeChannel(viewer, channel) ? topics.channel(slug) : null;
  });
  const applied = () => String(app.realtime.lastDeliveredId ?? 0);
  // The public list is the same for every visitor: cached per instance and kept true by the event log.
  // Archived channels too (the Beheer page) come uncached: a rare read.
  app.get(
    '/api/channels',
    {
      schema: {
        tags,
        summary: 'The channels the caller may see (archived ones only with includeArchived=true; ETag; If-None-Match → 304)',
        querystring: Type.Object({ includeArchived: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ items: Type.Array(Channel) }), 304: Type.Null() },
      },
    },
    async (request, reply) => {
      if (request.query.includeArchived === true) return { items: await listChannels(app.db, request.user, { includeArchived: true }) };
      return sendPage(request, reply, await readChannelsFor(app.db, app.pageCache, request.user, applied));
    },
  );

  app.patch(
    '/api/channels/:slug',
    { schema: { tags, summary: 'Edit a channel: name, description, posting policy, archived, visibility, organisations (admin)', params: SlugParams, body: UpdateChannelBody, response: { 200: Type.Object({ channel: Channel }), ...errors } } },
    async (request) => ({ channel: toChannel(await updateChannel(app.db, requireRole(request, 'admin'), request.params.slug, request.body)) }),
  );

  app.post(
    '/api/channels',
    { schema: { tags, summary: 'Create a channel (admin)', body: CreateChannelBody, response: { 201: Type.Object({ channel: Channel }), ...errors } } },
    async (request, reply) => reply.status(201).send({ channel: toChannel(await createChannel(app.db, requireRole(request, 'admin'), request.body)) }),
  );

  app.get(
    '/api/channels/:slug',
    { schema: { tags, summary: 'One channel (404 for a closed channel to non-members)', params: SlugParams, response: { 200: Type.Object({ channel: Channel, organisationIds: Type.Array(Id) }), ...errors } } },
    async (request) => {
      const channel = await getVisibleChannel(app.db, request.user, request.params.slug);
      const organisationIds = channel.visibility === 'members' ? await channelOrganisationIds(app.db, channel.id) : [];
      return { channel: { ...toChannel(channel), myMembership: await myMembership(app.db, request.user, channel) }, organisationIds };
    },
  );

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
    // The page everyone gets (cached; a closed channel's uncached, for its members), with the reader's new replies per thread over it.
    async (request, reply) => sendPage(request, reply, await readChannelThreadsFor(app.db, app.pageCache, request.user, request.params.slug, request.query.limit ?? 50, request.query.cursor)),
  );

  app.post(
    '/api/channels/:slug/membership-requests',
    { schema: { tags, summary: 'Ask to join a closed channel, with a motivation', params: SlugParams, body: MembershipRequestBody, response: { 201: Type.Object({ request: MembershipRequest }), ...errors } } },
    async (request, reply) => reply.status(201).send({ request: await requestMembership(app.db, requireWriter(request), request.params.slug, request.body) }),
  );

  app.get(
    '/api/channels/:slug/membership-requests',
    { schema: { tags, summary: "Pending requests (the channel's moderators and admins)", params: SlugParams, response: { 200: Type.Object({ items: Type.Array(MembershipRequest) }), ...errors } } },
    async (request) => ({ items: await listMembershipRequests(app.db, requireUser(request), request.params.slug) }),
  );

  for (const [path, decision] of [['approve', 'approved'], ['decline', 'declined']] as const) {
    app.post(
      `/api/channels/:slug/membership-requests/:id/${path}`,
      { schema: { tags, summary: `${path === 'approve' ? 'Approve' : 'Decline'} a request (the channel's moderators and admins; never one's own)`, params: RequestParams, response: { 200: Type.Object({ request: MembershipRequest }), ...errors } } },
      async (request) => {
        const decided = await decideMembershipRequest(app.db, requireWriter(request), request.params.slug, request.params.id, decision);
        // Open sockets of this instance learn the new membership now (others at their next session check).
        void app.realtime.checkSessions();
        return { request: decided };
      },
    );
  }

  app.delete(
    '/api/channels/:slug/members/me',
    { schema: { tags, summary: 'Leave a closed channel', params: SlugParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await leaveChannel(app.db, requireUser(request), request.params.slug);
      // This instance's sockets leave the channel's topics now; other instances within their 10 s session check.
      await app.realtime.checkSessions();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/channels/:slug/members',
    { schema: { tags, summary: "Members of a channel (the channel's moderators and admins)", params: SlugParams, response: { 200: Type.Object({ items: Type.Array(ChannelMember) }), ...errors } } },
    async (request) => ({ items: await listMembers(app.db, requireUser(request), request.params.slug) }),
  );

  app.put(
    '/api/channels/:slug/moderators/:userId',
    { schema: { tags, summary: 'Appoint a channel moderator (admin)', params: MemberParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await setChannelModerator(app.db, requireRole(request, 'admin'), request.params.slug, request.params.userId, true);
      return reply.status(204).send(null);
    },
  );
  app.delete(
    '/api/channels/:slug/moderators/:userId',
    { schema: { tags, summary: 'A channel moderator becomes a plain member (admin)', params: MemberParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await setChannelModerator(app.db, requireRole(request, 'admin'), request.params.slug, request.params.userId, false);
      return reply.status(204).send(null);
    },
  );
};

export default channelRoutes;
