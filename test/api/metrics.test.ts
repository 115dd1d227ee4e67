// Prometheus metrics behind a token: what an operator scrapes.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../support/app';
import { createChannel } from '../support/forum';
import { connect } from '../support/ws';

const TOKEN = 'metrics-token-for-the-test-0123';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ metricsToken: TOKEN });
  await createChannel(t, 'landelijk');
});
afterAll(async () => {
  await t.close();
});

const scrape = () => request(t.app.server).get('/api/metrics').set('Authorization', `Bearer ${TOKEN}`);

describe('GET /api/metrics', () => {
  it('needs the token: 401 without or with a wrong one', async () => {
    expect((await request(t.app.server).get('/api/metrics')).status).toBe(401);
    expect((await request(t.app.server).get('/api/metrics').set('Authorization', 'Bearer wrong-token-of-the-same-length!')).status).toBe(401);
  });

  it('shows request latency per route pattern, open websockets and the outbox lag', async () => {
    await request(t.app.server).get('/api/channels/landelijk/threads').expect(200);
    const socket = await connect(t.app);
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/plein_http_request_duration_seconds_count\{method="GET",route="\/api\/channels\/:slug\/threads",status="200"\} 1/);
    expect(res.text).toMatch(/^plein_websockets_open 1$/m);
    expect(res.text).toMatch(/^plein_outbox_lag_events \d+$/m);
    // The page cache is off in tests (test/support/app.ts): every read is a miss.
    expect(res.text).toMatch(/^plein_page_cache\{what="misses"\} [1-9]\d*$/m);
    expect(res.text).toContain('plein_job_failures_total');
    socket.close();
  });

  it('does not exist without a configured token', async () => {
    const other = await t.another({ metricsToken: undefined });
    expect((await request(other.server).get('/api/metrics')).status).toBe(404);
  });
});
