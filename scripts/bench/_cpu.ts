import { readFileSync } from 'node:fs';
import { benchAccount } from './account';
const base = 'http://127.0.0.1:40500';
function stat() { const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return { busy: f[0] + f[1] + f[2] + f[5] + f[6], steal: f[7] }; }
async function run(label: string, n: number, conc: number, req: (i: number) => Promise<Response>) {
  const a = stat(); let next = 0; const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { for (;;) { const i = next++; if (i >= n) return; const r = await req(i); await r.arrayBuffer(); if (r.status >= 400) console.log(label, r.status); } }));
  const b = stat();
  console.log(`${label}: n=${n} cpu_ms/req=${((b.busy - a.busy) * 10 / n).toFixed(3)} steal_ticks=${b.steal - a.steal} wall_ms/req=${((performance.now() - t0) / n).toFixed(2)}`);
}
const cookie = await benchAccount({ baseUrl: base, databaseUrl: 'postgres://postgres@127.0.0.1:5432/plein_bench_20001_1000000' }, `cpu-${Date.now()}@bench.example`, `Cpu ${Date.now()}`);
const gz = { 'accept-encoding': 'gzip' };
const start = Number(process.argv[2] ?? 3000);
await run('ceiling', 5000, 16, () => fetch(`${base}/api/_bench/ceiling`));
await run('anon hit', 5000, 16, () => fetch(`${base}/api/threads/100`, { headers: gz }));
await run('anon miss (distinct threads)', 1000, 16, (i) => fetch(`${base}/api/threads/${start + i}`, { headers: gz }));
await run('signed-in (one thread)', 3000, 16, () => fetch(`${base}/api/threads/100`, { headers: { ...gz, cookie } }));
await run('reply (8 threads)', 400, 8, (i) => fetch(`${base}/api/threads/${200 + (i % 8)}/replies`, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ body: `<p>Cpu-reactie ${i}: bij ons werkt dat ook zo.</p>` }) }));
await run('ceiling', 5000, 16, () => fetch(`${base}/api/_bench/ceiling`));
