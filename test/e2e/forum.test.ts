import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { type E2E, login, pasteHtml, screenshot, startE2E } from './support/harness';
import { tokenFromMail } from '../support/app';
import { insertThread } from './support/threads';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

const wordHtml = readFileSync(path.resolve(__dirname, '../fixtures/word-handreiking.html'), 'utf8');

describe('an expert question answered live', () => {
  it('expert asks, a professional sees it live and replies from Word, the expert sees the reply live, a visitor is asked to log in', async () => {
    const expertCtx = await e.context();
    const proCtx = await e.context();
    const expert = await expertCtx.newPage();
    const pro = await proCtx.newPage();
    await login(expert, 'marieke@plein.example', DEMO_PASSWORD);
    await login(pro, 'anne@plein.example', DEMO_PASSWORD);

    // The professional watches the Landelijk channel.
    await pro.goto('/c/landelijk');
    await pro.getByRole('heading', { level: 1, name: 'Landelijk' }).waitFor();

    // The expert asks a question.
    await expert.goto('/c/landelijk');
    await expert.getByRole('link', { name: 'Nieuwe vraag' }).click();
    await expert.getByLabel('Titel').fill('Hoe werken jullie samen met huisartsen in de wijk?');
    await expert.locator('#body').click();
    await expert.keyboard.type('Wij zoeken voorbeelden van afspraken tussen wijkteam en huisarts.');
    await expert.getByRole('button', { name: 'Plaats vraag' }).click();
    await expert.getByRole('heading', { level: 1, name: 'Hoe werken jullie samen met huisartsen in de wijk?' }).waitFor();
    await expect.poll(() => expert.getByText('Plaats als eerste een reactie', { exact: false }).count()).toBe(1);

    // It appears live on the professional's channel page.
    const live = pro.getByRole('button', { name: /1 nieuw onderwerp/ });
    await live.waitFor();
    await live.click();
    await pro.getByRole('link', { name: 'Hoe werken jullie samen met huisartsen in de wijk?' }).click();
    await pro.getByRole('heading', { level: 1, name: 'Hoe werken jullie samen met huisartsen in de wijk?' }).waitFor();

    // The professional replies with text pasted from Word.
    await pasteHtml(pro, '#reply-editor', wordHtml, 'Handreiking integrale toegang');
    await expect.poll(() => pro.locator('#reply-editor li').count()).toBeGreaterThanOrEqual(3);
    await pro.getByRole('button', { name: 'Plaats reactie' }).click();
    await pro.locator('.post-list .post').first().waitFor();

    // The expert sees it arrive without a reload, clean.
    const reply = expert.locator('.post-list .post').first();
    await reply.waitFor();
    await expect.poll(() => reply.locator('.post-body li').count()).toBeGreaterThanOrEqual(3);
    const html = await reply.locator('.post-body').innerHTML();
    expect(html).toContain('<strong>');
    expect(html).not.toMatch(/mso-|MsoNormal|o:p|style=/);
    await expect.poll(() => expert.locator('[role="status"]').filter({ hasText: 'Nieuwe reactie van Anne Hoekstra' }).count()).toBe(1);
    await screenshot(expert, 'thread-desktop');

    // A visitor is asked to log in.
    const visitorCtx = await e.context();
    const visitor = await visitorCtx.newPage();
    await visitor.goto(expert.url());
    await visitor.getByRole('heading', { name: 'Log in of maak een account om te reageren' }).waitFor();
    expect(await visitor.locator('#reply-editor').count()).toBe(0);
  });

  it('keeps an unsent reply as a draft across a reload', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await login(page, 'anne@plein.example', DEMO_PASSWORD);
    await page.goto('/c/wmo');
    await page.locator('.thread-card h2 a').first().click();
    await page.locator('#reply-editor').click();
    await page.keyboard.type('Dit is nog niet af, maar ik wil het niet kwijt.');
    await page.reload();
    await expect.poll(() => page.locator('#reply-editor').innerText()).toContain('Dit is nog niet af');
  });

  it('keeps drafts per person: after Anne logs out, Fatima on the same browser does not find Anne\'s unsent reply', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await login(page, 'anne@plein.example', DEMO_PASSWORD);
    await page.goto('/c/wmo');
    await page.locator('.thread-card h2 a').first().click();
    const threadUrl = page.url();
    await page.locator('#reply-editor').click();
    await page.keyboard.type('Persoonlijke notitie van Anne over een cliënt.');
    await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('plein.draft.')).length)).toBe(1);
    await page.getByRole('button', { name: 'Uitloggen' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    // Logging out leaves no draft in this browser at all.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('plein.draft.')))).toEqual([]);
    await login(page, 'fatima@plein.example', DEMO_PASSWORD);
    await page.goto(threadUrl);
    await page.locator('#reply-editor .ProseMirror, #reply-editor').first().waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('#reply-editor').innerText()).not.toContain('Persoonlijke notitie');
  });

  it('shows Dutch field errors from the server next to the field and keeps what was typed', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await page.goto('/aanmelden');
    await page.getByLabel('Naam').fill('Kees');
    await page.getByLabel('E-mailadres').fill('kees@example.nl');
    await page.getByLabel('Wachtwoord').fill('kort');
    await page.getByRole('button', { name: 'Account maken' }).click();
    await page.getByText('Gebruik minimaal 10 tekens.').waitFor();
    expect(await page.getByLabel('E-mailadres').inputValue()).toBe('kees@example.nl');
    expect(await page.getByLabel('Wachtwoord').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('switching the language on an open thread', () => {
  it('keeps the page live: a reply posted after the switch appears without a reload, announced in English', async () => {
    const reader = await (await e.context()).newPage();
    await login(reader, 'anne@plein.example', DEMO_PASSWORD);
    await reader.goto('/c/armoede-en-schulden');
    await reader.locator('.thread-card h2 a').first().click();
    await reader.getByRole('heading', { level: 1 }).waitFor();
    const threadId = /\/t\/(\d+)/.exec(reader.url())![1];
    const heading = reader.locator('#replies-title');
    const before = Number(/\((\d+)\)/.exec(await heading.innerText())![1]);

    await reader.getByRole('button', { name: 'Language: English' }).click();
    await reader.getByRole('button', { name: 'Taal: Nederlands' }).waitFor();
    await expect.poll(() => heading.innerText()).toBe(`Replies (${before})`);

    // A colleague replies through the API while the reader's page stays open.
    const writer = await (await e.context()).newPage();
    await login(writer, 'sander@plein.example', DEMO_PASSWORD);
    const status = await writer.evaluate(async (id) => {
      const res = await fetch(`/api/threads/${id}/replies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: '<p>Wij sturen een brief in eenvoudige taal.</p>' }) });
      return res.status;
    }, threadId);
    expect(status).toBe(201);

    const reply = reader.locator('article.post', { hasText: 'Wij sturen een brief in eenvoudige taal.' });
    await reply.waitFor();
    await expect.poll(() => heading.innerText()).toBe(`Replies (${before + 1})`);
    await expect.poll(() => reader.locator('[role="status"]').filter({ hasText: 'New reply from Sander de Wit' }).count()).toBe(1);
    expect(await reply.count()).toBe(1);
  });
});

describe('a long thread', () => {
  it('shows 50 replies with "Meer laden"; a reply that arrives live before the rest is loaded ends up last, in order', async () => {
    // 60 earlier replies.
    const thread = await insertThread(e.t.db, {
      authorEmail: 'youssef@plein.example',
      channelSlug: 'participatie',
      title: 'Lange draad over re-integratie',
      opening: 'Wat werkt bij jullie?',
      replies: Array.from({ length: 60 }, (_, i) => `Reactie ${i + 1}`),
    });

    const reader = await (await e.context()).newPage();
    await login(reader, 'anne@plein.example', DEMO_PASSWORD);
    await reader.goto(`/t/${thread.id}/lange-draad`);
    const bodies = () => reader.locator('ol.post-list article.post .post-body').allInnerTexts();
    await expect.poll(async () => (await bodies()).length).toBe(50);
    await reader.getByRole('button', { name: 'Meer laden' }).waitFor();

    const writer = await (await e.context()).newPage();
    await login(writer, 'sander@plein.example', DEMO_PASSWORD);
    await writer.goto(`/t/${thread.id}/lange-draad`);
    await writer.locator('#reply-editor').click();
    await writer.keyboard.type('Nieuwe reactie terwijl je leest');
    await writer.getByRole('button', { name: 'Plaats reactie' }).click();

    await expect.poll(async () => (await bodies()).at(-1)).toBe('Nieuwe reactie terwijl je leest');
    await reader.getByRole('button', { name: 'Meer laden' }).click();
    await expect.poll(async () => (await bodies()).length).toBe(61);
    expect(await bodies()).toEqual([...Array.from({ length: 60 }, (_, i) => `Reactie ${i + 1}`), 'Nieuwe reactie terwijl je leest']);
    expect(await reader.getByRole('button', { name: 'Meer laden' }).count()).toBe(0);
  });
});

describe('keyboard only', () => {
  it('signs up, opens a thread and posts a reply without a mouse', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Kanalen' }).waitFor();
    // Skip link first.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Naar de inhoud');
    await page.goto('/aanmelden');
    const focusAndType = async (label: string, text: string) => {
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() => document.activeElement?.id);
        const target = await page.getByLabel(label).getAttribute('id');
        if (id === target) {
          await page.keyboard.type(text);
          return;
        }
      }
      throw new Error(`could not reach ${label} with Tab`);
    };
    const email = `toetsenbord-${Date.now()}@example.nl`;
    await focusAndType('Naam', 'Toetsenbord Gebruiker');
    await focusAndType('E-mailadres', email);
    await focusAndType('Wachtwoord', 'een lang wachtwoord');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Kijk in je mail' }).waitFor();
    // The link from the mail (test/e2e/account-trust.test.ts follows it through the dev outbox page).
    await page.goto(`/e-mail-bevestigen?token=${await tokenFromMail(e.t, email, 'e-mail-bevestigen')}`);
    await page.waitForURL((url) => url.pathname === '/');
    // Open the Wmo channel and its first thread with Tab + Enter.
    const tabTo = async (name: RegExp) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const text = await page.evaluate(() => document.activeElement?.textContent ?? '');
        if (name.test(text)) return;
      }
      throw new Error(`could not reach ${name} with Tab`);
    };
    await tabTo(/^Wmo$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Wmo' }).waitFor();
    await tabTo(/beeldbellen/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /beeldbellen/ }).waitFor();
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'reply-editor')) break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-editor');
    await page.keyboard.type('Met alleen het toetsenbord geplaatst.');
    await tabTo(/^Plaats reactie$/);
    await page.keyboard.press('Enter');
    await page.locator('.post-body', { hasText: 'Met alleen het toetsenbord geplaatst.' }).waitFor();
  });
});

describe('phone', () => {
  it('works on a 375-pixel-wide screen without sideways scrolling', async () => {
    const ctx = await e.context({ viewport: { width: 375, height: 812 }, isMobile: true });
    const page = await ctx.newPage();
    await login(page, 'anne@plein.example', DEMO_PASSWORD);
    await page.goto('/c/landelijk');
    await page.locator('.thread-card h2 a').first().click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.locator('#reply-editor').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'thread-phone');
  });
});

describe('pages that are not there', () => {
  it('an unknown thread, channel, profile or new-question channel shows "niet gevonden" (no retry); a failed load still offers one', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await login(page, 'marieke@plein.example', DEMO_PASSWORD);
    const notFound = async (url: string) => {
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: 'Pagina niet gevonden' }).waitFor();
      await page.getByRole('link', { name: 'Terug naar de startpagina' }).waitFor();
      expect(await page.getByText('Deze pagina bestaat niet (meer).').count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Terug naar de startpagina' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Opnieuw proberen' }).count()).toBe(0);
      expect(await page.getByText('Dit kon niet worden geladen.').count()).toBe(0);
    };
    await notFound('/t/987654321');
    await notFound('/t/987654321/een-oude-vraag');
    await notFound('/t/geen-nummer');
    await notFound('/c/bestaat-niet');
    await notFound('/c/bestaat-niet/nieuw');
    await notFound('/u/987654321');
    await page.getByRole('link', { name: 'Terug naar de startpagina' }).click();
    await page.waitForURL((url) => url.pathname === '/');

    // A load that fails for another reason is not "not found": it says so and can be tried again.
    const thread = await e.t.db.selectFrom('thread').select(['id', 'title']).orderBy('id').executeTakeFirstOrThrow();
    let threadLoads = 0;
    await page.route(`**/api/threads/${thread.id}`, (route) => {
      threadLoads++;
      return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'Down for a moment.' } }) });
    });
    // A slow session answer: the page waits for it and loads once, as the signed-in reader (not first
    // as a visitor and then again, which replaced what was on screen, retry button included).
    await page.route('**/api/me', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    const sessionKnown = page.waitForResponse('**/api/me');
    await page.goto(`/t/${thread.id}`);
    await sessionKnown;
    await page.getByText('Dit kon niet worden geladen.').waitFor();
    await page.waitForTimeout(500);
    expect(threadLoads).toBe(1);
    expect(await page.getByRole('heading', { name: 'Pagina niet gevonden' }).count()).toBe(0);
    await page.unroute('**/api/me');
    await page.unroute(`**/api/threads/${thread.id}`);
    await page.getByRole('button', { name: 'Opnieuw proberen' }).click();
    await page.getByRole('heading', { level: 1, name: thread.title }).waitFor();
  });
});
