// Issue 21: whole threads, the sociaal domein's own words, browsing without words, snippets.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markSnippet } from '../../server/search/query';
import { repositorySynonyms } from '../../server/search/synonyms';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let member: TestUser;
let other: TestUser;
let mod: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'wmo');
  await createChannel(t, 'jeugd');
  member = await signUp(t);
  other = await signUp(t);
  mod = await signUp(t, { role: 'moderator' });
  admin = await signUp(t, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
});

type Hits = { body: { items: { thread: { id: string; tags: string[] }; post?: { id: string }; snippet: string }[]; nextCursor: string | null } };
const search = (q: Record<string, string>, agent: unknown = request(t.app.server)) => (agent as ReturnType<typeof request>).get('/api/search').query(q);
const threadIds = (res: Hits) => res.body.items.map((i) => i.thread.id);

describe('thread-level matching', () => {
  let spread: { id: string };
  let replyId: string;
  beforeAll(async () => {
    // "kwijtschelding" only in the title, "belastingdienst" only in a reply: no part holds both.
    spread = await startThread(member, 'wmo', { title: 'Kwijtschelding van de eigen bijdrage', body: '<p>Hoe pakken jullie dit aan?</p>' });
    replyId = (await replyTo(other, spread.id, '<p>Wij stemmen het af met de Belastingdienst, dat scheelt veel werk.</p>')).id;
  });

  it('finds a thread by a title word plus a reply word, showing the reply that matches', async () => {
    const res = await search({ q: 'kwijtschelding belastingdienst' });
    expect(res.status).toBe(200);
    expect(threadIds(res)).toEqual([spread.id]);
    expect(res.body.items[0].post?.id).toBe(replyId);
    expect(res.body.items[0].snippet).toContain('<mark>Belastingdienst</mark>');
  });

  it('finds a thread by words in the opening post and a reply, and by a tag plus a reply word', async () => {
    const a = await startThread(member, 'wmo', { title: 'Vraag over vervoer', body: '<p>De regiotaxi rijdt te laat.</p>', tags: ['doelgroepenvervoer'] });
    await replyTo(other, a.id, '<p>Bij ons helpt een klachtenregeling.</p>');
    expect(threadIds(await search({ q: 'regiotaxi klachtenregeling' }))).toEqual([a.id]);
    expect(threadIds(await search({ q: 'doelgroepenvervoer klachtenregeling' }))).toEqual([a.id]);
  });

  it('weighs title and tag words more: a thread with a word in its title ranks above one with both words in replies only', async () => {
    const inTitle = await startThread(member, 'jeugd', { title: 'Pleegzorg in de regio', body: '<p>Een vraag.</p>' });
    await replyTo(other, inTitle.id, '<p>Het gaat om de gezinshuizen.</p>');
    const inReplies = await startThread(member, 'jeugd', { title: 'Iets anders', body: '<p>Nog een vraag.</p>' });
    await replyTo(other, inReplies.id, '<p>Pleegzorg is hier het onderwerp.</p>');
    await replyTo(other, inReplies.id, '<p>En de gezinshuizen ook.</p>');
    expect(threadIds(await search({ q: 'pleegzorg gezinshuizen' }))).toEqual([inTitle.id, inReplies.id]);
  });

  it('keeps phrases exact: a phrase must stand in one part, not be made of words from several', async () => {
    const th = await startThread(member, 'wmo', { title: 'Inzet van ervaringsdeskundigen', body: '<p>Wij betalen een vrijwilligersvergoeding.</p>' });
    await replyTo(other, th.id, '<p>Ervaringsdeskundigen zijn goud waard.</p>');
    expect(threadIds(await search({ q: '"ervaringsdeskundigen zijn goud"' }))).toEqual([th.id]);
    expect(threadIds(await search({ q: '"vrijwilligersvergoeding ervaringsdeskundigen"' }))).toEqual([]);
  });

  it('keeps exclusions: a thread whose title, tags or any visible post holds the excluded word is left out', async () => {
    expect(threadIds(await search({ q: 'kwijtschelding belastingdienst -scheelt' }))).toEqual([]);
    expect(threadIds(await search({ q: 'kwijtschelding -belastingdienst' }))).toEqual([]);
    expect(threadIds(await search({ q: 'kwijtschelding -gemeentebelastingen' }))).toEqual([spread.id]);
  });

  it('keeps OR: either word anywhere in the thread', async () => {
    const res = await search({ q: 'kwijtschelding (belastingdienst OR zonnepanelen)' });
    expect(threadIds(res)).toEqual([spread.id]);
    expect(threadIds(await search({ q: 'kwijtschelding zonnepanelen' }))).toEqual([]);
  });

  it('never finds a thread through a hidden reply, but a moderator still finds that reply itself', async () => {
    const th = await startThread(member, 'wmo', { title: 'Huisbezoek plannen', body: '<p>Hoe plannen jullie dat?</p>' });
    const hidden = await replyTo(other, th.id, '<p>Het geheime telefoonnummer van de wethouder.</p>');
    expect(threadIds(await search({ q: 'huisbezoek wethouder' }))).toEqual([th.id]);
    await mod.agent.post(`/api/posts/${hidden.id}/hide`).send({ reason: 'privacy' }).expect(200);
    expect(threadIds(await search({ q: 'huisbezoek wethouder' }))).toEqual([]);
    expect(threadIds(await search({ q: 'wethouder' }, member.agent))).toEqual([]);
    expect(threadIds(await search({ q: 'wethouder' }, mod.agent))).toEqual([th.id]);
  });

  it('keeps every reply of simultaneous replies in the thread document (none is lost to a race)', async () => {
    const th = await startThread(member, 'jeugd', { title: 'Gelijktijdige reacties over gezinscoaching', body: '<p>Start.</p>' });
    const words = ['appelboom', 'perenboom', 'kersenboom', 'pruimenboom', 'notenboom', 'vijgenboom', 'olijfboom', 'citroenboom'];
    await Promise.all(words.map((w, i) => replyTo(i % 2 ? other : member, th.id, `<p>Onze ${w} staat in de tuin.</p>`)));
    for (const w of words) expect(threadIds(await search({ q: `gezinscoaching ${w}` })), w).toEqual([th.id]);
  });

  it('follows edits and deletions at once', async () => {
    const th = await startThread(member, 'wmo', { title: 'Schoonmaakondersteuning', body: '<p>Eerste versie.</p>' });
    const r = await replyTo(other, th.id, '<p>Wij werken met een indicatiewijzer.</p>');
    expect(threadIds(await search({ q: 'schoonmaakondersteuning indicatiewijzer' }))).toEqual([th.id]);
    await other.agent.patch(`/api/posts/${r.id}`).send({ body: '<p>Wij werken met een protocol.</p>' }).expect(200);
    expect(threadIds(await search({ q: 'schoonmaakondersteuning indicatiewijzer' }))).toEqual([]);
    expect(threadIds(await search({ q: 'schoonmaakondersteuning protocol' }))).toEqual([th.id]);
    await other.agent.delete(`/api/posts/${r.id}`).expect((res) => expect(res.status).toBeLessThan(300));
    expect(threadIds(await search({ q: 'schoonmaakondersteuning protocol' }))).toEqual([]);
  });
});

