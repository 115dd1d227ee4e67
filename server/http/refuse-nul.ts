import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors';

/** The first path (`body.title`, `query.q`) whose text holds a NUL byte, which PostgreSQL cannot store or compare. */
function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 20 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here (they are stripped or refused)
    if (key.includes('\u0000')) return `${path}.${key.replace(/\u0000/g, '')}`;
    const found = nulPath(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Every route refuses text with a NUL byte (params, query and JSON body) with 400, before its handler runs. */
export function refuseNulBytes(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const where = nulPath(request.params, 'params') ?? nulPath(request.query, 'query') ?? nulPath(request.body, 'body');
    if (where) {
      const field = where.split('.').slice(1).join('.') || where;
      throw badRequest('validation_failed', `Invalid ${where.split('.')[0]}: text may not contain NUL characters.`, { [field]: 'may not contain NUL characters' });
    }
  });
}
