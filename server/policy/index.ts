// The one place that answers "may this actor see or do this". Routes, domain functions, search,
// downloads, calendars, websocket topics and replay all ask here, so a rule changes in one place.
import { sql } from 'kysely';

const RANK = { member: 0, expert: 1, moderator: 2, admin: 3 } as const;
export type Role = keyof typeof RANK;

/** Who is acting or reading. Suspension travels with the role: it changes what the role is worth. */
export interface Actor {
  id: string;
  role: Role;
  suspendedUntil: Date | null;
  /** The role must use two-factor sign-in (REQUIRE_2FA) and the account has not set it up yet. */
  twoFactorMissing?: boolean;
  /** The closed channels this actor is a member of (by approval or through a verified organisation). */
  channelIds?: readonly string[];
}
/** A reader: an actor, or null for a visitor who is not signed in. */
export type Viewer = Actor | null;

export function isSuspended(actor: Pick<Actor, 'suspendedUntil'>, now = new Date()): boolean {
  return actor.suspendedUntil !== null && actor.suspendedUntil.getTime() > now.getTime();
}

/**
 * The role an actor acts with now: a suspended expert, moderator or admin keeps a member's read
 * rights and none of the role's extra rights (writing is refused by requireWriter as for any member).
 * So does one whose role must use two-factor sign-in before it has been set up.
 */
export function effectiveRole(actor: Viewer | undefined): Role | null {
  if (!actor) return null;
  return isSuspended(actor) || actor.twoFactorMissing ? 'member' : actor.role;
}

/** Does the actor hold `role` but may not use it until two-factor sign-in is set up? (→ 403 two_factor_required) */
export const needsTwoFactorFor = (actor: Viewer | undefined, role: Role): boolean =>
  !!actor && !!actor.twoFactorMissing && !isSuspended(actor) && RANK[actor.role] >= RANK[role] && RANK[role] > RANK.member;

/** Admin work on accounts and channels (the Beheer page). */
export const mayAdministerAccounts = (actor: Viewer | undefined): boolean => hasRole(actor, 'admin');

/** An account's own two-factor setting, e-mail and password: only its owner. */
export const mayManageOwnAccount = (actor: Viewer | undefined, userId: string): boolean => !!actor && actor.id === userId;

export const hasRole = (actor: Viewer | undefined, role: Role): boolean => {
  const r = effectiveRole(actor);
  return r !== null && RANK[r] >= RANK[role];
};

export const isModerator = (actor: Viewer | undefined): boolean => hasRole(actor, 'moderator');
export const isAdmin = (actor: Viewer | undefined): boolean => hasRole(actor, 'admin');

/** A hidden post (its body, its handouts, its search hits): moderators and its author see it whole. */
export function maySeeHiddenPost(viewer: Viewer | undefined, authorId: string): boolean {
  return !!viewer && (isModerator(viewer) || viewer.id === authorId);
}

/** Hidden posts as search hits: moderators only (an author finds their hidden post on its thread page). */
export const mayFindHiddenPosts = (viewer: Viewer | undefined): boolean => isModerator(viewer);

/** Who adds and removes search synonyms (the Beheer page). */
export const mayManageSynonyms = (actor: Viewer | undefined): boolean => isAdmin(actor);

/**
 * One revision of a post's edit history (`textSince`: when its text was put in place): everyone, as
 * in Discourse, except what a hide took away. A revision whose text was in place at or before the
 * post's last hide stays with moderators; while a post is hidden its history is for those who may
 * see it (its author and moderators).
 */
export function mayReadRevision(viewer: Viewer | undefined, post: { authorId: string; hidden: boolean; lastHiddenAt: Date | null }, textSince: Date): boolean {
  if (isModerator(viewer)) return true;
  if (post.hidden && !maySeeHiddenPost(viewer, post.authorId)) return false;
  return post.lastHiddenAt === null || textSince.getTime() > post.lastHiddenAt.getTime();
}

/** Marking a reply as the best answer (and changing or clearing it): the asker, experts and moderators. */
export const mayAcceptAnswer = (actor: Viewer | undefined, threadAuthorId: string): boolean =>
  !!actor && (actor.id === threadAuthorId || hasRole(actor, 'expert'));

