import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { searchThreads, similarThreads } from './server/search/query';
const url = process.env.DB!;
let captured: { sql: string; params: readonly unknown[] } | null = null;
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }), log: (e) => { if (e.level === 'query') captured = { sql: e.query.sql, params: e.query.parameters }; } });
const client = new pg.Client({ connectionString: url });
await client.connect();
for (const q of (process.env.QS ?? 'wijkteam|wijkteam huisarts|1234 wijkteam').split('|')) {
  const t0 = Date.now();
  await searchThreads(db as any, undefined as any, { q } as any);
  const ms1 = Date.now() - t0;
  const t1 = Date.now();
  await searchThreads(db as any, undefined as any, { q } as any);
  console.log(`== ${q}: ${ms1} ms, again ${Date.now() - t1} ms`);
  if (process.env.EXPLAIN) {
    const sqlText = captured!.sql.replace('/* plein:prepared */ ', '');
    const r = await client.query(`explain (analyze, buffers, costs off) ${sqlText}`, captured!.params as unknown[]);
    console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
  }
}
const t2 = Date.now();
await similarThreads(db as any, 'Hoe werkt wijkteam bij jullie?');
console.log('similar', Date.now() - t2);
await client.end();
await db.destroy();
