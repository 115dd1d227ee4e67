import type { FastifyRequest } from 'fastify';
import { ApiError, forbidden, unauthorized } from '../http/errors';
import type { SessionUser } from './session';

const RANK = { member: 0, expert: 1, moderator: 2, admin: 3 } as const;
export type Role = keyof typeof RANK;

export const hasRole = (user: Pick<SessionUser, 'role'> | null | undefined, role: Role): boolean =>
  !!user && RANK[user.role] >= RANK[role];

export const isModerator = (user: Pick<SessionUser, 'role'> | null | undefined) => hasRole(user, 'moderator');

export function isSuspended(user: Pick<SessionUser, 'suspendedUntil'>, now = new Date()): boolean {
  return user.suspendedUntil !== null && user.suspendedUntil.getTime() > now.getTime();
}

/** Any signed-in user (reading one's own data; suspended users may still do this). */
export function requireUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw unauthorized();
  return request.user;
}

/** A signed-in user who may write: not suspended. Use for every state-changing route. */
export function requireWriter(request: FastifyRequest): SessionUser {
  const user = requireUser(request);
  if (isSuspended(user)) {
    throw new ApiError(
      403,
      'suspended',
      `Your account is suspended until ${user.suspendedUntil!.toISOString()}: ${user.suspensionReason ?? ''}`.trim(),
    );
  }
  return user;
}

/** A writer with at least `role` (moderator includes admin). */
export function requireRole(request: FastifyRequest, role: Role): SessionUser {
  const user = requireWriter(request);
  if (!hasRole(user, role)) throw forbidden('forbidden', `Only ${role}s may do this.`);
  return user;
}
