// Closed channels: who is a member, requests to join (with a motivation) decided by the channel's
// moderators or admins, leaving, and which organisations' verified members join without asking.
// Every "may" is the policy's; this module owns channel_member, channel_membership_request and
// channel_organisation.
import type { Static } from '@sinclair/typebox';
import { type Selectable, type Transaction, sql } from 'kysely';
import type { ChannelAccessBody, MembershipRequest, MembershipRequestBody } from '../../shared/schemas/channel-members';
import { AUTHOR_COLUMNS, toAuthor } from '../accounts/present';
import type { Db } from '../db';
import type { Database } from '../db/schema';
import type { ChannelTable } from '../db/tables/forum';
import { conflict, forbidden, invalidField, notFound } from '../http/errors';
import { recordAction } from '../moderation/audit';
import { notify, notifyMany } from '../notifications/notify';
import {
  type ChannelAccess,
  type Actor,
  type Viewer,
  channelAudience,
  isChannelMember,
  mayDecideMembershipRequest,
  mayManageChannelMembers,
  mayRequestMembership,
  notSuspendedSql,
} from '../policy';
import { findChannelBySlug, getVisibleChannel } from './queries';

type ChannelRow = Selectable<ChannelTable>;
export type MyMembership = 'member' | 'moderator' | 'organisation' | 'pending' | null;

/** Is `userId` a moderator of this channel (the per-channel role)? */
export async function isChannelModerator(db: Db, channelId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom('channel_member').select('role').where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
  return row?.role === 'moderator';
}

/** The caller's place in a channel, for the channel page. */
export async function myMembership(db: Db, viewer: Viewer, channel: ChannelRow): Promise<MyMembership> {
  if (!viewer) return null;
  const row = await db
    .selectFrom('channel as c')
    .select([
      (eb) => eb.selectFrom('channel_member as m').select('m.role').whereRef('m.channel_id', '=', 'c.id').where('m.user_id', '=', viewer.id).as('role'),
      sql<boolean>`exists (select 1 from channel_organisation co join "user" u on u.organisation_id = co.organisation_id where co.channel_id = c.id and u.id = ${viewer.id})`.as('by_organisation'),
      sql<boolean>`exists (select 1 from channel_membership_request r where r.channel_id = c.id and r.user_id = ${viewer.id} and r.status = 'pending')`.as('pending'),
    ])
    .where('c.id', '=', channel.id)
    .executeTakeFirstOrThrow();
  if (row.role) return row.role;
  if (row.by_organisation) return 'organisation';
  return row.pending ? 'pending' : null;
}

/**
 * Asks to join a closed channel. Its existence is known to whoever has its address, never its content.
 * 404 for an unknown slug, 409 for a public channel, a member, or a request already pending.
 */
export async function requestMembership(db: Db, actor: Actor, slug: string, body: Static<typeof MembershipRequestBody>): Promise<MembershipRequest> {
  const channel = await findChannelBySlug(db, slug);
  if (!channel) throw notFound('channel');
  if (channel.visibility === 'public') throw conflict('channel_public', 'This channel is open to everyone: no request is needed.');
  if (!mayRequestMembership(actor, channel)) throw conflict('already_member', 'You are already a member of this channel.');
  const motivation = body.motivation.trim();
  if (!motivation) throw invalidField('motivation', 'must not be empty');
  const row = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('channel_membership_request')
      .values({ channel_id: channel.id, user_id: actor.id, motivation })
      .onConflict((oc) => oc.columns(['channel_id', 'user_id']).where('status', '=', 'pending').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) throw conflict('request_pending', 'You already asked to join this channel; a moderator will decide.');
    const asker = await trx.selectFrom('user').select('display_name').where('id', '=', actor.id).executeTakeFirstOrThrow();
    // Unread requests for one channel gather in one notice ("3 aanvragen voor …").
    await notifyMany(
      trx,
      (await requestDeciders(trx, channel.id)).map((userId) => ({
        userId,
        kind: 'membership_requested',
        actorId: actor.id,
        data: { channelSlug: channel.slug, title: channel.name, actorName: asker.display_name },
        groupKey: `membership_requested:${channel.id}`,
      })),
    );
    return inserted;
  });
  return (await loadRequests(db, channel, [row.id]))[0];
}

/**
 * Who hears of a new request: the channel's moderators, or the admins when it has none (someone must
 * decide). Suspended accounts are left out, as they may not decide.
 */
