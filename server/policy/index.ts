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
}
/** A reader: an actor, or null for a visitor who is not signed in. */
export type Viewer = Actor | null;

export function isSuspended(actor: Pick<Actor, 'suspendedUntil'>, now = new Date()): boolean {
  return actor.suspendedUntil !== null && actor.suspendedUntil.getTime() > now.getTime();
}

/**
 * The role an actor acts with now: a suspended expert, moderator or admin keeps a member's read
 * rights and none of the role's extra rights (writing is refused by requireWriter as for any member).
 */
export function effectiveRole(actor: Viewer | undefined): Role | null {
  if (!actor) return null;
  return isSuspended(actor) ? 'member' : actor.role;
}

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

/** An event's audience ('public', 'moderators' or 'user:<id>'): may this viewer receive it, live or replayed? */
export function mayReceiveAudience(viewer: Viewer | undefined, audience: string): boolean {
  if (audience === 'public') return true;
  if (audience === 'moderators') return isModerator(viewer);
  if (audience.startsWith('user:')) return !!viewer && audience === `user:${viewer.id}`;
  return false;
}

/** The moderation topic (`mod`): new reports and actions, for moderators who are not suspended. */
export const mayReadModerationTopic = (viewer: Viewer | undefined): boolean => isModerator(viewer);

/** Someone's personal topic (`user:<id>`): only that user. */
export const mayReadUserTopic = (viewer: Viewer | undefined, userId: string): boolean => !!viewer && viewer.id === userId;

/**
 * The same rule as isModerator for SQL: is the user `alias` a moderator or admin who is not
 * suspended now? (notification visibility is decided in the database).
 */
export const isModeratorSql = (alias: string) =>
  sql<boolean>`(${sql.ref(`${alias}.role`)} in ('moderator', 'admin') and (${sql.ref(`${alias}.suspended_until`)} is null or ${sql.ref(`${alias}.suspended_until`)} <= now()))`;
