import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { pdf } from '../support/files';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
let member: TestUser;
let mod: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'landelijk', 'experts_ask');
  await createChannel(t, 'wmo');
  expert = await signUp(t, { role: 'expert' });
  member = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
  ids.samen = (await startThread(expert, 'landelijk', { title: 'Regionale samenwerkingsverbanden in de jeugdhulp', body: '<p>Hoe organiseren jullie de inkoop?</p>', tags: ['jeugd'] })).id;
  ids.ambt = (await startThread(expert, 'landelijk', { title: 'Vraag over de rol van de ambtenaar', body: '<p>Wat mag een ambtenaar zelf beslissen?</p>' })).id;
  ids.client = (await startThread(member, 'wmo', { title: 'Eigen bijdrage', body: '<p>De cliënt betaalt een financiële bijdrage.</p>', kind: 'discussion' })).id;
  ids.body = (await startThread(member, 'wmo', { title: 'Algemene vraag', body: '<p>Wij werken met een samenwerkingsverband voor de regio.</p>' })).id;
  const reply = await replyTo(member, ids.ambt, '<p>Bij ons geeft de <script>alert(1)</script> keukentafel de doorslag.</p>');
  ids.reply = reply.id;
  const hidden = await replyTo(member, ids.ambt, '<p>Geheim wachtwoord voor de zorgverzekeraar</p>');
  await t.db.updateTable('post').set({ hidden_at: new Date(), hidden_by: mod.id, hidden_reason: 'x' }).where('id', '=', hidden.id).execute();
});
afterAll(async () => {
  await t.close();
});

const search = (q: Record<string, string>, agent = request(t.app.server)) => (agent as ReturnType<typeof request>).get('/api/search').query(q);
const threadIds = (res: { body: { items: { thread: { id: string } }[] } }) => res.body.items.map((i) => i.thread.id);

