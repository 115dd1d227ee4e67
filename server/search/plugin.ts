import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../shared/schemas/common';
import { ThreadSummary } from '../../shared/schemas/forum';
import { SearchHit, SearchQuery, SimilarQuery } from '../../shared/schemas/search';
import { searchThreads, similarThreads } from './query';

const tags = ['search'];

/** Dutch full-text search over titles, tags, opening posts and replies; results grouped per thread. */
const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const rateLimit = { max: app.config.rateLimits.searchPerMinute, timeWindow: '1 minute' };

  app.get(
    '/api/search',
    {
      schema: { tags, summary: 'Search (websearch syntax: "exacte woorden", -uitsluiten, OR)', querystring: SearchQuery, response: { 200: Type.Object({ items: Type.Array(SearchHit), nextCursor: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBody, 429: ErrorBody } },
      config: { rateLimit },
    },
    async (request) => searchThreads(app.db, request.user, request.query),
  );

  app.get(
    '/api/search/similar',
    { schema: { tags, summary: 'Up to five threads similar to a title being typed ("Vergelijkbare vragen")', querystring: SimilarQuery, response: { 200: Type.Object({ items: Type.Array(ThreadSummary) }), 400: ErrorBody, 429: ErrorBody } }, config: { rateLimit } },
    async (request) => ({ items: await similarThreads(app.db, request.user, request.query.title) }),
  );
};

export default searchRoutes;
