// Thread and channel URLs answer with their content in HTML, parsed here as a browser or a crawler
// would (htmlparser2), with title, canonical, OpenGraph, feeds and schema.org JSON-LD.
import * as DomUtils from 'domutils';
import type { Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, replyTo, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
let member: TestUser;
let mod: TestUser;

beforeAll(async () => {
  t = await createTestApp({ serveClient: true, pageCacheBytes: 16 * 1024 * 1024 });
  await createChannel(t, 'jeugd', 'open');
  expert = await signUp(t, { role: 'expert', displayName: 'Eva Expert', jobTitle: 'Beleidsadviseur', organisation: 'Gemeente Utrecht' });
  member = await signUp(t, { displayName: 'Mo Lid' });
  mod = await signUp(t, { role: 'moderator' });
});
afterAll(async () => {
  await t.close();
});

async function page(path: string, status = 200) {
  const res = await request(t.app.server).get(path);
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain('text/html');
  const doc = parseDocument(res.text);
  const all = (name: string) => DomUtils.getElementsByTagName(name, doc) as Element[];
  const attr = (selector: (e: Element) => boolean, name: string) => DomUtils.findAll(selector, doc.children).map((e) => e.attribs[name]);
  return {
    res,
    text: (e: Element) => DomUtils.textContent(e).replace(/\s+/g, ' ').trim(),
    all,
    meta: (key: string) => attr((e) => e.name === 'meta' && (e.attribs.property === key || e.attribs.name === key), 'content'),
    links: (rel: string) => DomUtils.findAll((e) => e.name === 'link' && e.attribs.rel === rel, doc.children).map((e) => e.attribs),
    jsonLd: () => all('script').filter((s) => s.attribs.type === 'application/ld+json').map((s) => JSON.parse(DomUtils.textContent(s))),
    root: () => all('div').find((d) => d.attribs.id === 'root')!,
  };
}

describe('server-rendered thread pages', () => {
  it('a question: its content in semantic HTML, the right title, canonical, OpenGraph, feeds and a QAPage', async () => {
    const thread = await startThread(expert, 'jeugd', { title: 'Hoe regelen jullie vervoer naar dagbesteding?', body: '<p>Wij zoeken <strong>voorbeelden</strong> uit de praktijk.</p>', tags: ['vervoer', 'wmo'] });
    const reply = await replyTo(member, thread.id, '<p>Bij ons rijdt de regiotaxi.</p>');
    const p = await page(`/t/${thread.id}/hoe-regelen`);
    expect(p.all('title').map(p.text)).toEqual(['Hoe regelen jullie vervoer naar dagbesteding? · Plein']);
    const url = `${PUBLIC_URL}/t/${thread.id}/hoe-regelen-jullie-vervoer-naar-dagbesteding`;
    expect(p.links('canonical')).toEqual([expect.objectContaining({ href: url })]);
    expect(p.meta('og:title')).toEqual(['Hoe regelen jullie vervoer naar dagbesteding?']);
    expect(p.meta('og:url')).toEqual([url]);
    expect(p.meta('og:description')).toEqual(['Wij zoeken voorbeelden uit de praktijk.']);
    expect(p.links('alternate').map((l) => [l.type, l.href])).toEqual([
      ['application/atom+xml', `${PUBLIC_URL}/kanaal/jeugd/feed.xml`],
      ['application/atom+xml', `${PUBLIC_URL}/tag/vervoer/feed.xml`],
      ['application/atom+xml', `${PUBLIC_URL}/tag/wmo/feed.xml`],
    ]);
    // The content, readable without JavaScript, inside the element the SPA renders into.
    const root = p.root();
    const h1 = DomUtils.getElementsByTagName('h1', root);
    expect(h1.map(p.text)).toEqual(['Hoe regelen jullie vervoer naar dagbesteding?']);
    expect(DomUtils.getElementsByTagName('main', root)).toHaveLength(1);
    const articles = DomUtils.getElementsByTagName('article', root) as Element[];
    expect(articles.map((a) => a.attribs.id ?? 'thread')).toEqual(['thread', `post-${reply.id}`]);
    expect(p.text(articles[0])).toContain('Eva Expert · Beleidsadviseur, Gemeente Utrecht');
    expect(DomUtils.getElementsByTagName('strong', articles[0]).map(p.text)).toEqual(['voorbeelden']);
    expect(p.text(articles[1])).toContain('Bij ons rijdt de regiotaxi.');
    expect(DomUtils.getElementsByTagName('time', articles[1])[0]).toBeDefined();
    const [ld] = p.jsonLd();
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'QAPage',
      mainEntity: {
        '@type': 'Question',
        name: 'Hoe regelen jullie vervoer naar dagbesteding?',
        text: 'Wij zoeken voorbeelden uit de praktijk.',
        answerCount: 1,
        author: { '@type': 'Person', name: 'Eva Expert' },
        suggestedAnswer: [{ '@type': 'Answer', text: 'Bij ons rijdt de regiotaxi.', author: { name: 'Mo Lid' }, url: `${url}#post-${reply.id}` }],
      },
    });
  });

  it('a Vraag shows its statement as a quoted lead under "Toelichting", and the best answer is the QAPage\'s acceptedAnswer', async () => {
    const created = await expert.agent
      .post('/api/channels/jeugd/threads')
      .send({ kind: 'question', question: 'Wie betaalt het vervoer naar de dagbesteding?', title: 'Vervoer naar dagbesteding', body: '<p>Bij ons is dat onduidelijk.</p>' })
      .expect(201);
    const thread = created.body.thread as { id: string };
    const first = await replyTo(member, thread.id, '<p>De gemeente, via de Wmo.</p>');
    const best = await replyTo(mod, thread.id, '<p>Dat hangt af van de indicatie.</p>');
    await expert.agent.post(`/api/threads/${thread.id}/accepted-answer`).send({ postId: best.id }).expect(200);
    const p = await page(`/t/${thread.id}`);
    const lead = p.all('blockquote').find((b) => b.attribs.class === 'question-lead');
    expect(lead && p.text(lead)).toBe('Wie betaalt het vervoer naar de dagbesteding?');
    expect(p.all('h2').map(p.text)).toContain('Toelichting');
    expect(p.meta('og:description')).toEqual(['Wie betaalt het vervoer naar de dagbesteding?']);
    const [ld] = p.jsonLd();
    expect(ld.mainEntity.acceptedAnswer).toMatchObject({ '@type': 'Answer', text: 'Dat hangt af van de indicatie.', url: expect.stringContaining(`#post-${best.id}`) });
    expect(ld.mainEntity.suggestedAnswer.map((a: { url: string }) => a.url)).toEqual([expect.stringContaining(`#post-${first.id}`)]);
    const article = p.all('article').find((a) => a.attribs.id === `post-${best.id}`);
    expect(article && p.text(article)).toContain('Beste antwoord');
  });

  it('a discussion is a DiscussionForumPosting with its comments; hidden replies show as hidden, without their text', async () => {
    const thread = await startThread(expert, 'jeugd', { title: 'Ervaringen met de nieuwe Jeugdwet', kind: 'discussion' });
    const shown = await replyTo(member, thread.id, '<p>Goede ervaringen.</p>');
    const hidden = await replyTo(member, thread.id, '<p>Mevrouw Jansen woont op de Dorpsstraat 12.</p>');
    await mod.agent.post(`/api/posts/${hidden.id}/hide`).send({ reason: 'Privacy' }).expect(200);
    const p = await page(`/t/${thread.id}`);
    expect(p.res.text).not.toContain('Dorpsstraat 12');
    const [ld] = p.jsonLd();
    expect(ld['@type']).toBe('DiscussionForumPosting');
    expect(ld.headline).toBe('Ervaringen met de nieuwe Jeugdwet');
    expect(ld.interactionStatistic).toMatchObject({ interactionType: 'https://schema.org/CommentAction', userInteractionCount: 2 });
    expect(ld.comment.map((c: { url: string }) => c.url)).toEqual([expect.stringContaining(`#post-${shown.id}`)]);
    const hiddenArticle = (p.all('article') as Element[]).find((a) => a.attribs.id === `post-${hidden.id}`)!;
    expect(p.text(hiddenArticle)).toContain('Verborgen door een moderator');
  });

  it('keeps $&, $`, $\' and markup in a title as text: one title, meta tags hold only the title, no element breaks out', async () => {
    const title = "Kosten $& baten $` of $' en $1 </title><script>alert(1)</script>";
    const thread = await startThread(expert, 'jeugd', { title, body: '<p>Body</p>' });
    const p = await page(`/t/${thread.id}`);
    const stored = (await request(t.app.server).get(`/api/threads/${thread.id}`)).body.thread.title as string;
    expect(p.all('title').map(p.text)).toEqual([`${stored} · Plein`]);
    expect(p.meta('og:title')).toEqual([stored]);
    expect(p.meta('twitter:title')).toEqual([stored]);
    // The page's markup was not copied into the head: one root, one module script, the JSON-LD intact.
    expect(p.all('div').filter((d) => d.attribs.id === 'root')).toHaveLength(1);
    expect(p.all('script').filter((s) => s.attribs.type === 'module')).toHaveLength(1);
    expect(p.all('script').map((s) => s.attribs.type).sort()).toEqual(['application/ld+json', 'module']);
    expect(p.jsonLd()[0].mainEntity.name).toBe(stored);
    expect(p.res.text).not.toContain('<script>alert(1)');
  });

  it('an unknown thread is 404 with noindex; the SPA still loads', async () => {
    const p = await page('/t/999999999/bestaat-niet', 404);
    expect(p.meta('robots')).toEqual(['noindex']);
    expect(p.all('script').some((s) => s.attribs.type === 'module')).toBe(true);
  });
});

