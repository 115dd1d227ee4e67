import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp, signUp } from '../support/app';
import { createChannel, startThread } from '../support/forum';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ serveClient: true });
});
afterAll(async () => {
  await t.close();
});

describe('serving the web client', () => {
  it('serves index.html for deep links with a strict Content-Security-Policy', async () => {
    const res = await request(t.app.server).get('/zoeken');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<div id="root">');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('renders OpenGraph and Twitter tags for a thread link, escaped', async () => {
    await createChannel(t, 'wmo');
    const expert = await signUp(t, { role: 'expert' });
    const thread = await startThread(expert, 'wmo', { title: 'Wat werkt bij "schulden" & jongeren < 18?', body: '<p>Wij zoeken voorbeelden uit de praktijk.</p>' });
    const res = await request(t.app.server).get(`/t/${thread.id}/wat-werkt`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<meta property="og:title" content="Wat werkt bij &quot;schulden&quot; &amp; jongeren &lt; 18?">');
    expect(res.text).toContain('<meta property="og:description" content="Wij zoeken voorbeelden uit de praktijk.">');
    expect(res.text).toContain('<meta name="twitter:card" content="summary">');
    expect(res.text).not.toContain('jongeren < 18');
  });

  it('keeps unknown API paths as JSON 404s', async () => {
    const res = await request(t.app.server).get('/api/bestaat-niet');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
