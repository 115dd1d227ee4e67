import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { exe, pdf, png } from '../support/files';
import { type E2E, expectAccessible, login, screenshot, startE2E } from './support/harness';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

async function person(email: string) {
  const ctx = await e.context();
  const page = await ctx.newPage();
  await login(page, email, DEMO_PASSWORD);
  return page;
}

async function openFirstThread(page: import('playwright-core').Page, channel: string) {
  await page.goto(`/c/${channel}`);
  await page.locator('.thread-card h2 a').first().click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page.url();
}

describe('handouts', () => {
  it('a professional attaches a PDF to a reply; a colleague downloads it in another browser', async () => {
    const anne = await person('anne@plein.example');
    const url = await openFirstThread(anne, 'wmo');
    await anne.locator('#reply-editor').click();
    await anne.keyboard.type('Zie de handreiking in de bijlage.');
    await anne.locator('.attachment-picker input[type=file]').setInputFiles({ name: 'handreiking-wmo.pdf', mimeType: 'application/pdf', buffer: pdf('Handreiking Wmo') });
    await anne.locator('.upload-list li', { hasText: 'handreiking-wmo.pdf' }).waitFor();
    await expect.poll(() => anne.locator('.upload-list progress').count()).toBe(0);
    await anne.getByRole('button', { name: 'Plaats reactie' }).click();
    await anne.locator('.attachments a', { hasText: 'handreiking-wmo.pdf' }).waitFor();

    const sander = await person('sander@plein.example');
    await sander.goto(url);
    const link = sander.locator('.attachments a', { hasText: 'handreiking-wmo.pdf' });
    await link.waitFor();
    const [download] = await Promise.all([sander.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('handreiking-wmo.pdf');
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).subarray(0, 8).toString()).toBe('%PDF-1.4');
  });
});

describe('handout sizes', () => {
  it('shows a handout of 1.5 MB as "1,5 MB" in Dutch and "1.5 MB" in English', async () => {
    const sander = await person('sander@plein.example');
    await openFirstThread(sander, 'participatie');
    await sander.locator('#reply-editor').click();
    await sander.keyboard.type('De deelnemerslijst als bijlage.');
    const csv = Buffer.from('naam;gemeente\n'.padEnd(1.5 * 1024 * 1024, 'x'));
    await sander.locator('.attachment-picker input[type=file]').setInputFiles({ name: 'deelnemers.csv', mimeType: 'text/csv', buffer: csv });
    await sander.locator('.upload-list li', { hasText: 'deelnemers.csv' }).waitFor();
    await expect.poll(() => sander.locator('.upload-list progress').count()).toBe(0);
    await sander.getByRole('button', { name: 'Plaats reactie' }).click();
    const link = sander.locator('article.post', { hasText: 'De deelnemerslijst als bijlage.' }).locator('.attachments a', { hasText: 'deelnemers.csv' });
    await link.waitFor();
    expect(await link.locator('.meta').innerText()).toBe('(1,5 MB)');
    await sander.getByRole('button', { name: 'Language: English' }).click();
    await expect.poll(() => link.locator('.meta').innerText()).toBe('(1.5 MB)');
  });
});

