import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import pLimit from 'p-limit';
import { ErrorBody } from '../../shared/schemas/common';
import { SearchHit, SearchQuery, SimilarQuery, SimilarResult, Synonym, SynonymBody } from '../../shared/schemas/search';
import { requireUser, requireWriter } from '../accounts/guards';
import { searchThreads, similarThreads } from './query';
import { addSynonym, listSynonyms, removeSynonym, syncRepositorySynonyms } from './synonyms';

const tags = ['search'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Dutch full-text search over whole threads and handouts; similar questions; the synonym list. */
const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const rateLimit = { max: app.config.rateLimits.searchPerMinute, timeWindow: '1 minute' };
  // Searches beyond SEARCH_CONCURRENCY wait here, in order, instead of in PostgreSQL.
  const searchSlot = pLimit(app.config.searchConcurrency);
  // The repository's synonym list, when it changed since the last start (no reindex: rules apply per
  // query). At ready, not at registration: a server whose database is down still starts and says 503.
  app.addHook('onReady', async () => {
    try {
      if (await syncRepositorySynonyms(app.db)) app.log.info('search: synonym list loaded');
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'search: the synonym list could not be loaded; searching without the new entries');
    }
  });

  app.get(
    '/api/search',
    {
      schema: {
        tags,
        summary: 'Search (websearch syntax: "exacte woorden", -uitsluiten, OR); without q a filter (author, tag, channel) lists newest first',
        querystring: SearchQuery,
        response: { 200: Type.Object({ items: Type.Array(SearchHit), nextCursor: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBody, 429: ErrorBody },
      },
      config: { rateLimit },
    },
    async (request) => searchSlot(() => searchThreads(app.db, request.user, request.query)),
  );

  app.get(
    '/api/search/similar',
    { schema: { tags, summary: 'Up to five threads similar to a title being typed ("Vergelijkbare vragen")', querystring: SimilarQuery, response: { 200: SimilarResult, 400: ErrorBody, 429: ErrorBody } }, config: { rateLimit } },
    async (request) => ({ items: await similarThreads(app.db, request.user, request.query.title) }),
  );

  app.get(
    '/api/admin/synonyms',
    { schema: { tags, summary: 'The synonym and abbreviation list (admin)', response: { 200: Type.Object({ items: Type.Array(Synonym) }), ...errors } } },
    async (request) => ({ items: await listSynonyms(app.db, requireUser(request)) }),
  );

  app.post(
    '/api/admin/synonyms',
    { schema: { tags, summary: 'Add a group of terms that mean the same (admin)', body: SynonymBody, response: { 201: Type.Object({ synonym: Synonym }), ...errors } } },
    async (request, reply) => reply.status(201).send({ synonym: await addSynonym(app.db, requireWriter(request), request.body) }),
  );

  app.delete(
    '/api/admin/synonyms/:id',
    { schema: { tags, summary: 'Remove a group an admin added (admin)', params: Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) }), response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await removeSynonym(app.db, requireWriter(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

export default searchRoutes;
