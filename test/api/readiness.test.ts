// Liveness and readiness as a load balancer or orchestrator asks them.
import request from 'supertest';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/ready', () => {
  it('is ready with the database up, every migration applied and the LISTEN connection open', async () => {
    await expect.poll(() => t.app.realtime.listening).toBe(true);
    const res = await request(t.app.server).get('/api/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ready: true, checks: { database: true, migrations: true, realtime: true } });
  });

  it('is not ready (503) while a migration is not applied, and says which check fails; liveness stays 200', async () => {
    const last = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(t.db);
    await sql`delete from kysely_migration where name = ${last.rows[0].name}`.execute(t.db);
    const res = await request(t.app.server).get('/api/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: true, migrations: false, realtime: true });
    expect((await request(t.app.server).get('/api/health')).status).toBe(200);
  });
});
