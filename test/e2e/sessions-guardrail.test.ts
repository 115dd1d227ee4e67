// Issue 20 in the browser, in Dutch and English, axe-clean: the client-data guardrail, moderators who are
// told, and video sessions that get finished (interest → attendance, agenda, calendar feed, summary).
import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { type E2E, expectAccessible, login, screenshot, startE2E } from './support/harness';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

async function person(email: string): Promise<Page> {
  const page = await (await e.context()).newPage();
  await login(page, email, DEMO_PASSWORD);
  return page;
}

async function newQuestion(page: Page, title: string, body = 'Wie heeft hier ervaring mee?') {
  await page.goto('/c/landelijk/nieuw');
  await page.getByLabel('Titel').fill(title);
  await page.locator('#body').click();
  await page.keyboard.type(body);
  await page.getByRole('button', { name: 'Plaats vraag' }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  return page.url();
}

describe('guardrail against client data', () => {
  it('warns while typing, explains a refused reply, "Aanpassen" keeps it unposted, "Toch plaatsen" holds it until a moderator approves', async () => {
    const expert = await person('marieke@plein.example');
    const url = await newQuestion(expert, 'Hoe regelen jullie de toegang tot beschermd wonen?');
    const mod = await person('youssef@plein.example');
    await mod.goto('/');
    const modLink = mod.getByRole('navigation').getByRole('link', { name: /Moderatie/ });
    await modLink.waitFor();
    const before = (await modLink.innerText()).replace(/\D/g, '');

    const fatima = await person('fatima@plein.example');
    await fatima.goto(url);
    await fatima.locator('#reply-editor').click();
    await fatima.keyboard.type('Mijn cliënt met BSN 111222333 heeft dit ook.');
    // The editor warns while typing (the shared detector).
    const hint = fatima.locator('.sensitive-hint');
    await hint.getByText('Let op: dit lijkt op persoonsgegevens van een cliënt.').waitFor();
    await hint.getByText('111222333').waitFor();

    await fatima.getByRole('button', { name: 'Plaats reactie' }).click();
    const dialog = fatima.getByRole('dialog', { name: 'Staan hier gegevens van een cliënt in?' });
    await dialog.waitFor();
    await dialog.getByText('BSN: 111222333').waitFor();
    await expectAccessible(fatima, 'guardrail dialog');
    await screenshot(fatima, 'guardrail-dialog');
    await dialog.getByRole('button', { name: 'Aanpassen' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await e.t.db.selectFrom('post').select('id').where('body_text', 'like', '%111222333%').execute()).toEqual([]);

    await fatima.getByRole('button', { name: 'Plaats reactie' }).click();
    await dialog.getByRole('button', { name: 'Toch plaatsen' }).click();
    await fatima.getByText('Je bericht is geplaatst, maar nog verborgen.').waitFor();

    // Other readers see the placeholder only; the moderator's menu counts it live and so does the title.
    const anne = await person('anne@plein.example');
    await anne.goto(url);
    await anne.getByText('Verborgen door een moderator').waitFor();
    expect(await anne.locator('main').innerText()).not.toContain('111222333');
    expect(await anne.locator('.post', { hasText: 'Verborgen door een moderator' }).getByRole('button', { name: 'Meld dit bericht' }).count()).toBe(0);
    await expect.poll(async () => (await modLink.innerText()).replace(/\D/g, '')).toBe(String(Number(before || 0) + 1));
    await expect.poll(() => mod.title()).toMatch(/^\(\d+\) /);

    await mod.goto('/moderatie');
    const held = mod.locator('.held-post', { hasText: '111222333' });
    await held.getByText('Fatima Bakkali').waitFor();
    await expectAccessible(mod, 'moderation page with held posts');
    await held.getByRole('button', { name: 'Goedkeuren' }).click();
    await held.getByRole('button', { name: 'Ja, tonen' }).click();
    await mod.getByText('Het bericht is goedgekeurd en de schrijver heeft bericht gekregen.').waitFor();
    await anne.goto(url);
    await anne.getByText('Mijn cliënt met BSN 111222333 heeft dit ook.').waitFor();
    await fatima.goto('/meldingen');
    await fatima.getByText(/Een moderator heeft je bericht in .* goedgekeurd/).waitFor();
  }, 120_000);

  it('an edit goes through the same question: "Aanpassen" keeps the text that was there', async () => {
    const expert = await person('marieke@plein.example');
    const url = await newQuestion(expert, 'Hoe lang bewaren jullie dossiers na een verhuizing?');
    const fatima = await person('fatima@plein.example');
    await fatima.goto(url);
    await fatima.locator('#reply-editor').click();
    await fatima.keyboard.type('Wij bewaren ze vijftien jaar.');
    await fatima.getByRole('button', { name: 'Plaats reactie' }).click();
    const post = fatima.locator('.post', { hasText: 'Wij bewaren ze vijftien jaar.' });
    await post.getByRole('button', { name: 'Bewerken' }).click();
    const editor = fatima.locator('[id^="edit-"][id$="-body"]');
    await editor.click();
    await fatima.keyboard.press('End');
    await fatima.keyboard.type(' Zoals bij BSN 111222333.');
    await fatima.getByRole('button', { name: 'Opslaan' }).click();
    const dialog = fatima.getByRole('dialog', { name: 'Staan hier gegevens van een cliënt in?' });
    await dialog.getByText('BSN: 111222333').waitFor();
    await dialog.getByRole('button', { name: 'Aanpassen' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    const stored = await e.t.db.selectFrom('post').select('body_text').where('body_text', 'like', 'Wij bewaren ze vijftien jaar.%').execute();
    expect(stored.map((p) => p.body_text.trim())).toEqual(['Wij bewaren ze vijftien jaar.']);
  }, 120_000);

  it('in English: a title with a valid IBAN is explained in English; a wrong checksum passes without a question', async () => {
    const expert = await person('marieke@plein.example');
    await expert.goto('/');
    await expert.getByRole('button', { name: 'Language: English' }).click();
    await expert.goto('/c/landelijk/nieuw');
    await expert.locator('#title').fill('Betaling via NL91 ABNA 0417 1643 00 mislukt');
    await expert.locator('#body').click();
    await expert.keyboard.type('Wat nu?');
    await expert.getByText('Careful: this looks like personal data of a client.').waitFor();
    await expert.locator('main form.form button[type="submit"]').click();
    const dialog = expert.getByRole('dialog', { name: 'Does this contain client data?' });
    await dialog.getByText('Bank account (IBAN): NL91 ABNA 0417 1643 00').waitFor();
    await expectAccessible(expert, 'guardrail dialog (en)');
    await dialog.getByRole('button', { name: 'Change it' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expert.locator('#title').fill('Betaling via NL91 ABNA 0417 1643 01 mislukt');
    await expect.poll(() => expert.locator('.sensitive-hint').count()).toBe(0);
    await expert.locator('main form.form button[type="submit"]').click();
    await expert.getByRole('heading', { level: 1, name: 'Betaling via NL91 ABNA 0417 1643 01 mislukt' }).waitFor();
  }, 120_000);
});

describe('moderators are told', () => {
  it('a new report shows on "Moderatie" and the bell at once; dismissing asks first; the log reads in words', async () => {
    const expert = await person('marieke@plein.example');
    const url = await newQuestion(expert, 'Wie kent een goede aanpak voor eenzaamheid?');
    const sander = await person('sander@plein.example');
    await sander.goto(url);
    await sander.locator('#reply-editor').click();
    await sander.keyboard.type('Koop mijn cursus voor maar 99 euro!');
    await sander.getByRole('button', { name: 'Plaats reactie' }).click();
    const reply = sander.locator('.post', { hasText: 'Koop mijn cursus' });
    await reply.waitFor();
    // No "Meld dit bericht" on one's own post.
    expect(await reply.getByRole('button', { name: 'Meld dit bericht' }).count()).toBe(0);

    const mod = await person('youssef@plein.example');
    await mod.goto('/');
    const modLink = mod.getByRole('navigation').getByRole('link', { name: /Moderatie/ });
    const countBefore = Number((await modLink.innerText()).replace(/\D/g, '') || 0);

    const anne = await person('anne@plein.example');
    await anne.goto(url);
    const target = anne.locator('.post', { hasText: 'Koop mijn cursus' });
    await target.getByRole('button', { name: 'Meld dit bericht' }).click();
    await target.getByLabel('Waarom meld je dit bericht?').fill('Reclame');
    await target.getByRole('button', { name: 'Bevestigen' }).click();
    await target.getByText('Bedankt, de moderatoren kijken ernaar.').waitFor();

    await expect.poll(async () => Number((await modLink.innerText()).replace(/\D/g, '') || 0)).toBe(countBefore + 1);
    await mod.goto('/meldingen');
    await mod.getByText('Nieuwe melding voor moderatoren bij "Wie kent een goede aanpak voor eenzaamheid?"').waitFor();

    await mod.goto('/moderatie');
    const group = mod.locator('.report-group', { hasText: 'Reclame' });
    await group.getByRole('button', { name: 'Afwijzen' }).click();
    const question = group.getByRole('group', { name: 'Deze meldingen afwijzen?' });
    await question.waitFor();
    await expectAccessible(mod, 'moderation confirmation');
    await question.getByRole('button', { name: 'Annuleren' }).click();
    expect(await mod.locator('.report-group', { hasText: 'Reclame' }).count()).toBe(1);
    await group.getByRole('button', { name: 'Verbergen' }).click();
    await group.getByRole('button', { name: 'Ja, verbergen' }).click();
    await expect.poll(() => mod.locator('.report-group', { hasText: 'Reclame' }).count()).toBe(0);
    await expect.poll(async () => Number((await modLink.innerText()).replace(/\D/g, '') || 0)).toBe(countBefore);

    // The audit log: the post's excerpt and its thread, not "Bericht 16".
    const row = mod.locator('table.audit tbody tr', { hasText: 'Koop mijn cursus' }).first();
    await row.waitFor();
    expect(await row.innerText()).toContain('Wie kent een goede aanpak voor eenzaamheid?');
    // The hidden post offers no "Meld dit bericht" any more.
    await anne.reload();
    const hiddenPost = anne.locator('.post', { hasText: 'Verborgen door een moderator' }).first();
    await hiddenPost.waitFor();
    expect(await hiddenPost.getByRole('button', { name: 'Meld dit bericht' }).count()).toBe(0);

    // A move reads "van … naar …".
    await mod.goto(url);
    await mod.getByRole('button', { name: 'Verplaatsen' }).click();
    await mod.getByLabel('Naar kanaal').selectOption({ index: 0 });
    await mod.getByRole('button', { name: 'Bevestigen' }).click();
    await mod.goto('/moderatie');
    await mod.locator('table.audit tbody tr', { hasText: /van Landelijk naar / }).first().waitFor();
    await mod.getByRole('button', { name: 'Language: English' }).click();
    await mod.locator('table.audit tbody tr', { hasText: /from Landelijk to / }).first().waitFor();
    await expectAccessible(mod, 'moderation page (en)');
  }, 120_000);
});

async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download') as Promise<Download>, click()]);
  return readFileSync((await d.path())!);
}

describe('video sessions that get finished', () => {
  it('interest becomes attendance from the bell; a registered member never sees "Vol"; the organiser finds it under "Ik organiseer", on the agenda and adds a summary', async () => {
    const expert = await person('marieke@plein.example');
    const url = await newQuestion(expert, 'Zullen we de Wmo-toegang samen doorlopen?');
    const anne = await person('anne@plein.example');
    await anne.goto(url);
    await anne.getByRole('button', { name: 'Ik wil hier een videosessie over' }).click();
    await anne.getByText('Aangevraagd — nog zonder organisator').waitFor();
    const joost = await person('joost@plein.example');
    await joost.goto(url);
    await joost.getByRole('button', { name: 'Ik heb interesse' }).click();
    await joost.getByRole('button', { name: 'Toch geen interesse' }).waitFor();

    await expert.reload();
    await expert.getByRole('button', { name: 'Ik organiseer deze sessie' }).click();
    await expert.getByRole('button', { name: 'Inplannen' }).click();
    await expectAccessible(expert, 'scheduling form');
    const day = new Date(Date.now() + 3 * 86400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await expert.getByLabel('Datum en tijd').fill(`${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}T10:00`);
    await expert.getByLabel('Duur (minuten)').fill('60');
    await expert.getByLabel('Aantal plaatsen').fill('1');
    await expert.getByLabel(/Link naar de videosessie/).fill('https://meet.example/wmo');
    // The form's fields are styled like the rest of Plein (a border, not the browser's default).
    expect(await expert.getByLabel('Aantal plaatsen').evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe('2px');
    await screenshot(expert, 'schedule-form');
    await expert.getByRole('button', { name: 'Opslaan' }).click();
    await expert.getByText(/nog 1 plek vrij/).waitFor();

    // Anne is told on the bell and registers with one click there.
    await anne.goto('/meldingen');
    const notice = anne.locator('li.card', { hasText: 'is ingepland' }).first();
    await notice.getByRole('button', { name: 'Aanmelden' }).click();
    await notice.getByText('Je bent aangemeld.').waitFor();
    await expectAccessible(anne, 'notifications with Aanmelden');
    await anne.goto(url);
    await anne.getByText('Je bent aangemeld.').waitFor();
    expect(await anne.locator('.video-card').innerText()).not.toContain('Vol');

    // The organiser moves the session: Joost's notice (for the old time) registers nobody and says why.
    await expert.getByRole('button', { name: 'Wijzigen' }).click();
    await expert.getByLabel('Datum en tijd').fill(`${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}T15:00`);
    await expert.getByRole('button', { name: 'Opslaan' }).click();
    await expert.getByText(/15:00, 60 minuten/).waitFor();
    await joost.goto('/meldingen');
    const joostNotice = joost.locator('li.card', { hasText: 'is ingepland' }).first();
    await joostNotice.getByRole('button', { name: 'Aanmelden' }).click();
    await joostNotice.getByText(/Deze sessie is verplaatst sinds je bericht kreeg\. Je bent niet aangemeld/).waitFor();
    const session = await e.t.db.selectFrom('video_session').select('id').where('title', '=', 'Videosessie: Zullen we de Wmo-toegang samen doorlopen?').executeTakeFirstOrThrow();
    expect(await e.t.db.selectFrom('video_session_registration').select('id').where('session_id', '=', session.id).execute()).toHaveLength(1);
    // The mail's "Aanmelden" (for the time the mail told) opens a page with one button: Joost is waitlisted.
    const now = await e.t.db.selectFrom('video_session').select('starts_at').where('id', '=', session.id).executeTakeFirstOrThrow();
    await joost.goto(`/videosessies/${session.id}/aanmelden?startsAt=${encodeURIComponent(now.starts_at!.toISOString())}`);
    await joost.getByRole('heading', { level: 1, name: 'Aanmelden voor een videosessie' }).waitFor();
    await expectAccessible(joost, 'register from mail');
    await joost.locator('main').getByRole('button', { name: 'Aanmelden' }).click();
    await joost.getByText('Je staat op de wachtlijst (plaats 1).').waitFor();

    // Mijn videosessies: under "Ik organiseer"; the agenda lists it; the calendar feed works.
    await expert.goto('/videosessies');
    await expert.locator('section', { has: expert.getByRole('heading', { name: 'Ik organiseer' }) }).getByText('Videosessie: Zullen we de Wmo-toegang samen doorlopen?').waitFor();
    await expert.getByRole('button', { name: 'Agenda-adres maken' }).click();
    const feedUrl = await expert.getByLabel('Jouw agenda-adres (houd het voor jezelf)').inputValue();
    const feed = await fetch(feedUrl);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('Videosessie: Zullen we de Wmo-toegang samen doorlopen?');
    await expert.getByRole('button', { name: 'Nieuw adres maken' }).click();
    await expert.getByText('Je nieuwe agenda-adres staat klaar. Het oude adres werkt niet meer.').waitFor();
    expect((await fetch(feedUrl)).status).toBe(404);
    await expectAccessible(expert, 'my video sessions');

    await anne.goto('/agenda');
    const entry = anne.locator('.agenda li', { hasText: 'Zullen we de Wmo-toegang samen doorlopen?' });
    await entry.getByText('Je bent aangemeld.').waitFor();
    await expectAccessible(anne, 'agenda');
    await anne.getByRole('button', { name: 'Language: English' }).click();
    await anne.getByRole('heading', { level: 1, name: 'Agenda' }).waitFor();
    await entry.getByText('Organised by Marieke van Dalen').waitFor();
    await expectAccessible(anne, 'agenda (en)');
    await anne.goto('/videosessies');
    await anne.locator('section', { has: anne.getByRole('heading', { name: 'I am going or interested' }) }).getByText('You are registered').waitFor();
    await anne.getByRole('heading', { name: 'Video sessions in your own calendar' }).waitFor();
    await expectAccessible(anne, 'my video sessions (en)');

    // The attendee list is a real workbook.
    await expert.goto(url);
    const xlsx = await download(expert, () => expert.getByRole('link', { name: 'Deelnemerslijst (Excel)' }).click());
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK');

    // After the session: the summary is posted as the organiser's reply.
    await e.t.db.updateTable('video_session').set({ starts_at: new Date(Date.now() - 3 * 3600_000) }).where('id', '=', session.id).execute();
    await expert.reload();
    await expert.getByLabel('Samenvatting').fill('We liepen de toegang stap voor stap door.');
    await expert.getByLabel('Link naar de opname (niet verplicht)').fill('https://video.example/wmo');
    await expectAccessible(expert, 'summary form');
    await expert.getByRole('button', { name: 'Verslag plaatsen' }).click();
    await expert.getByRole('link', { name: 'Lees het verslag' }).waitFor();
    await anne.goto(url);
    await anne.locator('.post', { hasText: 'We liepen de toegang stap voor stap door.' }).getByText('Marieke van Dalen').first().waitFor();
    await anne.getByRole('link', { name: 'Watch the recording' }).waitFor();
  }, 180_000);
});
