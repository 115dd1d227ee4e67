// Issue 19 in Chromium: the thread page professionals expect — the Vraag with its Toelichting, edit
// and delete with history, permalinks, unread replies, links as written, drafts that keep their quote
// and handouts, the best answer, "nuttig", the visitor's way in, and handout descriptions.
import type { Page } from 'playwright-core';
import { tokenFromMail } from '../support/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { pdf } from '../support/files';
import { type E2E, expectAccessible, login, pasteHtml, screenshot, startE2E } from './support/harness';
import { insertThread } from './support/threads';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

async function person(email: string) {
  const ctx = await e.context();
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e.baseUrl });
  const page = await ctx.newPage();
  await login(page, email, DEMO_PASSWORD);
  return page;
}

async function visitor() {
  const ctx = await e.context();
  return ctx.newPage();
}

const post = (page: Page, text: string) => page.locator('article.post', { hasText: text });

async function reply(page: Page, text: string) {
  await page.locator('#reply-editor').click();
  await page.keyboard.type(text);
  await page.getByRole('button', { name: 'Plaats reactie' }).click();
  await post(page, text).waitFor();
}

/** A question by the expert through the API, as the new-question form would send it. */
async function question(title: string, statement: string): Promise<string> {
  const expert = await e.t.db.selectFrom('user').select('id').where('email', '=', 'marieke@plein.example').executeTakeFirstOrThrow();
  const channel = await e.t.db.selectFrom('channel').select('id').where('slug', '=', 'landelijk').executeTakeFirstOrThrow();
  const thread = await e.t.db
    .insertInto('thread')
    .values({ channel_id: channel.id, author_id: expert.id, title, question: statement, kind: 'question' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const opening = await e.t.db
    .insertInto('post')
    .values({ thread_id: thread.id, author_id: expert.id, is_opening: true, body_html: '<p>Wij zoeken voorbeelden.</p>', body_text: 'Wij zoeken voorbeelden.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await e.t.db.updateTable('thread').set({ first_post_id: opening.id }).where('id', '=', thread.id).execute();
  return thread.id;
}

describe('the Vraag as the Landelijk channel shows it', () => {
  it('asks for the statement and the Toelichting, suggests the title, and shows "Vraag" as a quoted lead under a visible "Toelichting" heading', async () => {
    const marieke = await person('marieke@plein.example');
    await marieke.goto('/c/landelijk/nieuw');
    await marieke.getByLabel('Je vraag').fill('Hoe zorgen jullie dat inwoners na een melding binnen vijf dagen worden teruggebeld? Wij lopen daar vast.');
    expect(await marieke.getByLabel('Titel').inputValue()).toBe('Hoe zorgen jullie dat inwoners na een melding binnen vijf dagen worden teruggebeld?');
    await marieke.locator('#body').click();
    await marieke.keyboard.type('In onze gemeente duurt het nu soms drie weken.');
    await marieke.getByRole('button', { name: 'Plaats vraag' }).click();
    await marieke.getByRole('heading', { level: 1, name: /binnen vijf dagen/ }).waitFor();
    await marieke.getByRole('heading', { level: 2, name: 'Vraag' }).waitFor();
    expect(await marieke.locator('blockquote.question-lead').innerText()).toContain('Wij lopen daar vast.');
    expect(await marieke.getByRole('heading', { level: 2, name: 'Toelichting' }).isVisible()).toBe(true);
    expect(await marieke.locator('.toelichting .post-body').innerText()).toContain('drie weken');
    await expectAccessible(marieke, 'thread-vraag');
    await screenshot(marieke, 'thread-vraag');

    // The asker sharpens the statement: the lead changes, "bewerkt" appears, the old one is in the history.
    await marieke.locator('section.toelichting > .post-actions').getByRole('button', { name: 'Bewerken' }).click();
    await marieke.getByRole('textbox', { name: 'Vraag', exact: true }).fill('Hoe bellen jullie inwoners binnen vijf werkdagen terug?');
    await marieke.getByRole('button', { name: 'Opslaan' }).click();
    await expect.poll(() => marieke.locator('blockquote.question-lead').innerText()).toBe('Hoe bellen jullie inwoners binnen vijf werkdagen terug?');
    await marieke.locator('.thread-head time.edited').waitFor();
    await marieke.locator('section.toelichting').getByText('Bewerkingen bekijken').click();
    await marieke.locator('section.toelichting .revisions').getByText(/Wij lopen daar vast/).waitFor();
    await marieke.getByRole('button', { name: 'Language: English' }).click();
    await marieke.getByRole('heading', { level: 2, name: 'Question' }).waitFor();
    await marieke.getByRole('heading', { level: 2, name: 'Details' }).waitFor();
    await expectAccessible(marieke, 'thread-vraag-en');
  }, 120_000);
});

describe('answering, thanking and editing', () => {
  it('an answer is followed at once, chosen as best answer, found useful live, edited with a visible history, and a deleted quoted reply leaves a notice', async () => {
    const threadId = await question('Terugbellen binnen vijf dagen', 'Hoe halen jullie de termijn van vijf dagen?');
    const anne = await person('anne@plein.example');
    await anne.goto(`/t/${threadId}`);
    await anne.locator('.thread-tools').getByRole('button', { name: 'Abonneren' }).waitFor();
    await reply(anne, 'Wij werken met een vast belteam dat elke ochtend de nieuwe meldingen verdeelt.');
    // Replying makes you follow: the button says so without a reload.
    await anne.locator('.thread-tools').getByRole('button', { name: 'Volgend' }).waitFor();

    // The asker chooses it as the best answer.
    const marieke = await person('marieke@plein.example');
    await marieke.goto(`/t/${threadId}`);
    await post(marieke, 'vast belteam').getByRole('button', { name: 'Kies als beste antwoord' }).click();
    await marieke.getByRole('heading', { name: 'Beste antwoord van Anne Hoekstra' }).waitFor();
    await anne.getByRole('heading', { name: 'Beste antwoord van Anne Hoekstra' }).waitFor();
    await marieke.goto('/c/landelijk');
    await marieke.locator('.thread-card', { hasText: 'Terugbellen binnen vijf dagen' }).getByText('Beantwoord').waitFor();

    // A colleague finds it useful: the count reaches the author live; one's own post has no button.
    const sander = await person('sander@plein.example');
    await sander.goto(`/t/${threadId}`);
    await post(sander, 'vast belteam').getByRole('button', { name: 'Nuttig' }).click();
    await post(sander, 'vast belteam').getByText('1 collega vindt dit nuttig').waitFor();
    expect(await post(sander, 'vast belteam').getByRole('button', { name: 'Nuttig' }).getAttribute('aria-pressed')).toBe('true');
    await post(anne, 'vast belteam').getByText('1 collega vindt dit nuttig').waitFor();
    expect(await post(anne, 'vast belteam').getByRole('button', { name: 'Nuttig' }).count()).toBe(0);

    // The author edits: "bewerkt" with the time, and everyone can read the earlier version.
    await post(anne, 'vast belteam').getByRole('button', { name: 'Bewerken' }).click();
    const editor = anne.locator('[id^="edit-"][id$="-body"]');
    await editor.click();
    await anne.keyboard.press('End');
    await anne.keyboard.type(' Dat scheelt veel.');
    await anne.getByRole('button', { name: 'Opslaan' }).click();
    await post(anne, 'Dat scheelt veel.').locator('time.edited').waitFor();
    expect(await post(anne, 'Dat scheelt veel.').locator('time.edited').innerText()).toMatch(/^bewerkt \d+ december 2026/);
    await post(sander, 'Dat scheelt veel.').waitFor();
    await sander.reload();
    await post(sander, 'Dat scheelt veel.').getByText('Bewerkingen bekijken').click();
    const earlier = post(sander, 'Dat scheelt veel.').locator('.revisions li');
    await earlier.first().waitFor();
    expect(await earlier.first().innerText()).toContain('elke ochtend de nieuwe meldingen verdeelt.');
    expect(await earlier.first().innerText()).not.toContain('Dat scheelt veel.');
    await expectAccessible(sander, 'thread-answered');
    await screenshot(sander, 'thread-answered');

    // A reply that someone quoted is deleted: the quote says so.
    await reply(anne, 'Aanvulling: het belteam heeft ook een terugbelgarantie.');
    await sander.reload();
    await post(sander, 'terugbelgarantie').getByRole('button', { name: 'Citeer' }).click();
    await sander.locator('#reply-editor').click();
    await sander.keyboard.type('Hoe communiceren jullie die garantie?');
    await sander.getByRole('button', { name: 'Plaats reactie' }).click();
    await post(sander, 'Hoe communiceren jullie die garantie?').locator('blockquote.quoted').waitFor();
    anne.once('dialog', (d) => void d.accept());
    await anne.reload();
    await post(anne, 'terugbelgarantie').getByRole('button', { name: 'Verwijderen' }).click();
    await post(anne, 'Hoe communiceren jullie die garantie?').getByText('Dit bericht is verwijderd').waitFor();
    await post(sander, 'Hoe communiceren jullie die garantie?').getByText('Dit bericht is verwijderd').waitFor();

    // A moderator may edit too.
    const youssef = await person('youssef@plein.example');
    await youssef.goto(`/t/${threadId}`);
    await post(youssef, 'Hoe communiceren').getByRole('button', { name: 'Bewerken' }).waitFor();
    await post(youssef, 'Hoe communiceren').getByRole('button', { name: 'Verwijderen' }).waitFor();
    // And a member not the author may not.
    expect(await post(anne, 'Hoe communiceren').getByRole('button', { name: 'Bewerken' }).count()).toBe(0);

    // In English too.
    await sander.getByRole('button', { name: 'Language: English' }).click();
    await sander.getByRole('heading', { name: 'Best answer by Anne Hoekstra' }).waitFor();
    await post(sander, 'Dat scheelt veel.').getByText('1 colleague finds this useful').waitFor();
    await post(sander, 'Dat scheelt veel.').getByText('Chosen as the best answer').waitFor();
    await post(sander, 'Hoe communiceren jullie die garantie?').getByText('This post has been deleted').waitFor();
    expect(await post(sander, 'Dat scheelt veel.').locator('time.edited').innerText()).toMatch(/^edited \d+ December 2026/);
    await expectAccessible(sander, 'thread-answered-en');
  }, 120_000);
});

describe('permalinks', () => {
  it('opens /t/:id#post-:postId at a reply on a later page: scrolled to, highlighted and focused; /p/:postId redirects there; "Link kopiëren" copies it', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `Ervaring nummer ${i + 1} met de wachtlijst.`);
    const { id, replyIds } = await insertThread(e.t.db, { authorEmail: 'anne@plein.example', channelSlug: 'wmo', title: 'Lange draad over wachtlijsten', opening: 'Wie herkent dit?', replies: texts });
    const target = replyIds[64];
    const page = await visitor();
    await page.goto(`/t/${id}#post-${target}`);
    const article = page.locator(`#post-${target}`);
    await article.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`post-${target}`);
    expect(await article.getAttribute('class')).toContain('post-target');
    expect(await article.innerText()).toContain('Ervaring nummer 65 met');
    expect(await article.isVisible()).toBe(true);

    await page.goto(`/p/${replyIds[10]}`);
    await page.locator(`#post-${replyIds[10]}`).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/t/${id}/lange-draad-over-wachtlijsten`);
    expect(new URL(page.url()).hash).toBe(`#post-${replyIds[10]}`);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`post-${replyIds[10]}`);

    const sander = await person('sander@plein.example');
    await sander.goto(`/t/${id}`);
    await post(sander, 'Ervaring nummer 3 met').getByRole('button', { name: 'Link kopiëren' }).click();
    await post(sander, 'Ervaring nummer 3 met').getByText('Link gekopieerd').waitFor();
    expect(await sander.evaluate(() => navigator.clipboard.readText())).toBe(`${e.baseUrl}/t/${id}/lange-draad-over-wachtlijsten#post-${replyIds[2]}`);
  });

  it('shows a visitor the thread with the placeholder at a hidden post, and the 404 page for a deleted or unknown one', async () => {
    const { id, replyIds } = await insertThread(e.t.db, { authorEmail: 'sander@plein.example', channelSlug: 'jeugd', title: 'Permalinks naar verborgen reacties', opening: 'Opening', replies: ['Zichtbaar', 'Met een naam erin', 'Later verwijderd'] });
    const mod = await e.t.db.selectFrom('user').select('id').where('email', '=', 'youssef@plein.example').executeTakeFirstOrThrow();
    await e.t.db.updateTable('post').set({ hidden_at: new Date(), last_hidden_at: new Date(), hidden_by: mod.id, hidden_reason: 'Naam van een cliënt' }).where('id', '=', replyIds[1]).execute();
    await e.t.db.updateTable('post').set({ deleted_at: new Date() }).where('id', '=', replyIds[2]).execute();
    const page = await visitor();
    await page.goto(`/p/${replyIds[1]}`);
    const hidden = page.locator(`#post-${replyIds[1]}`);
    await hidden.getByText('Verborgen door een moderator').waitFor();
    expect(await hidden.innerText()).not.toContain('Met een naam erin');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`post-${replyIds[1]}`);

    await page.goto(`/p/${replyIds[2]}`);
    await page.getByRole('heading', { level: 1, name: 'Pagina niet gevonden' }).waitFor();
    await page.goto('/p/987654321');
    await page.getByRole('heading', { level: 1, name: 'Pagina niet gevonden' }).waitFor();
    await page.goto(`/t/${id}#post-${replyIds[2]}`);
    await page.getByRole('heading', { level: 1, name: 'Pagina niet gevonden' }).waitFor();
    await expectAccessible(page, 'permalink-not-found');
  }, 120_000);
});