describe("the sociaal domein's own words", () => {
  let pgbThread: { id: string };
  let fullThread: { id: string };
  beforeAll(async () => {
    pgbThread = await startThread(member, 'wmo', { title: 'Tarieven voor het pgb', body: '<p>Wat betalen jullie per uur?</p>' });
    fullThread = await startThread(member, 'wmo', { title: 'Aanvraag Wet maatschappelijke ondersteuning', body: '<p>Hoe lang duurt de aanvraag?</p>' });
  });

  it('keeps at least 60 entries from public glossaries in the repository, each with its source', () => {
    const entries = repositorySynonyms();
    expect(entries.length).toBeGreaterThanOrEqual(60);
    for (const e of entries) {
      expect(e.terms.length).toBeGreaterThanOrEqual(2);
      expect(e.source).toMatch(/\S/);
    }
    const flat = entries.map((e) => e.terms.map((x) => x.toLowerCase()));
    expect(flat).toContainEqual(expect.arrayContaining(['pgb', 'persoonsgebonden budget']));
    expect(flat).toContainEqual(expect.arrayContaining(['p-wet', 'participatiewet']));
  });

  it('finds "pgb" for "persoonsgebonden budget" and the full name for the abbreviation', async () => {
    expect(threadIds(await search({ q: 'persoonsgebonden budget' }))).toContain(pgbThread.id);
    expect(threadIds(await search({ q: '"persoonsgebonden budget" tarieven' }))).toEqual([pgbThread.id]);
    expect(threadIds(await search({ q: 'wmo aanvraag' }))).toContain(fullThread.id);
    expect(threadIds(await search({ q: 'pgb -tarieven' }))).toEqual([]);
  });

  it('lets an admin add an entry that applies to the next search, without reindexing', async () => {
    const th = await startThread(member, 'jeugd', { title: 'Ervaringen met de buurtcoach', body: '<p>Wie werkt ermee?</p>' });
    expect(threadIds(await search({ q: 'wijkcoach' }))).toEqual([]);
    const res = await admin.agent.post('/api/admin/synonyms').send({ terms: ['wijkcoach', 'buurtcoach'] });
    expect(res.status).toBe(201);
    expect(res.body.synonym).toMatchObject({ terms: ['wijkcoach', 'buurtcoach'], source: 'admin' });
    expect(threadIds(await search({ q: 'wijkcoach' }))).toEqual([th.id]);
    const list = await admin.agent.get('/api/admin/synonyms').expect(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(61);
    expect((await admin.agent.post('/api/admin/synonyms').send({ terms: ['buurtcoach', 'wijkcoach'] })).status).toBe(409);
    await admin.agent.delete(`/api/admin/synonyms/${res.body.synonym.id}`).expect(204);
    expect(threadIds(await search({ q: 'wijkcoach' }))).toEqual([]);
  });

  it('refuses others and bad input with a clear 4xx, changing nothing', async () => {
    expect((await member.agent.post('/api/admin/synonyms').send({ terms: ['a1', 'b1'] })).status).toBe(403);
    expect((await mod.agent.get('/api/admin/synonyms')).status).toBe(403);
    expect((await request(t.app.server).get('/api/admin/synonyms')).status).toBe(401);
    for (const body of [{ terms: ['alleen'] }, { terms: ['de', 'het'] }, { terms: ['x', 'x'] }, { terms: 'pgb' }, {}]) {
      const res = await admin.agent.post('/api/admin/synonyms').send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toMatch(/validation_failed/);
    }
    const repo = (await admin.agent.get('/api/admin/synonyms')).body.items.find((s: { source: string }) => s.source === 'repo');
    expect((await admin.agent.delete(`/api/admin/synonyms/${repo.id}`)).status).toBe(409);
    expect((await admin.agent.delete('/api/admin/synonyms/999999999')).status).toBe(404);
    expect((await admin.agent.get('/api/admin/synonyms')).body.items.filter((s: { source: string }) => s.source === 'admin')).toEqual([]);
  });
});

describe('browsing without words', () => {
  it('lists the threads of a tag, newest first, with clickable tags in the summary', async () => {
    const older = await startThread(member, 'wmo', { title: 'Eerste over beschermd wonen', tags: ['beschermd-wonen'] });
    const newer = await startThread(other, 'jeugd', { title: 'Tweede over beschermd wonen', tags: ['beschermd-wonen', 'jeugd'] });
    const res = await search({ tag: 'beschermd-wonen' });
    expect(res.status).toBe(200);
    expect(threadIds(res)).toEqual([newer.id, older.id]);
    expect(res.body.items[0].thread.tags).toEqual(expect.arrayContaining(['beschermd-wonen', 'jeugd']));
    const page1 = await search({ tag: 'beschermd-wonen', limit: '1' });
    const page2 = await search({ tag: 'beschermd-wonen', limit: '1', cursor: page1.body.nextCursor! });
    expect([...threadIds(page1), ...threadIds(page2)]).toEqual([newer.id, older.id]);
  });

  it("lists a member's posts newest first, and a channel's threads", async () => {
    const someone = await signUp(t);
    const a = await startThread(someone, 'wmo', { title: 'Mijn eerste vraag', body: '<p>Eerste.</p>' });
    const b = await startThread(member, 'jeugd', { title: 'Iemand anders vraagt', body: '<p>Vraag.</p>' });
    const reply = await replyTo(someone, b.id, '<p>Mijn antwoord hierop.</p>');
    const res = await search({ author: someone.id });
    expect(threadIds(res)).toEqual([b.id, a.id]);
    expect(res.body.items[0].post?.id).toBe(reply.id);
    expect(res.body.items[0].snippet).toBe('Mijn antwoord hierop.');
    expect(threadIds(await search({ author: someone.id, channel: 'wmo' }))).toEqual([a.id]);
    const channel = await search({ channel: 'jeugd', limit: '1' });
    expect(threadIds(channel)).toEqual([b.id]);
  });

  it('asks for words or a filter (400), and hides hidden posts from members', async () => {
    const res = await search({});
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toHaveProperty('q');
    expect((await search({ kind: 'question' })).status).toBe(400);
    const someone = await signUp(t);
    const th = await startThread(member, 'wmo', { title: 'Over toezicht' });
    const hidden = await replyTo(someone, th.id, '<p>Dit wordt verborgen.</p>');
    await mod.agent.post(`/api/posts/${hidden.id}/hide`).send({ reason: 'x' }).expect(200);
    expect(threadIds(await search({ author: someone.id }))).toEqual([]);
    expect(threadIds(await search({ author: someone.id }, mod.agent))).toEqual([th.id]);
  });
});

describe('snippets', () => {
  it('never carry unbalanced markup, whatever the post contains (C0 control characters are stripped)', async () => {
    const th = await startThread(member, 'wmo', { title: 'Controletekens', body: '<p>Voor\u0001 de \u0002mantelzorgcompliment\u0002 en \u0001na &#1; ook\u0007.</p>' });
    const res = await search({ q: 'mantelzorgcompliment' });
    expect(threadIds(res)).toEqual([th.id]);
    const snippet = res.body.items[0].snippet;
    expect(snippet).toContain('<mark>mantelzorgcompliment</mark>');
    expect(snippet.match(/<mark>/g)?.length).toBe(snippet.match(/<\/mark>/g)?.length);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that none are left
    expect(snippet).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const page = await request(t.app.server).get(`/api/threads/${th.id}`).expect(200);
    expect(JSON.stringify(page.body)).not.toMatch(/\\u000[12]/);
  });

  it('balances marks even for text that still holds the sentinels', () => {
    for (const input of ['\u0001a', 'a\u0002b', '\u0001\u0001x\u0002\u0002', '\u0002\u0001y', 'x<script>\u0001']) {
      const out = markSnippet(input);
      let depth = 0;
      for (const m of out.matchAll(/<(\/?)mark>/g)) {
        depth += m[1] ? -1 : 1;
        expect(depth === 0 || depth === 1).toBe(true);
      }
      expect(depth).toBe(0);
      expect(out).not.toMatch(/<(?!\/?mark>)/);
    }
  });
});