/** Marking a post "nuttig": any signed-in member, never on their own post (the route refuses that with 409). */
export const mayAppreciate = (actor: Viewer | undefined, authorId: string): boolean => !!actor && actor.id !== authorId;

/** Editing and deleting a post: its author or a moderator. A whole thread: moderators only. */
export const mayEditPost = (actor: Viewer | undefined, authorId: string): boolean => !!actor && (actor.id === authorId || isModerator(actor));
export const mayDeleteThread = (actor: Viewer | undefined): boolean => isModerator(actor);

/** Replying to a locked thread: moderators only. */
export const mayReplyToLocked = (actor: Viewer | undefined): boolean => isModerator(actor);

/** Starting a thread in a channel: in experts_ask channels, experts and up. */
export const mayStartThread = (actor: Viewer | undefined, postingPolicy: 'open' | 'experts_ask'): boolean =>
  !!actor && (postingPolicy === 'open' || hasRole(actor, 'expert'));

/** A video session: its organiser or a moderator changes it and reads its attendee list (with e-mail addresses). */
export const mayManageVideoSession = (actor: Viewer | undefined, organiserId: string | null): boolean =>
  !!actor && (actor.id === organiserId || isModerator(actor));

/** Proposing or taking on a session: the thread's author, experts and moderators. */
export const mayOrganiseVideoSession = (actor: Viewer | undefined, threadAuthorId: string): boolean =>
  !!actor && (actor.id === threadAuthorId || hasRole(actor, 'expert'));

/** The meeting link and the calendar entry: registrants, the organiser and moderators. */
export const maySeeMeetingLink = (viewer: Viewer | undefined, organiserId: string | null, registered: boolean): boolean =>
  !!viewer && (registered || mayManageVideoSession(viewer, organiserId));

/**
 * An event's audience ('public', 'moderators', 'user:<id>' or 'members:<channelId>' for what happens in
 * a closed channel): may this viewer receive it, live or replayed?
 */
export function mayReceiveAudience(viewer: Viewer | undefined, audience: string): boolean {
  if (audience === 'public') return true;
  if (audience === 'moderators') return isModerator(viewer);
  if (audience.startsWith('user:')) return !!viewer && audience === `user:${viewer.id}`;
  if (audience.startsWith('members:')) return maySeeChannel(viewer, { id: audience.slice('members:'.length), visibility: 'members' });
  return false;
}

// Closed channels. A channel with visibility `members` exists only for its members, moderators and
// admins (staff handle reports everywhere, as in Discourse); to everyone else it is 404, with its
// threads, replies, handouts, search hits, events and notifications.

export type ChannelVisibility = 'public' | 'members';
export interface ChannelAccess {
  id: string;
  visibility: ChannelVisibility;
}

export const isChannelMember = (viewer: Viewer | undefined, channelId: string): boolean => !!viewer?.channelIds?.includes(channelId);

/** May this viewer know the channel exists, read it and everything in it? */
export const maySeeChannel = (viewer: Viewer | undefined, channel: ChannelAccess): boolean =>
  channel.visibility === 'public' || isModerator(viewer) || isChannelMember(viewer, channel.id);

/** The audience of events about a channel's content: everyone, or its members (moderators always). */
export const channelAudience = (channel: ChannelAccess): string => (channel.visibility === 'public' ? 'public' : `members:${channel.id}`);

/** The same rule as maySeeChannel for SQL, for the channel row `alias` (lists, search). */
export function visibleChannelSql(viewer: Viewer | undefined, alias: string) {
  if (isModerator(viewer)) return sql<boolean>`true`;
  const ids = [...(viewer?.channelIds ?? [])];
  return sql<boolean>`(${sql.ref(`${alias}.visibility`)} = 'public' or ${sql.ref(`${alias}.id`)} = any(${ids}::bigint[]))`;
}

/**
 * The same rule for the user whose id is in column `userIdColumn` (notifications and mail, decided in
 * the database): is channel `channelIdColumn` visible to them now?
 */
