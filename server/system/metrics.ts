// Prometheus metrics (prom-client): HTTP latency per route, open websockets, outbox lag, job queue
// depth, job failures (mail among them), and the process's own. Served at GET /api/metrics behind a
// bearer token (METRICS_TOKEN); without a token configured the route does not exist for anyone.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import client from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: client.Registry; jobFailed(job: string): void };
  }
}

/** Registers the metrics and the HTTP timing hook on the root instance (so every route is measured). */
export function installMetrics(app: FastifyInstance): void {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'plein_' });
  const http = new client.Histogram({
    name: 'plein_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const jobFailures = new client.Counter({ name: 'plein_job_failures_total', help: 'Background job attempts that failed (mail-sweep and daily-digest: mail failures)', labelNames: ['job'], registers: [registry] });
  new client.Gauge({
    name: 'plein_websockets_open',
    help: 'Open websockets on this instance',
    registers: [registry],
    collect() {
      if (app.hasDecorator('realtime')) this.set(app.realtime.connections);
    },
  });
  new client.Gauge({
    name: 'plein_outbox_lag_events',
    help: 'Events written to the outbox that this instance has not delivered yet',
    registers: [registry],
    async collect() {
      const delivered = app.realtime.lastDeliveredId;
      const row = await app.db.selectFrom('event_counter').select('last_id').where('id', '=', 1).executeTakeFirst().catch(() => undefined);
      if (row && delivered !== null) this.set(Number(BigInt(row.last_id) - delivered));
    },
  });
  new client.Gauge({
    name: 'plein_page_cache',
    help: 'The page cache of this instance: hits, misses, loads not kept (an event arrived meanwhile) and invalidations since start; entries and bytes now',
    labelNames: ['what'],
    registers: [registry],
    collect() {
      if (!app.hasDecorator('pageCache')) return;
      for (const [what, value] of Object.entries(app.pageCache.stats)) this.set({ what }, value);
    },
  });
  new client.Gauge({
    name: 'plein_job_queue_depth',
    help: 'Background jobs waiting to run, per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      // pg-boss's own table; absent until the job runner has started once.
      const rows = await sql<{ name: string; n: string }>`select name, count(*)::text as n from pgboss.job where state in ('created', 'retry') group by name`
        .execute(app.db)
        .then((r) => r.rows, () => []);
      for (const r of rows) this.set({ queue: r.name }, Number(r.n));
    },
  });

  app.decorate('metrics', { registry, jobFailed: (job: string) => jobFailures.inc({ job }) });
  app.addHook('onResponse', async (request, reply) => {
    http.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

/** GET /api/metrics with `Authorization: Bearer <METRICS_TOKEN>`; 404 when no token is configured, 401 for a wrong one. */
export async function serveMetrics(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  const token = app.config.metricsToken;
  if (!token) return reply.status(404).send({ error: { code: 'not_found', message: 'No route for GET /api/metrics' } });
  const given = Buffer.from(/^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return reply.status(401).send({ error: { code: 'unauthorized', message: 'Give the metrics token as Authorization: Bearer <token>.' } });
  }
  return reply.type(app.metrics.registry.contentType).header('cache-control', 'no-store').send(await app.metrics.registry.metrics());
}
