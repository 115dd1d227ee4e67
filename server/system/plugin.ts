import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';

const Health = Type.Object({ ok: Type.Boolean(), db: Type.Union([Type.Literal('up'), Type.Literal('down')]) });
const Unhealthy = Type.Object({
  ok: Type.Boolean(),
  db: Type.Literal('down'),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/health', { schema: { tags: ['system'], summary: 'Liveness and database reachability', response: { 200: Health, 503: Unhealthy } } }, async (request, reply) => {
    try {
      await sql`select 1`.execute(app.db);
      return { ok: true, db: 'up' as const };
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'health check: database unreachable');
      return reply.status(503).send({ ok: false, db: 'down' as const, error: { code: 'database_unavailable', message: 'The database cannot be reached.' } });
    }
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (app.config.benchRoutes) {
    // The bench's ceiling: one indexed primary-key SELECT and nothing else. Only with BENCH_ROUTES=true.
    app.get('/api/_bench/ceiling', { schema: { hide: true } }, async () => {
      const row = await app.db.selectFrom('channel').select(['id', 'slug']).where('id', '=', '1').executeTakeFirst();
      return { row: row ?? null };
    });
  }
};

export default systemRoutes;
