// Issue 21: handouts (PDF, DOCX, ODT, XLSX, ODS, PPTX) searchable through their text, extracted by a
// background job with real extractors on files made by real libraries.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import PgBoss from 'pg-boss';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../server/attachments/storage';
import { EXTRACTOR_VERSION, extractPendingHandouts, extractText } from '../../server/search/handouts/extract';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';
import { makeDocx, makeOds, makeOdt, makePdf, makePptx, makeXlsx } from '../support/handouts';

let t: TestApp;
let member: TestUser;
let mod: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'armoede');
  member = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

type Hit = { thread: { id: string }; attachment?: { id: string; filename: string }; post?: { id: string }; snippet: string };
const search = async (q: Record<string, string>, agent: unknown = request(t.app.server)) => (await (agent as ReturnType<typeof request>).get('/api/search').query(q).expect(200)).body.items as Hit[];
const sweep = () => extractPendingHandouts(t.db, createStorage(t.config), t.config.handoutExtract, t.app.log);

/** Uploads `bytes` as `filename` and posts it in a reply to a new thread; the thread, reply and attachment ids. */
async function postHandout(bytes: Buffer, filename: string, title = 'Handreiking gevraagd') {
  const up = await member.agent.post('/api/attachments').attach('file', bytes, filename);
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  const thread = await startThread(member, 'armoede', { title, body: '<p>Wie heeft er een?</p>' });
  const reply = await replyTo(member, thread.id, '<p>Zie de bijlage.</p>', { attachmentIds: [up.body.attachment.id] });
  return { threadId: thread.id, replyId: reply.id, attachmentId: up.body.attachment.id as string };
}

const MIME = {
  pdf: 'application/pdf',
};

describe('handouts in search', () => {
  it('finds a thread by a word that is only in its PDF, showing "in bijlage <naam>" with a snippet', async () => {
    const pdf = await makePdf((i) => (i === 2 ? ['De kwijtscheldingsnorm wordt jaarlijks geindexeerd.', 'Zie ook de toelichting.'] : [`Pagina ${i} van de factsheet.`]), 3);
    const { threadId, attachmentId } = await postHandout(pdf, 'Factsheet armoede.pdf');
    expect(await search({ q: 'kwijtscheldingsnorm' })).toEqual([]);
    expect(await sweep()).toBeGreaterThanOrEqual(1);
    const hits = await search({ q: 'kwijtscheldingsnorm' });
    expect(hits.map((h) => h.thread.id)).toEqual([threadId]);
    expect(hits[0].attachment).toEqual({ id: attachmentId, filename: 'Factsheet armoede.pdf' });
    expect(hits[0].snippet).toContain('<mark>kwijtscheldingsnorm</mark>');
    // The thread page says the handout is searchable.
    const page = await request(t.app.server).get(`/api/threads/${threadId}/replies`).expect(200);
    const att = page.body.items.flatMap((p: { attachments: { id: string; searchable?: boolean }[] }) => p.attachments).find((a: { id: string }) => a.id === attachmentId);
    expect(att.searchable).toBe(true);
  });

  it('reads Word, OpenDocument, Excel and PowerPoint files too', async () => {
    const files: [string, Buffer, string][] = [
      ['Handreiking.docx', await makeDocx(['Handreiking beschermingsbewind', 'Tweede alinea.']), 'beschermingsbewind'],
      ['Notitie.odt', makeOdt(['Notitie over de mantelzorgwaardering.']), 'mantelzorgwaardering'],
      ['Tarieven.xlsx', await makeXlsx([['Gemeente', 'Regeling'], ['Utrecht', 'Meedoenregeling']]), 'meedoenregeling'],
      ['Overzicht.ods', makeOds([['Regeling', 'Witgoedregeling']]), 'witgoedregeling'],
      ['Presentatie.pptx', await makePptx(['Vroegsignaleringsoverleg in de wijk', 'Tweede dia']), 'vroegsignaleringsoverleg'],
    ];
    const posted = [];
    for (const [name, bytes] of files) posted.push(await postHandout(bytes, name, `Bestand ${name}`));
    await sweep();
    for (const [i, [name, , word]] of files.entries()) {
      const hits = await search({ q: word, inAttachments: 'true' });
      expect(hits.map((h) => h.thread.id), name).toEqual([posted[i].threadId]);
      expect(hits[0].attachment?.filename).toBe(name);
      expect(hits[0].snippet.toLowerCase()).toContain(`<mark>${word}</mark>`);
    }
  });

  it('inAttachments keeps only handout matches', async () => {
    const inPost = await startThread(member, 'armoede', { title: 'Over de energietoeslag', body: '<p>De energietoeslag in de tekst.</p>' });
    const { threadId } = await postHandout(await makePdf(() => ['Beleidsregels energietoeslag 2026']), 'Beleidsregels.pdf', 'Beleidsregels gezocht');
    await sweep();
    expect((await search({ q: 'energietoeslag' })).map((h) => h.thread.id).sort()).toEqual([inPost.id, threadId].sort());
    const only = await search({ q: 'energietoeslag', inAttachments: 'true' });
    expect(only.map((h) => h.thread.id)).toEqual([threadId]);
    expect(only[0].attachment?.filename).toBe('Beleidsregels.pdf');
    expect((await request(t.app.server).get('/api/search').query({ q: 'x', inAttachments: 'soms' })).status).toBe(400);
  });

  it('is searchable with the visibility of its post: a hidden post hides its handout from members, not from moderators', async () => {
    const { threadId, replyId } = await postHandout(await makePdf(() => ['Interne adreslijst schuldhulpmaatjes']), 'Adreslijst.pdf', 'Lijst');
    await sweep();
    expect((await search({ q: 'schuldhulpmaatjes' })).map((h) => h.thread.id)).toEqual([threadId]);
    await mod.agent.post(`/api/posts/${replyId}/hide`).send({ reason: 'privacy' }).expect(200);
    expect(await search({ q: 'schuldhulpmaatjes' }, member.agent)).toEqual([]);
    expect(await search({ q: 'schuldhulpmaatjes' })).toEqual([]);
    expect((await search({ q: 'schuldhulpmaatjes' }, mod.agent)).map((h) => h.thread.id)).toEqual([threadId]);
  });

  it('marks a file it cannot read "niet doorzoekbaar" and goes on with the others', async () => {
    // Starts like a PDF (so the upload is accepted) but is not one.
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41), Buffer.from('\n%%EOF\n')]);
    const bad = await postHandout(broken, 'Kapot.pdf', 'Kapot bestand');
    const good = await postHandout(await makePdf(() => ['Stappenplan bijzondere bijstandsaanvraag']), 'Stappenplan.pdf', 'Stappenplan');
    await sweep();
    const row = await t.db.selectFrom('attachment_text').selectAll().where('attachment_id', '=', bad.attachmentId).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.error).toBeTruthy();
    const page = await request(t.app.server).get(`/api/threads/${bad.threadId}/replies`).expect(200);
    expect(page.body.items[0].attachments[0].searchable).toBe(false);
    expect((await search({ q: 'bijstandsaanvraag' })).map((h) => h.thread.id)).toEqual([good.threadId]);
    // A failed file is not tried again on every sweep.
    expect(await sweep()).toBe(0);
  });

  it('extracts again when the extractor version changes', async () => {
    const { attachmentId } = await postHandout(await makePdf(() => ['Werkinstructie inkomensondersteuning']), 'Werkinstructie.pdf', 'Werkinstructie');
    await sweep();
    await t.db.updateTable('attachment_text').set({ extractor_version: 'plein-0 old', body: '' }).execute();
    expect(await search({ q: 'inkomensondersteuning' })).toEqual([]);
    const again = await sweep();
    expect(again).toBeGreaterThanOrEqual(5);
    const versions = await t.db.selectFrom('attachment_text').select('extractor_version').distinct().execute();
    expect(versions.map((v) => v.extractor_version)).toEqual([EXTRACTOR_VERSION]);
    expect((await search({ q: 'inkomensondersteuning' }))[0].attachment?.id).toBe(attachmentId);
  });
});

