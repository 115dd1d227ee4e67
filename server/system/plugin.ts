import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { createMigrator } from '../db/migrate';
import { serveMetrics } from './metrics';

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

  const Ready = Type.Object({ ready: Type.Boolean(), checks: Type.Object({ database: Type.Boolean(), migrations: Type.Boolean(), realtime: Type.Boolean() }) });
  // Readiness for a load balancer: take traffic only with the database up, every migration applied
  // and the LISTEN connection that delivers live events. Liveness (/api/health) stays cheaper.
  app.get('/api/ready', { schema: { tags: ['system'], summary: 'Readiness: database, migrations and the realtime LISTEN connection', response: { 200: Ready, 503: Ready } } }, async (_request, reply) => {
    const database = await sql`select 1`.execute(app.db).then(() => true, () => false);
    const migrations = database && (await createMigrator(app.db).getMigrations().then((all) => all.every((m) => m.executedAt !== undefined), () => false));
    const realtime = app.realtime.listening;
    const ready = database && migrations && realtime;
    return reply.status(ready ? 200 : 503).send({ ready, checks: { database, migrations, realtime } });
  });

  app.get('/api/metrics', { schema: { hide: true } }, (request, reply) => serveMetrics(app, request, reply));

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