describe('server-rendered channel pages', () => {
  it('lists the channel’s threads as links, with its feed; an unknown channel is 404', async () => {
    await createChannel(t, 'armoede', 'open');
    const first = await startThread(expert, 'armoede', { title: 'Schuldhulp voor jongeren' });
    const second = await startThread(expert, 'armoede', { title: 'Vroegsignalering bij energiearmoede' });
    const p = await page('/c/armoede');
    expect(p.all('title').map(p.text)).toEqual(['Armoede · Plein']);
    expect(p.links('canonical')).toEqual([expect.objectContaining({ href: `${PUBLIC_URL}/c/armoede` })]);
    expect(p.links('alternate')).toEqual([expect.objectContaining({ type: 'application/atom+xml', href: `${PUBLIC_URL}/kanaal/armoede/feed.xml` })]);
    const root = p.root();
    expect(DomUtils.getElementsByTagName('h1', root).map(p.text)).toEqual(['Armoede']);
    const links = (DomUtils.getElementsByTagName('h2', root) as Element[]).flatMap((h) => DomUtils.getElementsByTagName('a', h) as Element[]);
    expect(links.map((a) => [p.text(a), a.attribs.href])).toEqual([
      ['Vroegsignalering bij energiearmoede', `${PUBLIC_URL}/t/${second.id}/vroegsignalering-bij-energiearmoede`],
      ['Schuldhulp voor jongeren', `${PUBLIC_URL}/t/${first.id}/schuldhulp-voor-jongeren`],
    ]);
    await page('/c/bestaat-niet', 404);
  });
});