describe('unread', () => {
  it('remembers what a member read: the channel list counts new replies, the divider and "Ga naar eerste ongelezen" lead to them', async () => {
    const { id } = await insertThread(e.t.db, { authorEmail: 'anne@plein.example', channelSlug: 'participatie', title: 'Ongelezen reacties volgen', opening: 'Begin', replies: ['Eerste reactie', 'Tweede reactie'] });
    const fatima = await person('fatima@plein.example');
    await fatima.goto(`/t/${id}`);
    await post(fatima, 'Tweede reactie').waitFor();
    await expect.poll(async () => (await e.t.db.selectFrom('thread_read').select('last_read_post_id').where('thread_id', '=', id).execute()).length).toBe(1);
    // She leaves; what comes in now is new to her.
    await fatima.goto('/');

    const anne = await person('anne@plein.example');
    await anne.goto(`/t/${id}`);
    await reply(anne, 'Derde reactie, nieuw voor Fatima');
    await reply(anne, 'Vierde reactie, ook nieuw');

    await fatima.goto('/c/participatie');
    await fatima.locator('.thread-card', { hasText: 'Ongelezen reacties volgen' }).getByText('2 nieuwe reacties').waitFor();
    await fatima.locator('.thread-card', { hasText: 'Ongelezen reacties volgen' }).getByRole('link').first().click();
    await fatima.getByText('Nieuw sinds je laatste bezoek').waitFor();
    const order = await fatima.locator('.post-list > li').allInnerTexts();
    const divider = order.findIndex((text) => text.includes('Nieuw sinds je laatste bezoek'));
    expect(order[divider]).toContain('Derde reactie');
    await fatima.getByRole('link', { name: 'Ga naar eerste ongelezen' }).click();
    await expect.poll(() => fatima.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Derde reactie');
    await expectAccessible(fatima, 'thread-unread');
    await fatima.getByRole('button', { name: 'Language: English' }).click();
    await fatima.getByText('New since your last visit').waitFor();
    await fatima.getByRole('link', { name: 'Go to first unread' }).waitFor();
  }, 120_000);
});

describe('links stay as written', () => {
  const word = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word"><body><!--StartFragment--><p class=MsoNormal>Zie <a href="https://www.utrecht.nl/zorg-en-onderwijs/"><span style='color:#0563C1;mso-themecolor:hyperlink'>utrecht.nl</span></a> voor de aanpak.<o:p></o:p></p><!--EndFragment--></body></html>`;

  it('keeps the href of a link pasted from Word, of a link set on typed text, and links a typed bare URL', async () => {
    const { id } = await insertThread(e.t.db, { authorEmail: 'sander@plein.example', channelSlug: 'wmo', title: 'Links in reacties', opening: 'Deel je links' });
    const anne = await person('anne@plein.example');
    await anne.goto(`/t/${id}`);
    await pasteHtml(anne, '#reply-editor', word, 'Zie utrecht.nl voor de aanpak.');
    await anne.keyboard.type(' En verder.');
    await anne.getByRole('button', { name: 'Plaats reactie' }).click();
    const pasted = post(anne, 'voor de aanpak').locator('a', { hasText: 'utrecht.nl' });
    await pasted.waitFor();
    expect(await pasted.getAttribute('href')).toBe('https://www.utrecht.nl/zorg-en-onderwijs/');

    // Typed: the text, then the link tool with the full address, then more typing after it.
    await anne.locator('#reply-editor').click();
    await anne.keyboard.type('Lees utrecht.nl');
    for (let i = 0; i < 'utrecht.nl'.length; i++) await anne.keyboard.press('Shift+ArrowLeft');
    anne.once('dialog', (d) => void d.accept('https://www.utrecht.nl/zorg-en-onderwijs/'));
    await anne.locator('.reply-form').getByRole('button', { name: 'Link', exact: true }).click();
    await anne.keyboard.press('End');
    await anne.keyboard.type(' en https://www.rijksoverheid.nl/onderwerpen/wmo dan weet je meer.');
    await anne.getByRole('button', { name: 'Plaats reactie' }).click();
    const typed = post(anne, 'dan weet je meer');
    await typed.waitFor();
    expect(await typed.locator('a', { hasText: 'utrecht.nl' }).getAttribute('href')).toBe('https://www.utrecht.nl/zorg-en-onderwijs/');
    expect(await typed.locator('a', { hasText: 'rijksoverheid' }).getAttribute('href')).toBe('https://www.rijksoverheid.nl/onderwerpen/wmo');

    // An @mention links to the profile.
    const sander = await e.t.db.selectFrom('user').select('id').where('email', '=', 'sander@plein.example').executeTakeFirstOrThrow();
    await anne.locator('#reply-editor').click();
    await anne.keyboard.type('Dank je @Sander de Wit');
    await anne.keyboard.press('Escape');
    await anne.keyboard.type(', goed punt.');
    await anne.getByRole('button', { name: 'Plaats reactie' }).click();
    const mention = post(anne, 'goed punt').locator('a', { hasText: '@Sander de Wit' });
    await mention.waitFor();
    expect(await mention.getAttribute('href')).toBe(`/u/${sander.id}`);
    await mention.click();
    await anne.getByRole('heading', { level: 1, name: 'Sander de Wit' }).waitFor();
    await anne.getByRole('heading', { name: 'Bijdragen' }).waitFor();
    await expectAccessible(anne, 'profile-contributions');
  }, 120_000);
});

describe('drafts, handouts and photos', () => {
  it('keeps a draft’s quote and handouts over a reload; a handout reads "Bijlage: <naam> — <beschrijving>"; photos say whose they are', async () => {
    const { id } = await insertThread(e.t.db, { authorEmail: 'sander@plein.example', channelSlug: 'armoede-en-schulden', title: 'Concepten bewaren', opening: 'Begin', replies: ['Een reactie om te citeren'] });
    const ilse = await person('ilse@plein.example');
    await ilse.goto(`/t/${id}`);
    await post(ilse, 'Een reactie om te citeren').getByRole('button', { name: 'Citeer' }).click();
    await ilse.locator('#reply-editor').click();
    await ilse.keyboard.type('Mijn antwoord, nog niet af.');
    await ilse.locator('.attachment-picker input[type=file]').setInputFiles({ name: 'stappenplan.pdf', mimeType: 'application/pdf', buffer: pdf('Stappenplan') });
    const describe = ilse.getByLabel('Beschrijving van stappenplan.pdf');
    await describe.fill('Stappenplan voor de eerste afspraak');
    await describe.blur();
    await expect.poll(async () => (await e.t.db.selectFrom('attachment').select('description').where('filename', '=', 'stappenplan.pdf').executeTakeFirst())?.description).toBe('Stappenplan voor de eerste afspraak');

    await ilse.reload();
    await ilse.getByText('Je citeert een reactie.').waitFor();
    await ilse.locator('.upload-list li', { hasText: 'stappenplan.pdf' }).waitFor();
    expect(await ilse.locator('#reply-editor').innerText()).toContain('Mijn antwoord, nog niet af.');
    await ilse.getByRole('button', { name: 'Plaats reactie' }).click();
    const mine = post(ilse, 'Mijn antwoord, nog niet af.');
    await mine.locator('blockquote.quoted').waitFor();
    expect(await mine.locator('.attachments li').innerText()).toMatch(/Bijlage: stappenplan\.pdf.*— Stappenplan voor de eerste afspraak/s);
    expect(await mine.getByRole('img', { name: 'Profielfoto van Ilse Brouwer' }).count()).toBe(1);
    await expectAccessible(ilse, 'thread-handout');
  }, 120_000);
});

describe('the visitor', () => {
  it('is asked to log in or create an account, and comes back through sign-up; "Abonneren" asks to log in and then subscribes', async () => {
    const { id } = await insertThread(e.t.db, { authorEmail: 'joost@plein.example', channelSlug: 'jeugd', title: 'Voor bezoekers', opening: 'Lees mee' });
    const page = await visitor();
    await page.goto(`/t/${id}`);
    await page.getByRole('heading', { name: 'Log in of maak een account om te reageren' }).waitFor();
    await expectAccessible(page, 'thread-visitor');
    await page.locator('.login-to-reply').getByRole('link', { name: 'Account maken' }).click();
    const email = `nina-${Date.now()}@example.nl`;
    await page.getByLabel('Naam').fill('Nina Nieuw');
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill('een lang wachtwoord');
    await page.locator('form').getByRole('button', { name: 'Account maken' }).click();
    await page.getByRole('heading', { name: 'Kijk in je mail' }).waitFor();
    // The link from the mail (test/e2e/account-trust.test.ts follows it through the dev outbox page) leads back to the thread.
    await page.goto(`/e-mail-bevestigen?token=${await tokenFromMail(e.t, email, 'e-mail-bevestigen')}`);
    await page.waitForURL((url) => url.pathname === `/t/${id}`);
    await page.getByRole('heading', { name: 'Jouw reactie' }).waitFor();

    const other = await visitor();
    await other.goto(`/t/${id}`);
    await other.locator('.thread-tools').getByRole('link', { name: 'Abonneren' }).click();
    await other.waitForURL((url) => url.pathname === '/inloggen');
    await other.getByLabel('E-mailadres').fill('fatima@plein.example');
    await other.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
    await other.locator('form').getByRole('button', { name: 'Inloggen' }).click();
    await other.waitForURL((url) => url.pathname === `/t/${id}`);
    await other.locator('.thread-tools').getByRole('button', { name: 'Volgend' }).waitFor();
    const fatima = await e.t.db.selectFrom('user').select('id').where('email', '=', 'fatima@plein.example').executeTakeFirstOrThrow();
    const sub = await e.t.db.selectFrom('subscription').select('level').where('user_id', '=', fatima.id).where('target_type', '=', 'thread').where('target_id', '=', id).executeTakeFirst();
    expect(sub?.level).toBe('watching');
  }, 120_000);
});
