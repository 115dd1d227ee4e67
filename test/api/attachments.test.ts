import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupUnattachedUploads } from '../../server/attachments/cleanup';
import { createStorage } from '../../server/attachments/storage';
import { type TestApp, type TestUser, PUBLIC_URL, binary, createTestApp, signUp } from '../support/app';
import { deflatedZeros, docx, exe, fakeXlsx, pdf, png } from '../support/files';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
let member: TestUser;
let other: TestUser;
let mod: TestUser;

beforeAll(async () => {
  t = await createTestApp({ uploadMaxBytes: 200_000 });
  await createChannel(t, 'landelijk', 'experts_ask');
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t);
  other = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

const upload = (user: TestUser, content: Buffer, filename: string) => user.agent.post('/api/attachments').attach('file', content, filename);
const rowCount = async () => Number((await t.db.selectFrom('attachment').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
function filesOnDisk(): string[] {
  const root = path.join(t.dataDir, 'uploads');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(root, full));
    }
  };
  walk(root);
  return out;
}

describe('uploading and downloading handouts', () => {
  it('uploads a PDF, attaches it to a reply and serves it as a safe download with ETag and ranges', async () => {
    const bytes = pdf('Handreiking integrale toegang');
    const up = await upload(member, bytes, 'Handreiking één loket.pdf');
    expect(up.status).toBe(201);
    expect(up.body.attachment).toMatchObject({ filename: 'Handreiking één loket.pdf', contentType: 'application/pdf', size: bytes.length });
    const thread = await startThread(expert, 'landelijk');
    const reply = await replyTo(member, thread.id, '<p>Bijlage: onze handreiking</p>', { attachmentIds: [up.body.attachment.id] });
    const page = await request(t.app.server).get(`/api/threads/${thread.id}`);
    expect(page.body.replies.items[0].attachments[0]).toMatchObject({ id: up.body.attachment.id, url: `/api/attachments/${up.body.attachment.id}/download` });
    expect(reply.id).toBeTruthy();

    const dl = await binary(request(t.app.server).get(`/api/attachments/${up.body.attachment.id}/download`));
    expect(dl.status).toBe(200);
    expect(Buffer.compare(dl.body, bytes)).toBe(0);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="Handreiking een loket.pdf"; filename*=UTF-8''Handreiking%20%C3%A9%C3%A9n%20loket.pdf`);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-security-policy']).toBe('sandbox');
    const etag = dl.headers.etag;
    expect(etag).toBe(`"${up.body.attachment.sha256}"`);
    expect((await request(t.app.server).get(`/api/attachments/${up.body.attachment.id}/download`).set('If-None-Match', etag)).status).toBe(304);
    const part = await binary(request(t.app.server).get(`/api/attachments/${up.body.attachment.id}/download`).set('Range', 'bytes=0-7'));
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 0-7/${bytes.length}`);
    expect(part.body.toString()).toBe('%PDF-1.4');
    expect((await request(t.app.server).get(`/api/attachments/${up.body.attachment.id}/download`).set('Range', 'bytes=99999-')).status).toBe(416);
    const url = `/api/attachments/${up.body.attachment.id}/download`;
    // A list of tags (what browsers send after several versions) still matches.
    expect((await request(t.app.server).get(url).set('If-None-Match', `"ouder", W/${etag}`)).status).toBe(304);
    const tail = await binary(request(t.app.server).get(url).set('Range', 'bytes=-5'));
    expect(tail.status).toBe(206);
    expect(Buffer.compare(tail.body, bytes.subarray(bytes.length - 5))).toBe(0);
    // A range for another version of the file (If-Range) or a malformed range: the whole file.
    expect((await binary(request(t.app.server).get(url).set('Range', 'bytes=0-7').set('If-Range', '"oud"'))).status).toBe(200);
    expect((await binary(request(t.app.server).get(url).set('Range', 'bytes=7-3'))).status).toBe(200);
  });

  it('accepts DOCX, PNG, text and CSV by their content, and stores equal bytes once', async () => {
    expect((await upload(member, docx(), 'verslag.docx')).body.attachment?.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const image = await png();
    const a = await upload(member, image, 'foto.png');
    const b = await upload(other, image, 'zelfde.png');
    expect(a.body.attachment.contentType).toBe('image/png');
    expect(b.body.attachment.sha256).toBe(a.body.attachment.sha256);
    expect(filesOnDisk().filter((f) => f.endsWith(a.body.attachment.sha256))).toHaveLength(1);
    expect((await upload(member, Buffer.from('naam;gemeente\nAnne;Zwolle\n'), 'deelnemers.csv')).body.attachment.contentType).toBe('text/csv; charset=utf-8');
    expect((await upload(member, Buffer.from('Gewone tekst met accenten: één, cliënt.'), 'notities.txt')).status).toBe(201);
  });

  it('keeps attachments of a hidden post from members (404) but serves them to moderators and the uploader', async () => {
    const up = await upload(member, pdf(), 'intern.pdf');
    const thread = await startThread(expert, 'landelijk');
    const post = await replyTo(member, thread.id, '<p>Zie bijlage</p>', { attachmentIds: [up.body.attachment.id] });
    await mod.agent.post(`/api/posts/${post.id}/hide`).send({ reason: 'Vertrouwelijk' }).expect(200);
    const url = `/api/attachments/${up.body.attachment.id}/download`;
    expect((await other.agent.get(url)).status).toBe(404);
    expect((await request(t.app.server).get(url)).status).toBe(404);
    expect((await mod.agent.get(url)).status).toBe(200);
    expect((await member.agent.get(url)).status).toBe(200);
  });

  it('shows a question\'s handouts in the order given, and only on the posts that have them', async () => {
    const a = await upload(expert, pdf('Notitie A'), 'notitie-a.pdf');
    const b = await upload(expert, await png(), 'schema.png');
    const res = await expert.agent.post('/api/channels/landelijk/threads').send({ title: 'Vraag met twee bijlagen', body: '<p>Zie de bijlagen</p>', kind: 'question', attachmentIds: [b.body.attachment.id, a.body.attachment.id] });
    expect(res.status).toBe(201);
    const id = res.body.thread.id;
    await replyTo(member, id, '<p>Zonder bijlage</p>');
    const withOne = await upload(member, pdf('Antwoord'), 'antwoord.pdf');
    await replyTo(member, id, '<p>Met bijlage</p>', { attachmentIds: [withOne.body.attachment.id] });
    const page = (await request(t.app.server).get(`/api/threads/${id}`)).body;
    expect(page.thread.attachments.map((x: { filename: string }) => x.filename)).toEqual(['schema.png', 'notitie-a.pdf']);
    expect(page.replies.items.map((r: { attachments: { filename: string }[] }) => r.attachments.map((x) => x.filename))).toEqual([[], ['antwoord.pdf']]);
  });

  it('serves an unattached upload only to its uploader', async () => {
    const up = await upload(member, pdf(), 'concept.pdf');
    expect((await member.agent.get(`/api/attachments/${up.body.attachment.id}/download`)).status).toBe(200);
    expect((await other.agent.get(`/api/attachments/${up.body.attachment.id}/download`)).status).toBe(404);
  });

  it('removes uploads that were never attached after 24 hours', async () => {
    const up = await upload(other, pdf('vergeten'), 'vergeten.pdf');
    const removed = await cleanupUnattachedUploads(t.db, createStorage(t.config), new Date(Date.now() + 25 * 3600_000));
    expect(removed.unattached).toBeGreaterThanOrEqual(1);
    expect(await t.db.selectFrom('attachment').select('id').where('id', '=', up.body.attachment.id).executeTakeFirst()).toBeUndefined();
    expect(filesOnDisk().some((f) => f.endsWith(up.body.attachment.sha256))).toBe(false);
  });

  it('removes stored bytes nothing refers to any more, but keeps bytes that are in use', async () => {
    const thread = await startThread(expert, 'landelijk');
    const kept = await upload(member, pdf('blijft'), 'blijft.pdf');
    await replyTo(member, thread.id, '<p>Met bijlage</p>', { attachmentIds: [kept.body.attachment.id] });
    const gone = await upload(member, pdf('weg'), 'weg.pdf');
    // As when a thread is deleted: the row goes (cascade), the bytes stay behind until the sweep.
    await t.db.deleteFrom('attachment').where('id', '=', gone.body.attachment.id).execute();
    expect(filesOnDisk().some((f) => f.endsWith(gone.body.attachment.sha256))).toBe(true);
    const result = await cleanupUnattachedUploads(t.db, createStorage(t.config), new Date(Date.now() + 25 * 3600_000));
    expect(result.orphans).toBeGreaterThanOrEqual(1);
    expect(filesOnDisk().some((f) => f.endsWith(gone.body.attachment.sha256))).toBe(false);
    expect(filesOnDisk().some((f) => f.endsWith(kept.body.attachment.sha256))).toBe(true);
    expect((await binary(request(t.app.server).get(`/api/attachments/${kept.body.attachment.id}/download`))).status).toBe(200);
  });
});

