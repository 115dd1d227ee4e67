// The notifications feature in Chromium: follow a thread, see the bell and the page update live when a
// colleague replies, mark everything read and watch the bell clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { type E2E, login, screenshot, startE2E } from './support/harness';

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

describe('notifications in the browser', () => {
  it('follow a thread; a reply raises the bell and appears on the open notifications page; "Alles gelezen" clears the bell', async () => {
    const anne = await person('anne@plein.example');
    await anne.goto('/c/participatie');
    await anne.locator('.thread-card h2 a').last().click();
    await anne.getByRole('heading', { level: 1 }).waitFor();
    const threadUrl = anne.url();
    const title = (await anne.getByRole('heading', { level: 1 }).innerText()).trim();
    const follow = anne.getByRole('button', { name: /^(Abonneren|Volgend)$/ });
    await follow.waitFor();
    if ((await follow.innerText()).trim() === 'Abonneren') await follow.click();
    await anne.getByRole('button', { name: 'Volgend' }).waitFor();

    // Start from a clean slate, then keep the notifications page open.
    await anne.goto('/meldingen');
    await anne.getByRole('heading', { level: 1, name: 'Meldingen' }).waitFor();
    const allRead = anne.getByRole('button', { name: 'Alles gelezen' });
    if (await allRead.count()) await allRead.click();
    const bell = anne.getByTestId('bell-count');
    await expect.poll(() => bell.count(), { timeout: 15_000 }).toBe(0);

    const sander = await person('sander@plein.example');
    await sander.goto(threadUrl);
    await sander.locator('#reply-editor').click();
    await sander.keyboard.type('Wij werken met een vaste contactpersoon per gezin.');
    await sander.getByRole('button', { name: 'Plaats reactie' }).click();
    await sander.locator('.post', { hasText: 'vaste contactpersoon per gezin' }).waitFor();

    // Live: the bell shows 1 and the open page lists the notice, without a reload.
    await expect.poll(async () => ((await bell.count()) ? (await bell.textContent())?.trim() : '0'), { timeout: 20_000 }).toBe('1');
    await anne.locator('.notification-list li.unread', { hasText: `Nieuwe reactie van Sander de Wit op "${title}"` }).waitFor({ timeout: 20_000 });
    await screenshot(anne, 'notifications-page');

    // The list speaks the reader's language: the line is made in the browser from the notice's kind,
    // count and data (not the server's Dutch sentence), and a second reply groups into a count.
    await anne.getByRole('button', { name: 'Language: English' }).click();
    await anne.locator('.notification-list li.unread', { hasText: `New reply from Sander de Wit on "${title}"` }).waitFor();
    expect(await anne.locator('.notification-list').innerText()).not.toContain('Nieuwe reactie');
    await sander.locator('#reply-editor').click();
    await sander.keyboard.type('En een tweede gedachte daarover.');
    await sander.getByRole('button', { name: 'Plaats reactie' }).click();
    await anne.locator('.notification-list li.unread', { hasText: `2 new replies on "${title}"` }).waitFor({ timeout: 20_000 });
    await anne.getByRole('button', { name: 'Taal: Nederlands' }).click();
    await anne.locator('.notification-list li.unread', { hasText: `2 nieuwe reacties op "${title}"` }).waitFor();

    await anne.getByRole('button', { name: 'Alles gelezen' }).click();
    await expect.poll(() => bell.count(), { timeout: 15_000 }).toBe(0);
    expect(await anne.locator('.notification-list li.unread').count()).toBe(0);

    // Muting the thread: stays muted after a reload (posting would not undo it either).
    await anne.goto(threadUrl);
    await anne.getByRole('button', { name: 'Dempen' }).click();
    await anne.getByRole('button', { name: 'Niet meer dempen' }).waitFor();
    await anne.reload();
    await anne.getByRole('button', { name: 'Niet meer dempen' }).waitFor();
    const threadId = /\/t\/(\d+)/.exec(threadUrl)![1];
    const annesId = (await e.t.db.selectFrom('user').select('id').where('email', '=', 'anne@plein.example').executeTakeFirstOrThrow()).id;
    const sub = await e.t.db.selectFrom('subscription').select('level').where('user_id', '=', annesId).where('target_type', '=', 'thread').where('target_id', '=', threadId).executeTakeFirstOrThrow();
    expect(sub.level).toBe('muted');
  }, 120_000);
});