describe('extraction bounds', () => {
  const limits = { timeoutMs: 20_000, memoryMb: 256, maxPages: 300, maxChars: 300_000 };
  let fifty: string;
  beforeAll(async () => {
    fifty = path.join(os.tmpdir(), `plein-50-pages-${process.pid}.pdf`);
    const lines = (i: number) => Array.from({ length: 40 }, (_, n) => `Pagina ${i} regel ${n}: de gemeente ondersteunt inwoners bij ${i === 45 ? 'kinderopvangtoeslag' : 'participatie'} en werk.`);
    await writeFile(fifty, await makePdf(lines, 50));
  });

  // How fast is a figure of `npm run bench` (search section, target under 5 s; 0.8–1.6 s measured):
  // a wall-clock bound here failed when the machine ran the other test files alongside (6.3 s).
  it('reads every page of a 50-page PDF within the time limit', async () => {
    const result = await extractText(fifty, MIME.pdf, limits);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.pages).toBe(50);
      expect(result.text).toContain('kinderopvangtoeslag');
    }
  });

  it('reads no more than the page limit', async () => {
    const result = await extractText(fifty, MIME.pdf, { ...limits, maxPages: 10 });
    expect(result.ok && result.truncated).toBe(true);
    expect(result.ok && result.text.includes('Pagina 10 regel 0')).toBe(true);
    expect(result.ok && result.text.includes('kinderopvangtoeslag')).toBe(false);
  });

  it('gives up after the time limit and within the memory limit, without harm to the server', async () => {
    const slow = await extractText(fifty, MIME.pdf, { ...limits, timeoutMs: 50 });
    expect(slow).toEqual({ ok: false, error: 'took longer than 50 ms' });
    const small = await extractText(fifty, MIME.pdf, { ...limits, memoryMb: 2 });
    expect(small.ok).toBe(false);
    // Still answering.
    await request(t.app.server).get('/api/search').query({ q: 'iets' }).expect(200);
  });
});

describe('the background job', () => {
  it('runs on pg-boss: a queued run extracts the pending handouts', async () => {
    const withJobs = await createTestApp({ runJobs: true });
    try {
      await createChannel(withJobs, 'armoede');
      const user = await signUp(withJobs);
      const up = await user.agent.post('/api/attachments').attach('file', await makePdf(() => ['Convenant vroegsignalering woningcorporaties']), 'Convenant.pdf').expect(201);
      const th = await startThread(user, 'armoede', { title: 'Convenant' });
      await replyTo(user, th.id, '<p>Bijlage.</p>', { attachmentIds: [up.body.attachment.id] });
      const boss = new PgBoss({ connectionString: withJobs.config.databaseUrl!, schema: 'pgboss', max: 2, supervise: false, schedule: false });
      boss.on('error', () => {});
      await boss.start();
      await boss.send('handout-text', {});
      await boss.stop({ graceful: false, wait: true });
      const deadline = Date.now() + 30_000;
      let items: Hit[] = [];
      while (Date.now() < deadline) {
        items = (await request(withJobs.app.server).get('/api/search').query({ q: 'woningcorporaties' })).body.items;
        if (items.length) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(items.map((h) => h.thread.id)).toEqual([th.id]);
    } finally {
      await withJobs.close();
    }
  });
});
