import type { FastifyRequest } from 'fastify';
import type { Config, RateLimitSettings } from '../config';

const DAY_MS = 24 * 60 * 60 * 1000;

type PostingKind = 'threadsPerHour' | 'repliesPerHour' | 'reportsPerHour' | 'uploadsPerHour';

/**
 * Route config for @fastify/rate-limit against spam and floods: counted per user (per address for
 * visitors), halved for accounts younger than a day. Use as `config: { rateLimit: postingLimit(app.config, 'repliesPerHour') }`.
 */
export function postingLimit(config: Config, kind: PostingKind) {
  const perHour = (config.rateLimits as RateLimitSettings)[kind];
  return {
    timeWindow: '1 hour',
    keyGenerator: (request: FastifyRequest) => (request.user ? `user:${request.user.id}:${kind}` : `ip:${request.ip}:${kind}`),
    max: (request: FastifyRequest) => {
      const young = request.user && Date.now() - request.user.createdAt.getTime() < DAY_MS;
      return young ? Math.max(1, Math.floor(perHour / 2)) : perHour;
    },
  };
}