describe('Dutch full-text search', () => {
  it('finds inflections and plurals: "samenwerkingsverbanden" finds "samenwerkingsverband", "ambtenaren" finds "ambtenaar"', async () => {
    const res = await search({ q: 'samenwerkingsverbanden' });
    expect(res.status).toBe(200);
    expect(threadIds(res)).toEqual(expect.arrayContaining([ids.samen, ids.body]));
    expect(threadIds(await search({ q: 'ambtenaren' }))).toContain(ids.ambt);
  });

  it('ranks a title match above a body match', async () => {
    const res = await search({ q: 'samenwerkingsverband' });
    expect(threadIds(res)[0]).toBe(ids.samen);
  });

  it('is accent-insensitive: "client" and "financiele" find "cliënt" and "financiële"', async () => {
    expect(threadIds(await search({ q: 'client' }))).toContain(ids.client);
    expect(threadIds(await search({ q: 'financiele' }))).toContain(ids.client);
  });

  it('supports "quotes", -exclusion and OR', async () => {
    expect(threadIds(await search({ q: '"rol van de ambtenaar"' }))).toEqual([ids.ambt]);
    expect(threadIds(await search({ q: 'samenwerkingsverband -inkoop' }))).toEqual([ids.body]);
    expect(threadIds(await search({ q: 'keukentafel OR bijdrage' })).sort()).toEqual([ids.ambt, ids.client].sort());
  });

  it('returns the matching reply with a snippet that marks the match and escapes everything else', async () => {
    const res = await search({ q: 'keukentafel' });
    const hit = res.body.items[0];
    expect(hit.thread.id).toBe(ids.ambt);
    expect(hit.post.id).toBe(ids.reply);
    expect(hit.snippet).toContain('<mark>keukentafel</mark>');
    expect(hit.snippet).not.toMatch(/<(?!\/?mark>)/);
  });

  it('shows a <script> in a post as text in the snippet', async () => {
    await replyTo(member, ids.client, '<p>Zie de code &lt;script&gt;alert(1)&lt;/script&gt; over de eigenbijdrageregeling</p>');
    const res = await search({ q: 'eigenbijdrageregeling' });
    expect(res.body.items[0].snippet).toContain('&lt;script&gt;');
    expect(res.body.items[0].snippet).not.toContain('<script>');
  });

  it('filters by channel, kind, tag, author and unanswered', async () => {
    expect(threadIds(await search({ q: 'samenwerkingsverband', channel: 'wmo' }))).toEqual([ids.body]);
    expect(threadIds(await search({ q: 'bijdrage', kind: 'discussion' }))).toEqual([ids.client]);
    expect(threadIds(await search({ q: 'samenwerkingsverband', tag: 'jeugd' }))).toEqual([ids.samen]);
    expect(threadIds(await search({ q: 'samenwerkingsverband', author: member.id }))).toEqual([ids.body]);
    expect(threadIds(await search({ q: 'samenwerkingsverband', unanswered: 'true' })).sort()).toEqual([ids.body, ids.samen].sort());
  });

  it('reflects edits at once', async () => {
    const thread = await startThread(member, 'wmo', { title: 'Tijdelijke titel', body: '<p>Over dagbesteding</p>' });
    expect(threadIds(await search({ q: 'dagbesteding' }))).toContain(thread.id);
    await member.agent.patch(`/api/posts/${thread.postId}`).send({ body: '<p>Over mantelzorg</p>', title: 'Nieuwe titel' }).expect(200);
    expect(threadIds(await search({ q: 'dagbesteding' }))).not.toContain(thread.id);
    expect(threadIds(await search({ q: 'mantelzorg' }))).toContain(thread.id);
  });

  it('pages through results with a cursor', async () => {
    const first = await search({ q: 'vraag OR samenwerkingsverband OR bijdrage', limit: '2' });
    expect(first.body.items).toHaveLength(2);
    const second = await search({ q: 'vraag OR samenwerkingsverband OR bijdrage', limit: '2', cursor: first.body.nextCursor });
    expect(second.status).toBe(200);
    const all = [...threadIds(first), ...threadIds(second)];
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('has attachments', () => {
  it('keeps only threads with a handout the caller may see', async () => {
    const withFile = await startThread(member, 'wmo', { title: 'Handreiking armoedeval', body: '<p>Wie heeft een handreiking over de armoedeval?</p>' });
    const without = await startThread(member, 'wmo', { title: 'Nog een vraag over de armoedeval', body: '<p>Zonder bijlage.</p>' });
    const hiddenFile = await startThread(member, 'wmo', { title: 'Verborgen armoedeval', body: '<p>Alleen een verborgen bijlage.</p>' });
    const up = async () => (await member.agent.post('/api/attachments').attach('file', pdf(), 'armoedeval.pdf')).body.attachment.id as string;
    await replyTo(member, withFile.id, '<p>Hier is die van ons.</p>', { attachmentIds: [await up()] });
    const hidden = await replyTo(member, hiddenFile.id, '<p>Deze wordt verborgen.</p>', { attachmentIds: [await up()] });
    await mod.agent.post(`/api/posts/${hidden.id}/hide`).send({ reason: 'privacy' }).expect(200);

    expect(threadIds(await search({ q: 'armoedeval' })).sort()).toEqual([withFile.id, without.id, hiddenFile.id].sort());
    expect(threadIds(await search({ q: 'armoedeval', hasAttachments: 'true' }))).toEqual([withFile.id]);
    expect(threadIds(await search({ q: 'armoedeval', hasAttachments: 'true' }, mod.agent)).sort()).toEqual([withFile.id, hiddenFile.id].sort());
    expect((await search({ q: 'armoedeval', hasAttachments: 'misschien' })).status).toBe(400);
  });
});

describe('candidates', () => {
  it('ranks the newest matching posts when more posts match than are ranked (200)', async () => {
    // 220 older threads whose opening post says "zorgmijding" (more than the 200 ranked), made in one statement.
    await t.db.transaction().execute(async (trx) => {
      const channelId = (await trx.selectFrom('channel').select('id').where('slug', '=', 'wmo').executeTakeFirstOrThrow()).id;
      const made = await trx
        .insertInto('thread')
        .columns(['channel_id', 'author_id', 'title', 'kind', 'last_activity_at', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom(sql<{ i: number }>`generate_series(1, 220)`.as('g'))
            .select([
              sql`${channelId}::bigint`.as('channel_id'),
              sql`${member.id}::bigint`.as('author_id'),
              sql`'Oude vraag ' || g`.as('title'),
              sql`'question'`.as('kind'),
              sql`now() - interval '30 days'`.as('last_activity_at'),
              sql`now() - interval '30 days'`.as('created_at'),
            ]),
        )
        .returning('id')
        .execute();
      await sql`
        with p as (
          insert into post (thread_id, author_id, is_opening, body_html, body_text, created_at)
          select t.id, ${member.id}::bigint, true, '<p>Zorgmijding bij ouderen</p>', 'Zorgmijding bij ouderen', t.created_at
          from thread t where t.id = any(${made.map((r) => r.id)}::bigint[])
          returning id, thread_id
        )
        update thread t set first_post_id = p.id from p where p.thread_id = t.id`.execute(trx);
    });
    const newest = await startThread(member, 'wmo', { title: 'Nieuwe vraag', body: '<p>Zorgmijding bij jongeren</p>' });
    const res = await search({ q: 'zorgmijding' });
    expect(res.status).toBe(200);
    expect(threadIds(res)[0]).toBe(newest.id);
  });
});

describe('filters', () => {
  it('finds an older answer in the filtered channel when more than the ranked 200 newer posts elsewhere match', async () => {
    const older = await startThread(expert, 'landelijk', { title: 'Ontlasting thuis', body: '<p>Respijtzorg hielp ons het meest.</p>' });
    // 210 newer threads in another channel whose opening post says "respijtzorg", made in one statement.
    await t.db.transaction().execute(async (trx) => {
      const channelId = (await trx.selectFrom('channel').select('id').where('slug', '=', 'wmo').executeTakeFirstOrThrow()).id;
      await sql`
        with made as (
          insert into thread (channel_id, author_id, title, kind)
          select ${channelId}::bigint, ${member.id}::bigint, 'Andere vraag ' || g, 'question' from generate_series(1, 210) g
          returning id
        ), p as (
          insert into post (thread_id, author_id, is_opening, body_html, body_text)
          select id, ${member.id}::bigint, true, '<p>Respijtzorg in de wmo</p>', 'Respijtzorg in de wmo' from made
          returning id, thread_id
        )
        update thread t set first_post_id = p.id from p where p.thread_id = t.id`.execute(trx);
    });
    const res = await search({ q: 'respijtzorg', channel: 'landelijk' });
    expect(res.status).toBe(200);
    expect(threadIds(res)).toEqual([older.id]);
    expect(res.body.items[0].snippet).toContain('<mark>Respijtzorg</mark>');
    // Without the filter the newest are found first.
    expect(threadIds(await search({ q: 'respijtzorg' }))).not.toContain(older.id);
  });
});

describe('first page', () => {
  it('is the same whether or not only the best threads found through a reply are looked up', async () => {
    // Replies that say "inloopspreekuur" once, twice or three times rank differently; several tie.
    const made: string[] = [];
    for (let i = 0; i < 9; i++) {
      const thread = await startThread(member, 'wmo', { title: `Spreekuur ${i}`, body: '<p>Openingsvraag</p>' });
      await replyTo(member, thread.id, `<p>${'Het inloopspreekuur helpt. '.repeat(1 + (i % 3))}</p>`);
      made.push(thread.id);
    }
    const titled = await startThread(member, 'wmo', { title: 'Inloopspreekuur in de wijk', body: '<p>Titel telt.</p>' });
    for (const limit of ['1', '2', '3', '4', '20']) {
      // A filter that keeps everything makes the server look up every candidate thread.
      const trimmed = await search({ q: 'inloopspreekuur', limit });
      const full = await search({ q: 'inloopspreekuur', limit, from: '2000-01-01' });
      expect(threadIds(trimmed), limit).toEqual(threadIds(full));
      expect(trimmed.body.nextCursor === null, limit).toBe(full.body.nextCursor === null);
    }
    const all = threadIds(await search({ q: 'inloopspreekuur', limit: '20' }));
    expect(all[0]).toBe(titled.id);
    expect(all.slice(1).sort()).toEqual([...made].sort());
  });
});

describe('visibility', () => {
  it('never shows a hidden post to a member, but does to a moderator', async () => {
    expect((await search({ q: 'wachtwoord' })).body.items).toHaveLength(0);
    expect((await search({ q: 'wachtwoord' }, member.agent)).body.items).toHaveLength(0);
    const asMod = await search({ q: 'wachtwoord' }, mod.agent);
    expect(threadIds(asMod)).toEqual([ids.ambt]);
    expect(asMod.body.items[0].snippet).toContain('<mark>wachtwoord</mark>');
  });
});

describe('bad input', () => {
  it('rejects an empty query and a 1,000-character query with 400', async () => {
    expect((await search({ q: '' })).status).toBe(400);
    expect((await search({ q: '   ' })).status).toBe(400);
    expect((await request(t.app.server).get('/api/search')).status).toBe(400);
    expect((await search({ q: 'a'.repeat(1000) })).status).toBe(400);
  });

  it('answers tsquery syntax errors and SQL-looking text with results or an empty list, never a 500', async () => {
    for (const q of ['&&&', '!!', '"unbalanced', ':*', 'a & | b', "'; drop table post; --", '(((', 'samen:* & !', '\\', '<->']) {
      const res = await search({ q });
      expect(res.status, q).toBe(200);
      expect(Array.isArray(res.body.items)).toBe(true);
    }
    const still = await request(t.app.server).get(`/api/threads/${ids.ambt}`);
    expect(still.status).toBe(200);
  });

  it('rejects a garbage cursor with 400', async () => {
    expect((await search({ q: 'vraag', cursor: 'rommel!' })).status).toBe(400);
  });
});

describe('similar questions', () => {
  it('suggests existing questions while a title is typed', async () => {
    const res = await request(t.app.server).get('/api/search/similar').query({ title: 'Samenwerkingsverbanden voor jeugdhulp?' });
    expect(res.status).toBe(200);
    expect(res.body.items[0].id).toBe(ids.samen);
    expect(res.body.items.length).toBeLessThanOrEqual(5);
    expect((await request(t.app.server).get('/api/search/similar').query({ title: '"-()' })).status).toBe(200);
  });

  it('puts the question that shares most of the typed words first, even when another is newer', async () => {
    const closest = (await startThread(expert, 'landelijk', { title: 'Wachtlijst voor dagbesteding bij ouderen', body: '<p>Hoe lang?</p>' })).id;
    const newer = (await startThread(expert, 'landelijk', { title: 'Dagbesteding voor jongeren', body: '<p>Wie heeft ervaring?</p>' })).id;
    const res = await request(t.app.server).get('/api/search/similar').query({ title: 'Wachtlijst dagbesteding ouderen' });
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([closest, newer]);
  });
});
