// robots.txt, the sitemap and the Atom feeds: well-formed XML (fast-xml-parser's validator and parser),
// Atom's required elements (RFC 4287), and only what an anonymous visitor may see.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

let t: TestApp;
let expert: TestUser;
let mod: TestUser;
let visible: { id: string; title: string };
let hidden: { id: string; postId: string };

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => ['sitemap', 'url', 'entry', 'link', 'category'].includes(name) });

async function xml(path: string, type: string) {
  const res = await request(t.app.server).get(path).buffer(true).parse((r, cb) => {
    let s = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (s += c));
    r.on('end', () => cb(null, s));
  });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe(`${type}; charset=utf-8`);
  const text = res.body as string;
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  expect(XMLValidator.validate(text)).toBe(true);
  return { text, doc: parser.parse(text) };
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

beforeAll(async () => {
  t = await createTestApp();
  await createChannel(t, 'jeugd', 'open');
  await createChannel(t, 'leeg', 'open');
  expert = await signUp(t, { role: 'expert', displayName: 'Eva & "Co" <Expert>' });
  mod = await signUp(t, { role: 'moderator' });
  visible = await startThread(expert, 'jeugd', { title: 'Wat kost een beschikking voor < 18 jaar & hoe "snel"?', body: '<p>Toelichting met <strong>nadruk</strong> &amp; een ]]&gt; erin.</p>', tags: ['wmo', 'kosten'] });
  hidden = await startThread(expert, 'jeugd', { title: 'Deze vraag is verborgen', tags: ['wmo'] });
  await mod.agent.post(`/api/posts/${hidden.postId}/hide`).send({ reason: 'Privacy' }).expect(200);
});
afterAll(async () => {
  await t.close();
});

describe('robots.txt and the sitemap', () => {
  it('robots.txt allows the forum, keeps crawlers out of the API and names the sitemap', async () => {
    const res = await request(t.app.server).get('/robots.txt').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toMatch(/^User-agent: \*$/m);
    expect(res.text).toMatch(/^Disallow: \/api\/$/m);
    expect(res.text).toContain(`Sitemap: ${PUBLIC_URL}/sitemap.xml`);
  });

  it('an index of well-formed pages that list the channels and the public threads only', async () => {
    const index = (await xml('/sitemap.xml', 'application/xml')).doc.sitemapindex;
    expect(index['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const locs: string[] = index.sitemap.map((s: { loc: string }) => s.loc);
    expect(locs).toContain(`${PUBLIC_URL}/sitemap-channels.xml`);
    const urls: string[] = [];
    for (const loc of locs) {
      const page = (await xml(loc.slice(PUBLIC_URL.length), 'application/xml')).doc.urlset;
      expect(page['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
      for (const u of page.url) {
        if (u.lastmod) expect(u.lastmod).toMatch(RFC3339);
        urls.push(u.loc);
      }
    }
    expect(urls).toContain(`${PUBLIC_URL}/c/jeugd`);
    expect(urls).toContain(`${PUBLIC_URL}/t/${visible.id}/wat-kost-een-beschikking-voor-18-jaar-hoe-snel`);
    expect(urls.some((u) => u.includes(`/t/${hidden.id}/`))).toBe(false);
  });

  it('a sitemap page beyond the threads is 404, a malformed one 4xx', async () => {
    await request(t.app.server).get('/sitemap-threads-999999.xml').expect(404);
    const bad = await request(t.app.server).get('/sitemap-threads-abc.xml');
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });
});

describe('Atom feeds', () => {
  function checkAtom(feed: Record<string, unknown>, self: string) {
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    // RFC 4287 4.1.1: atom:id, atom:title, atom:updated; an author on the feed or every entry; a self link.
    expect(feed.id).toBe(self);
    expect(typeof feed.title).toBe('string');
    expect(feed.updated).toMatch(RFC3339);
    expect((feed.author as { name: string }).name).toBeTruthy();
    const links = feed.link as Array<Record<string, string>>;
    expect(links.find((l) => l['@_rel'] === 'self')?.['@_href']).toBe(self);
    const entries = (feed.entry ?? []) as Array<Record<string, unknown>>;
    for (const e of entries) {
      expect(e.id).toMatch(/^http:\/\/plein\.test\/t\/\d+\//);
      expect(e.title).toBeTruthy();
      expect(e.updated).toMatch(RFC3339);
      expect((e.link as Array<Record<string, string>>)[0]['@_href']).toBe(e.id);
    }
    return entries;
  }

  it('a channel’s feed: its public threads, newest first, text escaped and HTML content intact', async () => {
    const self = `${PUBLIC_URL}/kanaal/jeugd/feed.xml`;
    const { doc, text } = await xml('/kanaal/jeugd/feed.xml', 'application/atom+xml');
    const entries = checkAtom(doc.feed, self);
    expect(entries.map((e) => e.title)).toEqual(['Wat kost een beschikking voor < 18 jaar & hoe "snel"?']);
    expect(text).toContain('<title>Wat kost een beschikking voor &lt; 18 jaar &amp; hoe &quot;snel&quot;?</title>');
    expect((entries[0].author as { name: string }).name).toBe('Eva & "Co" <Expert>');
    expect((entries[0].content as Record<string, string>)['@_type']).toBe('html');
    expect((entries[0].content as Record<string, string>)['#text']).toContain('<strong>nadruk</strong>');
    expect(text).not.toContain('Deze vraag is verborgen');
    // An empty channel still has a valid feed.
    checkAtom((await xml('/kanaal/leeg/feed.xml', 'application/atom+xml')).doc.feed, `${PUBLIC_URL}/kanaal/leeg/feed.xml`);
    await request(t.app.server).get('/kanaal/bestaat-niet/feed.xml').expect(404);
  });

  it('a tag’s feed lists the public threads with that tag; an unknown tag is 404', async () => {
    const self = `${PUBLIC_URL}/tag/wmo/feed.xml`;
    const entries = checkAtom((await xml('/tag/wmo/feed.xml', 'application/atom+xml')).doc.feed, self);
    expect(entries.map((e) => e.id)).toEqual([expect.stringContaining(`/t/${visible.id}/`)]);
    expect((entries[0].category as Array<Record<string, string>>).map((c) => c['@_term'])).toEqual(['jeugd', 'kosten', 'wmo']);
    await request(t.app.server).get('/tag/bestaat-niet/feed.xml').expect(404);
  });
});
