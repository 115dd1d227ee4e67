import type { FastifyRequest } from 'fastify';
import { ApiError, forbidden, unauthorized } from '../http/errors';
import { type Role, hasRole, isSuspended, needsTwoFactorFor } from '../policy';
import type { SessionUser } from './session';

// Role questions are the policy's (server/policy); these are the HTTP guards built on it.

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
  if (needsTwoFactorFor(user, role)) throw forbidden('two_factor_required', 'Set up two-factor sign-in first: your role requires it.');
  if (!hasRole(user, role)) throw forbidden('forbidden', `Only ${role}s may do this.`);
  return user;
}
