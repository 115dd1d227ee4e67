import { benchAccount } from '../account';
import { readFile, writeFile } from 'node:fs/promises';
import type { Section } from './index';

const SIZE = Number(process.env.BENCH_UPLOAD_MB ?? 25) * 1024 * 1024 - 4096;

async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]);
}
const rssKb = (pid: number) => statusKb(pid, 'VmRSS');

/** Resets the kernel's peak-RSS mark (VmHWM) of `pid`, so it measures from now; false where not allowed. */
const resetPeak = (pid: number) => writeFile(`/proc/${pid}/clear_refs`, '5').then(() => true, () => false);

/** Uploads one 25 MB handout and reports the server's peak RSS growth and the throughput. */
export const uploadSection: Section = {
  name: 'upload',
  async run(ctx) {
    const cookie = await benchAccount(ctx, `upload-${Date.now()}@bench.example`, `Upload Bench ${Date.now().toString(36)}`);
    // A PDF header followed by 25 MB of filler: sniffed as PDF, streamed to disk.
    const body = Buffer.alloc(SIZE, 0x20);
    body.write('%PDF-1.4\n');
    const form = new FormData();
    form.append('file', new Blob([body], { type: 'application/pdf' }), 'groot-rapport.pdf');
    const exactPeak = await resetPeak(ctx.serverPid);
    const before = await rssKb(ctx.serverPid);
    let peak = before;
    const sampler = setInterval(() => void rssKb(ctx.serverPid).then((kb) => (peak = Math.max(peak, kb)), () => {}), 10);
    const t0 = performance.now();
    const res = await fetch(`${ctx.baseUrl}/api/attachments`, { method: 'POST', headers: { cookie, origin: ctx.baseUrl }, body: form });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    // The kernel's own peak mark when it could be reset; otherwise the 10 ms samples.
    peak = Math.max(peak, await rssKb(ctx.serverPid), exactPeak ? await statusKb(ctx.serverPid, 'VmHWM') : 0);
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    ctx.record({ section: `POST /api/attachments (${Math.round(SIZE / 1048576)} MB)`, metric: 'peak server RSS growth (MB)', value: ((peak - before) / 1024).toFixed(1), target: '< 20' });
    ctx.record({ section: `POST /api/attachments (${Math.round(SIZE / 1048576)} MB)`, metric: 'throughput (MB/s)', value: (SIZE / 1024 / 1024 / (ms / 1000)).toFixed(0) });
  },
};