export const channelVisibleToUserSql = (channelIdColumn: string, userIdColumn: string) => sql<boolean>`(
  exists (select 1 from channel vc where vc.id = ${sql.ref(channelIdColumn)} and vc.visibility = 'public')
  or exists (select 1 from "user" vu where vu.id = ${sql.ref(userIdColumn)} and ${isModeratorSql('vu')})
  or exists (select 1 from channel_member vm where vm.channel_id = ${sql.ref(channelIdColumn)} and vm.user_id = ${sql.ref(userIdColumn)})
  or exists (select 1 from channel_organisation vo join "user" vou on vou.organisation_id = vo.organisation_id
             where vo.channel_id = ${sql.ref(channelIdColumn)} and vou.id = ${sql.ref(userIdColumn)})
)`;

/** Asking to join: a signed-in writer who does not see the channel's content yet (a non-member of a closed channel). */
export const mayRequestMembership = (actor: Viewer | undefined, channel: ChannelAccess): boolean =>
  !!actor && channel.visibility === 'members' && !isChannelMember(actor, channel.id);

/** The pending requests of a channel, and deciding them: that channel's moderators and admins (not suspended). */
export const mayManageChannelMembers = (actor: Viewer | undefined, isChannelModerator: boolean): boolean =>
  !!actor && !isSuspended(actor) && (isChannelModerator || isAdmin(actor));

/** Nobody decides their own request, whatever their role. */
export const mayDecideMembershipRequest = (actor: Viewer | undefined, requesterId: string, isChannelModerator: boolean): boolean =>
  mayManageChannelMembers(actor, isChannelModerator) && actor!.id !== requesterId;

/** Organisations (names, domains, logos) are kept by admins. */
export const mayManageOrganisations = (actor: Viewer | undefined): boolean => isAdmin(actor);

/** A verified organisation is set by its domain: its member cannot type another one over it. */
export const mayEditOrganisationName = (user: { organisationId: string | null }): boolean => user.organisationId === null;

/** The moderation topic (`mod`): new reports and actions, for moderators who are not suspended. */
export const mayReadModerationTopic = (viewer: Viewer | undefined): boolean => isModerator(viewer);

/** Someone's personal topic (`user:<id>`): only that user. */
export const mayReadUserTopic = (viewer: Viewer | undefined, userId: string): boolean => !!viewer && viewer.id === userId;

/** The account `alias` is not suspended now (SQL twin of isSuspended). */
export const notSuspendedSql = (alias: string) => sql<boolean>`(${sql.ref(`${alias}.suspended_until`)} is null or ${sql.ref(`${alias}.suspended_until`)} <= now())`;

/**
 * The same rule as isModerator for SQL: is the user `alias` a moderator or admin who is not
 * suspended now? (notification visibility is decided in the database).
 */
export const isModeratorSql = (alias: string) =>
  sql<boolean>`(${sql.ref(`${alias}.role`)} in ('moderator', 'admin') and ${notSuspendedSql(alias)}
    and (${sql.ref(`${alias}.totp_enabled_at`)} is not null or not (${sql.ref(`${alias}.role`)} = any(${[...rolesRequiringTwoFactor]}::text[]))))`;

/**
 * The roles that must use two-factor sign-in (REQUIRE_2FA), for the SQL twin above: an account of such
 * a role without it acts as a member there too, as `effectiveRole` makes it elsewhere. Set from the
 * configuration when sessions are set up (accounts/session.ts).
 */
let rolesRequiringTwoFactor: readonly string[] = [];
export function requireTwoFactorFor(roles: readonly string[]): void {
  rolesRequiringTwoFactor = [...roles];
}

/**
 * The same rule as an anonymous visitor's view, for SQL that lists threads to the whole world (sitemap,
 * feeds): the opening post `op` is not hidden and the thread `t` is in a public channel.
 */
export const isPublicThreadSql = (openingPostAlias: string, threadAlias = 't') =>
  sql<boolean>`(${sql.ref(`${openingPostAlias}.hidden_at`)} is null and exists (select 1 from channel pc where pc.id = ${sql.ref(`${threadAlias}.channel_id`)} and pc.visibility = 'public'))`;