describe('handouts and photos', () => {
  it('drops an image and a refused file on the reply editor: a Dutch error beside the refused one, which can be removed; the image shows as a thumbnail', async () => {
    const joost = await person('joost@plein.example');
    await openFirstThread(joost, 'jeugd');
    await joost.locator('#reply-editor').click();
    await joost.keyboard.type('Foto van de flip-over van onze sessie.');
    // A real drop event with files in its DataTransfer, as dragging from the desktop gives.
    const drop = async (name: string, type: string, bytes: Buffer) => {
      const dataTransfer = await joost.evaluateHandle(
        ({ b64, name, type }) => {
          const dt = new DataTransfer();
          dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type }));
          return dt;
        },
        { b64: bytes.toString('base64'), name, type },
      );
      await joost.locator('.attachment-picker').dispatchEvent('drop', { dataTransfer });
    };
    await drop('flip-over.png', 'image/png', await png(120, 80));
    await drop('rapport.pdf', 'application/pdf', exe());
    const refused = joost.locator('.upload-list li', { hasText: 'rapport.pdf' });
    await expect.poll(() => refused.getByRole('alert').textContent()).toBe('Uploaden mislukt: dit soort bestand is niet toegestaan');
    await refused.getByRole('button', { name: 'Verwijder rapport.pdf' }).click();
    await expect.poll(() => joost.locator('.upload-list li').count()).toBe(1);
    await expect.poll(() => joost.locator('.upload-list progress').count()).toBe(0);
    await joost.getByRole('button', { name: 'Plaats reactie' }).click();
    const reply = joost.locator('article.post', { hasText: 'Foto van de flip-over van onze sessie.' });
    const thumb = reply.locator('.attachments img');
    await thumb.waitFor();
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
    expect(await reply.locator('.attachments li').count()).toBe(1);
  });

  it('posts a second reply without the first one\'s attachment', async () => {
    const fatima = await person('fatima@plein.example');
    await openFirstThread(fatima, 'armoede-en-schulden');
    await fatima.locator('#reply-editor').click();
    await fatima.keyboard.type('Eerste reactie met bijlage.');
    await fatima.locator('.attachment-picker input[type=file]').setInputFiles({ name: 'signalen.pdf', mimeType: 'application/pdf', buffer: pdf('Signalen') });
    await expect.poll(() => fatima.locator('.upload-list progress').count()).toBe(0);
    await fatima.locator('.upload-list li', { hasText: 'signalen.pdf' }).waitFor();
    await fatima.getByRole('button', { name: 'Plaats reactie' }).click();
    await fatima.locator('article.post', { hasText: 'Eerste reactie met bijlage.' }).locator('.attachments a', { hasText: 'signalen.pdf' }).waitFor();

    await fatima.locator('#reply-editor').click();
    await fatima.keyboard.type('Tweede reactie, zonder bijlage.');
    await fatima.getByRole('button', { name: 'Plaats reactie' }).click();
    const second = fatima.locator('article.post', { hasText: 'Tweede reactie, zonder bijlage.' });
    await second.waitFor();
    expect(await second.locator('.attachments').count()).toBe(0);
  });

  it('a refused handout says why like any other request: a suspended member hears that they are suspended, a rate limit says when to try again', async () => {
    const fatima = await person('fatima@plein.example');
    await openFirstThread(fatima, 'jeugd');
    const attach = (name: string) => fatima.locator('.attachment-picker input[type=file]').setInputFiles({ name, mimeType: 'application/pdf', buffer: pdf(name) });
    const errorOf = (name: string) => fatima.locator('.upload-list li', { hasText: name }).getByRole('alert');

    // Too many uploads: the server's 429 with Retry-After (the test app runs without limits, so it is answered here).
    await fatima.route('**/api/attachments', (route) =>
      route.fulfill({ status: 429, headers: { 'retry-after': '42' }, contentType: 'application/json', body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many uploads.' } }) }),
    );
    await attach('te-vaak.pdf');
    await expect.poll(() => errorOf('te-vaak.pdf').textContent()).toBe('Je hebt dit te vaak geprobeerd. Probeer het over 42 seconden opnieuw.');
    await fatima.unroute('**/api/attachments');

    await e.t.db.updateTable('user').set({ suspended_until: new Date(Date.now() + 86400_000), suspension_reason: 'Even pauze' }).where('email', '=', 'fatima@plein.example').execute();
    try {
      await attach('geschorst.pdf');
      await expect.poll(() => errorOf('geschorst.pdf').textContent()).toBe('Je account is geschorst; je kunt nu niets plaatsen.');
    } finally {
      await e.t.db.updateTable('user').set({ suspended_until: null, suspension_reason: null }).where('email', '=', 'fatima@plein.example').execute();
    }
    expect(await fatima.locator('.upload-list progress').count()).toBe(0);
  });

  it('a member sets a profile photo in the settings, sees it next to their reply, and removes it again', async () => {
    const ilse = await person('ilse@plein.example');
    await ilse.goto('/instellingen');
    const photo = ilse.locator('.avatar-settings .avatar img');
    await ilse.locator('#avatar-file').setInputFiles({ name: 'ik.png', mimeType: 'image/png', buffer: await png(400, 300) });
    await ilse.getByText('Je foto is opgeslagen.').waitFor();
    await expect.poll(() => photo.getAttribute('src')).toMatch(/\?v=/);

    await openFirstThread(ilse, 'participatie');
    await ilse.locator('#reply-editor').click();
    await ilse.keyboard.type('Met foto erbij.');
    await ilse.getByRole('button', { name: 'Plaats reactie' }).click();
    const mine = ilse.locator('article.post', { hasText: 'Met foto erbij.' }).locator('.avatar img');
    await mine.waitFor();
    expect(await mine.getAttribute('src')).toMatch(/\?v=/);
    await expect.poll(() => mine.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(256);

    await ilse.goto('/instellingen');
    await ilse.getByRole('button', { name: 'Foto verwijderen' }).click();
    await ilse.getByText('Je foto is verwijderd.').waitFor();
    await expect.poll(() => photo.getAttribute('src')).not.toMatch(/\?v=/);
    expect(await ilse.getByRole('button', { name: 'Foto verwijderen' }).count()).toBe(0);
  });

  it('a refused profile photo says why: a PDF is not a photo, and a suspended member hears that they are suspended', async () => {
    const ilse = await person('ilse@plein.example');
    await ilse.goto('/instellingen');
    const status = ilse.locator('.avatar-settings [role="status"]');
    await ilse.locator('#avatar-file').setInputFiles({ name: 'ik.pdf', mimeType: 'application/pdf', buffer: pdf('Geen foto') });
    await expect.poll(() => status.innerText()).toBe('Uploaden mislukt: dit soort bestand is niet toegestaan');

    await e.t.db.updateTable('user').set({ suspended_until: new Date(Date.now() + 86400_000), suspension_reason: 'Even pauze' }).where('email', '=', 'ilse@plein.example').execute();
    try {
      await ilse.locator('#avatar-file').setInputFiles({ name: 'ik.png', mimeType: 'image/png', buffer: await png(64, 64) });
      await expect.poll(() => status.innerText()).toBe('Je account is geschorst; je kunt nu niets plaatsen.');
    } finally {
      await e.t.db.updateTable('user').set({ suspended_until: null, suspension_reason: null }).where('email', '=', 'ilse@plein.example').execute();
    }
  });
});

describe('moderation', () => {
  it("a member's report is resolved by a moderator hiding the post, and the member sees it disappear live", async () => {
    const fatima = await person('fatima@plein.example');
    const url = await openFirstThread(fatima, 'jeugd');
    await fatima.locator('#reply-editor').click();
    await fatima.keyboard.type('Bel mij op 06-12345678 voor de dossiers van de kinderen.');
    await fatima.getByRole('button', { name: 'Plaats reactie' }).click();
    const post = fatima.locator('.post', { hasText: '06-12345678' });
    await post.waitFor();

    const anne = await person('anne@plein.example');
    await anne.goto(url);
    const postId = await anne.locator('.post', { hasText: '06-12345678' }).getAttribute('id');
    const target = anne.locator(`#${postId}`);
    await target.getByRole('button', { name: 'Meld dit bericht' }).click();
    await target.getByLabel('Waarom meld je dit bericht?').fill('Bevat persoonsgegevens');
    await target.getByRole('button', { name: 'Bevestigen' }).click();
    await target.getByText('Bedankt, de moderatoren kijken ernaar.').waitFor();

    const mod = await person('youssef@plein.example');
    await mod.goto('/moderatie');
    const group = mod.locator('.report-group', { hasText: 'Bevat persoonsgegevens' });
    await group.waitFor();
    await screenshot(mod, 'moderation');
    await group.getByRole('button', { name: 'Verbergen' }).click();
    await group.getByRole('button', { name: 'Ja, verbergen' }).click();
    await expect.poll(() => mod.locator('.report-group', { hasText: 'Bevat persoonsgegevens' }).count()).toBe(0);

    // Anne's open page updates without a reload: the content is gone, the notice shows.
    await target.getByText('Verborgen door een moderator').waitFor();
    expect(await target.innerText()).not.toContain('06-12345678');
  });
});

describe('notifications', () => {
  it("the expert's bell count rises live when someone replies to their question", async () => {
    const expert = await person('marieke@plein.example');
    await expert.goto('/');
    await expert.getByRole('heading', { level: 1, name: 'Kanalen' }).waitFor();
    const bell = expert.getByTestId('bell-count');
    const count = async () => ((await bell.count()) ? Number(await bell.textContent()) : 0);
    const before = await count();
    const sander = await person('sander@plein.example');
    await openFirstThread(sander, 'landelijk');
    await sander.locator('#reply-editor').click();
    await sander.keyboard.type('Bij ons werkt een vast aanspreekpunt goed.');
    await sander.getByRole('button', { name: 'Plaats reactie' }).click();
    await sander.locator('.post', { hasText: 'vast aanspreekpunt' }).waitFor();
    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(before);
  });
});

describe('mentions', () => {
  it('offers colleagues while typing @ and notifies the one mentioned', async () => {
    const anne = await person('anne@plein.example');
    await openFirstThread(anne, 'participatie');
    await anne.locator('#reply-editor').click();
    await anne.keyboard.type('Vraag het aan @Yous');
    const option = anne.getByRole('option', { name: /Youssef El Amrani/ });
    await option.waitFor();
    await anne.keyboard.press('Enter');
    await expect.poll(() => anne.locator('#reply-editor').innerText()).toContain('@Youssef El Amrani');
    await anne.getByRole('button', { name: 'Plaats reactie' }).click();
    await anne.locator('.post', { hasText: '@Youssef El Amrani' }).waitFor();
    const youssef = await e.t.db.selectFrom('user').select('id').where('email', '=', 'youssef@plein.example').executeTakeFirstOrThrow();
    const mentions = await e.t.db.selectFrom('notification').select('id').where('user_id', '=', youssef.id).where('kind', '=', 'mention').execute();
    expect(mentions).toHaveLength(1);
  });
});

describe('search', () => {
  it('finds a reply by a Dutch inflection and jumps to it', async () => {
    const page = await (await e.context()).newPage();
    await page.goto('/');
    await page.getByLabel('Zoeken', { exact: true }).fill('ervaringsdeskundigen');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.getByRole('heading', { level: 1, name: /Resultaten voor/ }).waitFor();
    const hit = page.locator('.search-results li').first();
    await hit.locator('mark').first().waitFor();
    await hit.locator('h2 a').click();
    await page.waitForURL(/#post-\d+$/);
    const id = new URL(page.url()).hash.slice(1);
    await page.locator(`#${id}`).waitFor();
    expect(await page.locator(`#${id}`).innerText()).toMatch(/ervaringsdeskundige/i);
  });
});

describe('search filters', () => {
  /** Starts a thread through the API as the page's signed-in user (the page's own origin and cookie). */
  async function startThread(page: import('playwright-core').Page, channel: string, title: string, body: string, pdfText?: string): Promise<string> {
    return page.evaluate(
      async ({ channel, title, body, pdfText }) => {
        const attachmentIds: string[] = [];
        if (pdfText) {
          const form = new FormData();
          form.append('file', new Blob([pdfText], { type: 'application/pdf' }), 'handreiking.pdf');
          const up = await fetch('/api/attachments', { method: 'POST', body: form });
          if (up.status !== 201) throw new Error(`upload ${up.status}`);
          attachmentIds.push((await up.json()).attachment.id);
        }
        const res = await fetch(`/api/channels/${channel}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title, body: `<p>${body}</p>`, kind: 'question', attachmentIds }) });
        if (res.status !== 201) throw new Error(`thread ${res.status} ${await res.text()}`);
        return (await res.json()).thread.id as string;
      },
      { channel, title, body, pdfText: pdfText ? pdf(pdfText).toString('latin1') : undefined },
    );
  }

  it('narrows by channel, "Met bijlagen" and a date range, keeps every filter in the address (back button), and searches a member\'s posts from their profile', async () => {
    const marieke = await person('marieke@plein.example');
    const withPdf = await startThread(marieke, 'wmo', 'Klompjesregeling met handreiking', 'Hoe passen jullie de klompjesregeling toe?', 'Handreiking klompjes');
    const older = await startThread(marieke, 'jeugd', 'Klompjesregeling voor jongeren', 'Geldt de klompjesregeling ook voor jongeren?');
    await e.t.db.updateTable('thread').set({ created_at: new Date('2025-03-10T10:00:00Z') }).where('id', '=', older).execute();
    const anne = await person('anne@plein.example');
    const annes = await startThread(anne, 'participatie', 'Klompjesregeling in de praktijk', 'Onze ervaring met de klompjesregeling.');
    expect(new Set([withPdf, older, annes]).size).toBe(3);

    const page = await person('sander@plein.example');
    const titles = async () => (await page.locator('.search-results h2').allInnerTexts()).sort();
    const words = page.getByLabel('Zoekterm');
    await page.goto('/zoeken?q=klompjesregeling');
    await expect.poll(titles).toEqual(['Klompjesregeling in de praktijk', 'Klompjesregeling met handreiking', 'Klompjesregeling voor jongeren']);
    // Each result names its channel, not its slug.
    expect(await page.locator('.search-results li', { hasText: 'met handreiking' }).locator('.channel-name').innerText()).toBe('Wmo');

    // Channel: a select of the channels by name.
    await page.getByLabel('Kanaal').selectOption({ label: 'Jeugd' });
    await words.press('Enter');
    await page.waitForURL(/channel=jeugd/);
    await expect.poll(titles).toEqual(['Klompjesregeling voor jongeren']);
    await page.goBack();
    await expect.poll(titles).toHaveLength(3);
    expect(await page.getByLabel('Kanaal').inputValue()).toBe('');

    // "Met bijlagen": only the thread with the uploaded PDF.
    await page.getByLabel('Met bijlagen').check();
    await words.press('Enter');
    await page.waitForURL(/hasAttachments=true/);
    await expect.poll(titles).toEqual(['Klompjesregeling met handreiking']);
    await screenshot(page, 'search-filters');

    // A date range (by when the thread was started), keyboard-only from the checkbox.
    await page.getByLabel('Met bijlagen').uncheck();
    await page.getByLabel('Vanaf').fill('2025-03-01');
    await page.getByLabel('Tot en met').fill('2025-03-31');
    await page.getByLabel('Tot en met').press('Enter');
    await page.waitForURL((url) => url.searchParams.get('from') === '2025-03-01' && url.searchParams.get('to') === '2025-03-31' && !url.searchParams.has('hasAttachments'));
    await expect.poll(titles).toEqual(['Klompjesregeling voor jongeren']);
    // The shared address gives the same search in another browser.
    const shared = await (await e.context()).newPage();
    await shared.goto(page.url());
    await expect.poll(async () => shared.locator('.search-results h2').allInnerTexts()).toEqual(['Klompjesregeling voor jongeren']);
    expect(await shared.getByLabel('Vanaf').inputValue()).toBe('2025-03-01');

    // From a member's profile: "Berichten zoeken" opens search with "Van <naam>" and the search box focused.
    const anneId = (await e.t.db.selectFrom('user').select('id').where('email', '=', 'anne@plein.example').executeTakeFirstOrThrow()).id;
    await page.goto(`/u/${anneId}`);
    await page.getByRole('link', { name: 'Berichten zoeken' }).click();
    await page.waitForURL((url) => url.pathname === '/zoeken' && url.searchParams.get('author') === anneId);
    await page.locator('.chip', { hasText: 'Van Anne Hoekstra' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('f-q');
    // Without words her posts are listed, newest first (issue 21); words narrow them.
    await expect.poll(async () => (await page.locator('.search-results h2').allInnerTexts())[0]).toBe('Klompjesregeling in de praktijk');
    await expectAccessible(page, 'search-author');
    await screenshot(page, 'search-author');
    await page.keyboard.type('klompjesregeling');
    await page.keyboard.press('Enter');
    await expect.poll(titles).toEqual(['Klompjesregeling in de praktijk']);
    expect(new URL(page.url()).searchParams.get('author')).toBe(anneId);
    await page.getByRole('button', { name: 'Filter “Van Anne Hoekstra” verwijderen' }).click();
    await page.waitForURL((url) => !url.searchParams.has('author'));
    await expect.poll(titles).toHaveLength(3);
    expect(await page.locator('.chip').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-q');

    // The same page in English.
    await page.getByRole('button', { name: 'Language: English' }).click();
    await page.getByLabel('With attachments').waitFor();
    expect(await page.getByLabel('Channel').locator('option').first().innerText()).toBe('All channels');
    await page.getByRole('button', { name: 'Taal: Nederlands' }).click();
  }, 120_000);

  it('"Meer laden" adds the next page of results', async () => {
    const marieke = await person('marieke@plein.example');
    for (let i = 1; i <= 23; i++) await startThread(marieke, 'wmo', `Vlierbessenbeleid deel ${i}`, 'Over het vlierbessenbeleid.');
    const page = await (await e.context()).newPage();
    await page.goto('/zoeken?q=vlierbessenbeleid&channel=wmo');
    const items = page.locator('.search-results li');
    await expect.poll(() => items.count()).toBe(20);
    await page.getByRole('button', { name: 'Meer laden' }).click();
    await expect.poll(() => items.count()).toBe(23);
    expect(await page.getByRole('button', { name: 'Meer laden' }).count()).toBe(0);
    expect(new Set(await page.locator('.search-results h2').allInnerTexts()).size).toBe(23);
  }, 60_000);
});

describe('video sessions', () => {
  it('request → interest live → taken on → scheduled for 1 → one registered, one waitlisted → cancellation promotes, who then sees the link', async () => {
    const expert = await person('marieke@plein.example');
    await expert.goto('/c/landelijk/nieuw');
    await expert.getByLabel('Titel').fill('Wie wil meedenken over wachtlijsten?');
    await expert.locator('#body').click();
    await expert.keyboard.type('Graag jullie ervaringen.');
    await expert.getByRole('button', { name: 'Plaats vraag' }).click();
    await expert.getByRole('heading', { level: 1, name: 'Wie wil meedenken over wachtlijsten?' }).waitFor();
    const url = expert.url();

    const anne = await person('anne@plein.example');
    await anne.goto(url);
    await anne.getByRole('button', { name: 'Ik wil hier een videosessie over' }).click();
    await anne.getByText('1 persoon heeft interesse').waitFor();

    const sander = await person('sander@plein.example');
    await sander.goto(url);
    await sander.getByRole('button', { name: 'Ik heb interesse' }).click();
    // The expert sees the count rise without reloading.
    await expert.getByText('2 mensen hebben interesse').waitFor();

    await expert.getByRole('button', { name: 'Ik organiseer deze sessie' }).click();
    await expert.getByRole('button', { name: 'Inplannen' }).click();
    const start = new Date(Date.now() + 3 * 86400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await expert.getByLabel('Datum en tijd').fill(`${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}T14:00`);
    await expert.getByLabel('Duur (minuten)').fill('60');
    await expert.getByLabel('Aantal plaatsen').fill('1');
    await expert.getByLabel(/Link naar de videosessie/).fill('https://meet.example/wachtlijsten');
    await expert.getByRole('button', { name: 'Opslaan' }).click();
    await expert.getByText(/nog 1 plek vrij/).waitFor();

    await anne.getByRole('button', { name: 'Aanmelden' }).click();
    await anne.getByText('Je bent aangemeld.').waitFor();
    await sander.getByRole('button', { name: 'Aanmelden' }).waitFor();
    await sander.getByRole('button', { name: 'Aanmelden' }).click();
    await sander.getByText('Je staat op de wachtlijst (plaats 1).').waitFor();
    expect(await sander.getByRole('link', { name: 'Deelnemen aan de sessie' }).count()).toBe(0);

    await anne.getByRole('button', { name: 'Afmelden' }).click();
    // Sander moves up live and now sees the meeting link.
    await sander.getByText('Je bent aangemeld.').waitFor({ timeout: 15_000 });
    await sander.getByRole('link', { name: 'Deelnemen aan de sessie' }).waitFor();
    expect(await sander.getByRole('link', { name: 'Deelnemen aan de sessie' }).getAttribute('href')).toBe('https://meet.example/wachtlijsten');
    await screenshot(sander, 'video-session');
  });
});