describe('bad uploads leave nothing behind', () => {
  const rejects: [string, () => Buffer | Promise<Buffer>, string, number][] = [
    ['a Windows executable renamed to .pdf', exe, 'rapport.pdf', 415],
    ['an HTML file named .docx', () => Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'), 'verslag.docx', 415],
    ['an SVG with a script', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.svg', 415],
    ['an SVG with a script named .txt', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'logo.txt', 415],
    ['a zip-bomb-shaped ZIP named .xlsx that is not OOXML', fakeXlsx, 'begroting.xlsx', 415],
    ['a .docx whose entry declares 10 bytes and inflates to 150 MB', async () => docx({ 'word/media/image1.png': { ...(await deflatedZeros(150 * 1024 * 1024)), declaredSize: 10 } }), 'handreiking.docx', 415],
    ['a .docx whose entry honestly inflates to 150 MB (over 1000×)', async () => docx({ 'word/media/image1.png': await deflatedZeros(150 * 1024 * 1024) }), 'handreiking.docx', 415],
    ['a .docx with macros (vbaProject.bin)', () => docx({ 'word/vbaProject.bin': Buffer.from('Attribute VB_Name = "Module1"') }), 'handreiking.docx', 415],
    ['a 0-byte file', () => Buffer.alloc(0), 'leeg.pdf', 400],
    ['a file one byte over the limit', () => Buffer.concat([pdf(), Buffer.alloc(200_001 - pdf().length, 0x20)]), 'groot.pdf', 413],
  ];
  for (const [name, make, filename, status] of rejects) {
    it(`refuses ${name} with ${status}`, async () => {
      const [rows, files] = [await rowCount(), filesOnDisk().length];
      const res = await upload(member, await make(), filename);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBeTruthy();
      expect(await rowCount()).toBe(rows);
      expect(filesOnDisk()).toHaveLength(files);
      // Inflating 150 MB to look inside takes seconds alone and longer beside a full parallel suite.
    }, 90_000);
  }

  it('says why a document with macros is refused, and accepts a deflated .docx of normal proportions', async () => {
    const macro = await upload(member, docx({ 'word/vbaProject.bin': Buffer.from('VBA') }), 'met-macro.docx');
    expect(macro.status).toBe(415);
    expect(macro.body.error.code).toBe('macros_not_allowed');
    const normal = await upload(member, docx({ 'word/media/image1.png': await deflatedZeros(500_000) }), 'gewoon.docx');
    expect(normal.status).toBe(201);
  });

  it('strips paths from ../../etc/passwd and bidi overrides from names, keeping Dutch accents', async () => {
    const a = await upload(member, pdf(), '../../etc/passwd');
    expect(a.status).toBe(201);
    expect(a.body.attachment.filename).toBe('passwd');
    const b = await upload(member, pdf(), 'rapport\u202Efdp.exe');
    // A PDF that claims to be an .exe is offered as what it is.
    expect(b.body.attachment.filename).toBe('rapportfdp.exe.pdf');
    const c = await upload(member, pdf(), 'Verslag café-overleg ë.pdf');
    expect(c.body.attachment.filename).toBe('Verslag café-overleg ë.pdf');
    expect(filesOnDisk().every((f) => !f.includes('passwd'))).toBe(true);
  });

  it('gives a file the extension of what it really is, and refuses a Word file named .xlsx', async () => {
    const photo = await upload(member, await png(), 'foto.jpg');
    expect(photo.status).toBe(201);
    expect(photo.body.attachment).toMatchObject({ filename: 'foto.png', contentType: 'image/png' });
    const plain = await upload(member, Buffer.from('Agenda wijkteamoverleg\n'), 'agenda.txt');
    expect(plain.body.attachment).toMatchObject({ filename: 'agenda.txt', contentType: 'text/plain; charset=utf-8' });
    const rows = await rowCount();
    expect((await upload(member, docx(), 'begroting.xlsx')).status).toBe(415);
    expect((await upload(member, Buffer.from('tekst met <script>alert(1)</script> erin'), 'notitie.txt')).status).toBe(415);
    expect(await rowCount()).toBe(rows);
  });

  it('refuses attaching someone else\'s upload or 11 files with 400, and posts nothing', async () => {
    const thread = await startThread(expert, 'landelijk');
    const theirs = await upload(other, pdf(), 'van-een-ander.pdf');
    const before = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread.replyCount;
    const res = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Kijk</p>', attachmentIds: [theirs.body.attachment.id] });
    expect(res.status).toBe(400);
    const ids = [];
    for (let i = 0; i < 11; i++) ids.push((await upload(member, pdf(`nr ${i}`), `deel-${i}.pdf`)).body.attachment.id);
    const eleven = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Alles</p>', attachmentIds: ids });
    expect(eleven.status).toBe(400);
    expect((await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread.replyCount).toBe(before);
    const attached = await t.db.selectFrom('attachment').select('id').where('id', 'in', ids).where('post_id', 'is not', null).execute();
    expect(attached).toHaveLength(0);
  });

  it('refuses an attachment id that is not a number with 400, before any query', async () => {
    const thread = await startThread(expert, 'landelijk');
    const res = await member.agent.post(`/api/threads/${thread.id}/replies`).send({ body: '<p>Kijk</p>', attachmentIds: ['abc'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('leaves no partial file and no row when the client disconnects half-way', async () => {
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const [rows, files] = [await rowCount(), filesOnDisk().filter((f) => !f.startsWith('tmp')).length];
    const boundary = 'plein-boundary';
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/attachments',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(150_000), cookie: member.cookie, origin: PUBLIC_URL },
      });
      req.on('error', () => resolve());
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
      req.write(pdf());
      req.write(Buffer.alloc(60_000, 0x20));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    // The server notices the abort and cleans up.
    await expect.poll(() => filesOnDisk().filter((f) => f.startsWith('tmp')).length, { timeout: 5000 }).toBe(0);
    expect(await rowCount()).toBe(rows);
    expect(filesOnDisk().filter((f) => !f.startsWith('tmp'))).toHaveLength(files);
  });
});

describe('profile photos', () => {
  it('stores a square photo, serves it with long cache headers, and an initials avatar otherwise', async () => {
    const none = await request(t.app.server).get(`/api/users/${other.id}/avatar`);
    expect(none.status).toBe(200);
    expect(none.headers['content-type']).toContain('image/svg+xml');
    const res = await member.agent.put('/api/me/avatar').attach('file', await png(600, 300), 'ik.png');
    expect(res.status).toBe(200);
    const img = await binary(request(t.app.server).get(res.body.avatarUrl));
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/webp');
    expect(img.headers['cache-control']).toContain('immutable');
    const meta = await sharp(img.body).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);
    const me = await member.agent.get('/api/me');
    expect(me.body.user.avatarUrl).toBe(res.body.avatarUrl);
  });

  it('removes the bytes of a replaced or removed photo, and does not pin an old photo URL', async () => {
    const user = await signUp(t);
    const green = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#39870c' } }).png().toBuffer();
    const first = await user.agent.put('/api/me/avatar').attach('file', green, 'een.png');
    const firstKey = (await t.db.selectFrom('user').select('avatar_key').where('id', '=', user.id).executeTakeFirstOrThrow()).avatar_key!;
    expect(filesOnDisk().some((f) => f.endsWith(firstKey))).toBe(true);
    const orange = await sharp({ create: { width: 200, height: 400, channels: 3, background: '#e17000' } }).png().toBuffer();
    const second = await user.agent.put('/api/me/avatar').attach('file', orange, 'twee.png');
    expect(second.body.avatarUrl).not.toBe(first.body.avatarUrl);
    expect(filesOnDisk().some((f) => f.endsWith(firstKey))).toBe(false);
    const stale = await request(t.app.server).get(first.body.avatarUrl);
    expect(stale.headers['cache-control']).not.toContain('immutable');
    const secondKey = (await t.db.selectFrom('user').select('avatar_key').where('id', '=', user.id).executeTakeFirstOrThrow()).avatar_key!;
    expect((await user.agent.delete('/api/me/avatar')).status).toBe(204);
    expect(filesOnDisk().some((f) => f.endsWith(secondKey))).toBe(false);
    expect((await request(t.app.server).get(`/api/users/${user.id}/avatar`)).headers['content-type']).toContain('image/svg+xml');
  });

  it('keeps the bytes of a photo another member still uses', async () => {
    const [a, b] = [await signUp(t), await signUp(t)];
    const purple = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#42145f' } }).png().toBuffer();
    await a.agent.put('/api/me/avatar').attach('file', purple, 'a.png');
    const shared = await b.agent.put('/api/me/avatar').attach('file', purple, 'b.png');
    expect((await a.agent.delete('/api/me/avatar')).status).toBe(204);
    const img = await binary(request(t.app.server).get(shared.body.avatarUrl));
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/webp');
  });

  it('refuses a PDF or an SVG as a profile photo (415)', async () => {
    expect((await member.agent.put('/api/me/avatar').attach('file', pdf(), 'foto.pdf')).status).toBe(415);
    expect((await member.agent.put('/api/me/avatar').attach('file', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'foto.svg')).status).toBe(415);
  });
});