async function requestDeciders(trx: Transaction<Database>, channelId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with deciders as (
      select u.id from channel_member m join "user" u on u.id = m.user_id
      where m.channel_id = ${channelId} and m.role = 'moderator' and ${notSuspendedSql('u')}
    )
    select id from deciders
    union all
    select u.id from "user" u where u.role = 'admin' and ${notSuspendedSql('u')} and not exists (select 1 from deciders)`.execute(trx);
  return rows.map((r) => r.id);
}

async function loadRequests(db: Db, channel: ChannelRow, ids?: string[]): Promise<MembershipRequest[]> {
  let q = db
    .selectFrom('channel_membership_request as r')
    .innerJoin('user as u', 'u.id', 'r.user_id')
    .select(['r.id as request_id', 'r.motivation', 'r.status', 'r.created_at as requested_at', ...AUTHOR_COLUMNS.map((c) => `u.${c}` as const)])
    .where('r.channel_id', '=', channel.id)
    .orderBy('r.id')
    .limit(200);
  q = ids ? q.where('r.id', 'in', ids) : q.where('r.status', '=', 'pending');
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.request_id, channelSlug: channel.slug, user: toAuthor(r), motivation: r.motivation, status: r.status, createdAt: r.requested_at.toISOString() }));
}

/** The channel for someone who manages its members: 404 when they may not see it, 403 when they may not manage it. */
async function channelToManage(db: Db, actor: Actor, slug: string): Promise<{ channel: ChannelRow; channelModerator: boolean }> {
  const channel = await getVisibleChannel(db, actor, slug);
  const channelModerator = await isChannelModerator(db, channel.id, actor.id);
  if (!mayManageChannelMembers(actor, channelModerator)) throw forbidden('forbidden', "Only this channel's moderators and admins may do this.");
  return { channel, channelModerator };
}

/** The pending requests, oldest first (at most 200): channel moderators and admins. */
export async function listMembershipRequests(db: Db, actor: Actor, slug: string): Promise<MembershipRequest[]> {
  const { channel } = await channelToManage(db, actor, slug);
  return loadRequests(db, channel);
}

/** Approves or declines a pending request; nobody decides their own (403). 409 when it was decided already. */
export async function decideMembershipRequest(db: Db, actor: Actor, slug: string, requestId: string, decision: 'approved' | 'declined'): Promise<MembershipRequest> {
  // Own request first: a requester sees no closed channel, so they would otherwise get 404.
  const channel = await findChannelBySlug(db, slug);
  if (!channel) throw notFound('channel');
  const own = await db.selectFrom('channel_membership_request').select('user_id').where('id', '=', requestId).where('channel_id', '=', channel.id).executeTakeFirst();
  if (own && own.user_id === actor.id) throw forbidden('own_request', 'You cannot decide your own request.');
  const { channelModerator } = await channelToManage(db, actor, slug);
  await db.transaction().execute(async (trx) => {
    const request = await trx.selectFrom('channel_membership_request').selectAll().where('id', '=', requestId).where('channel_id', '=', channel.id).forUpdate().executeTakeFirst();
    if (!request) throw notFound('membership request');
    if (!mayDecideMembershipRequest(actor, request.user_id, channelModerator)) throw forbidden('own_request', 'You cannot decide your own request.');
    if (request.status !== 'pending') throw conflict('request_decided', 'This request was already decided.');
    await trx.updateTable('channel_membership_request').set({ status: decision, decided_by: actor.id, decided_at: new Date() }).where('id', '=', requestId).execute();
    if (decision === 'approved') {
      await trx.insertInto('channel_member').values({ channel_id: channel.id, user_id: request.user_id }).onConflict((oc) => oc.doNothing()).execute();
    }
    await recordAction(trx, { actorId: actor.id, action: decision === 'approved' ? 'approve_membership' : 'decline_membership', targetType: 'channel', targetId: channel.id, data: { userId: request.user_id, requestId } });
    // The asker hears the answer (the notice of approval leads into the channel).
    await notify(trx, { userId: request.user_id, kind: decision === 'approved' ? 'membership_approved' : 'membership_declined', actorId: actor.id, data: { channelSlug: channel.slug, title: channel.name } });
  });
  return (await loadRequests(db, channel, [requestId]))[0];
}

/** Leaves a channel. 404 when not a member; 409 when the membership comes from one's verified organisation. */
export async function leaveChannel(db: Db, actor: Actor, slug: string): Promise<void> {
  const channel = await getVisibleChannel(db, actor, slug);
  const removed = await db.deleteFrom('channel_member').where('channel_id', '=', channel.id).where('user_id', '=', actor.id).executeTakeFirst();
  if (Number(removed.numDeletedRows) > 0) return;
  if (isChannelMember(actor, channel.id)) throw conflict('member_by_organisation', 'You are a member through your organisation.');
  throw notFound('membership');
}

/** The members of a channel (approved ones; organisations are listed on the channel): channel moderators and admins. */
export async function listMembers(db: Db, actor: Actor, slug: string) {
  const { channel } = await channelToManage(db, actor, slug);
  const rows = await db
    .selectFrom('channel_member as m')
    .innerJoin('user as u', 'u.id', 'm.user_id')
    .select(['m.role as member_role', 'm.created_at as since', ...AUTHOR_COLUMNS.map((c) => `u.${c}` as const)])
    .where('m.channel_id', '=', channel.id)
    .orderBy('u.display_name')
    .limit(1000)
    .execute();
  return rows.map((r) => ({ user: toAuthor(r), role: r.member_role, since: r.since.toISOString() }));
}

/** Makes a user a moderator of the channel (and so a member), or a plain member again: admins only (checked by the route). */
export async function setChannelModerator(db: Db, admin: Actor, slug: string, userId: string, moderator: boolean): Promise<void> {
  const channel = await getVisibleChannel(db, admin, slug);
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('user').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound('user');
    const role = moderator ? 'moderator' : 'member';
    await trx.insertInto('channel_member').values({ channel_id: channel.id, user_id: userId, role }).onConflict((oc) => oc.columns(['channel_id', 'user_id']).doUpdateSet({ role })).execute();
    await recordAction(trx, { actorId: admin.id, action: moderator ? 'appoint_channel_moderator' : 'remove_channel_moderator', targetType: 'channel', targetId: channel.id, data: { userId } });
  });
}

/**
 * Changes who may see a channel and whose verified members join without asking, inside the
 * transaction of the channel's update (channels/queries.ts updateChannel; admins only, checked by the route).
 */
export async function applyChannelAccess(trx: Transaction<Database>, channel: ChannelRow, body: Static<typeof ChannelAccessBody>): Promise<ChannelRow> {
  let row = channel;
  if (body.visibility) row = await trx.updateTable('channel').set({ visibility: body.visibility }).where('id', '=', channel.id).returningAll().executeTakeFirstOrThrow();
  if (body.organisationIds) {
    const ids = [...new Set(body.organisationIds)];
    const found = ids.length ? await trx.selectFrom('organisation').select('id').where('id', 'in', ids).execute() : [];
    if (found.length !== ids.length) throw invalidField('organisationIds', 'contains an unknown organisation');
    await trx.deleteFrom('channel_organisation').where('channel_id', '=', channel.id).execute();
    if (ids.length) await trx.insertInto('channel_organisation').values(ids.map((id) => ({ channel_id: channel.id, organisation_id: id }))).execute();
  }
  return row;
}

/** The organisations whose verified members belong to a channel. */
export async function channelOrganisationIds(db: Db, channelId: string): Promise<string[]> {
  const rows = await db.selectFrom('channel_organisation').select('organisation_id').where('channel_id', '=', channelId).orderBy('organisation_id').execute();
  return rows.map((r) => r.organisation_id);
}

/**
 * The audience rule for the topic bus: events on a closed channel's topic, or on a thread in one,
 * go only to its members (and moderators): `members:<channelId>`, keyed by topic (`thread:12`,
 * `channel:jeugd`); public ones are left out. Asked at write time, so a thread moved into a closed
 * channel stops reaching outsiders at once. One read for a batch of events.
 */
export async function closedTopicAudiences(trx: Transaction<Database>, keysByKind: Map<string, string[]>): Promise<Map<string, string>> {
  const threadIds = (keysByKind.get('thread') ?? []).filter((id) => /^[1-9][0-9]{0,18}$/.test(id));
  const slugs = keysByKind.get('channel') ?? [];
  if (!threadIds.length && !slugs.length) return new Map();
  const { rows } = await sql<{ topic: string; id: string; visibility: ChannelAccess['visibility'] }>`
    select 'thread:' || t.id as topic, c.id::text as id, c.visibility from thread t join channel c on c.id = t.channel_id
    where t.id = any(${threadIds}::bigint[]) and c.visibility <> 'public'
    union all
    select 'channel:' || c.slug, c.id::text, c.visibility from channel c where c.slug = any(${slugs}::text[]) and c.visibility <> 'public'
  `.execute(trx);
  return new Map(rows.map((r) => [r.topic, channelAudience({ id: r.id, visibility: r.visibility })]));
}

/** An erased account leaves its channels, and its requests (with their motivations) go. */
export async function eraseChannelDataOf(trx: Transaction<Database>, userId: string): Promise<void> {
  await trx.deleteFrom('channel_member').where('user_id', '=', userId).execute();
  await trx.deleteFrom('channel_membership_request').where('user_id', '=', userId).execute();
}
