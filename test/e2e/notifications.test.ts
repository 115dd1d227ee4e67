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

  it('a live notice is merged into a list grown with "Meer laden": older pages stay, a grouped notice moves to the top with its count, a new one goes on top', async () => {
    const db = e.t.db;
    const ilse = (await db.selectFrom('user').select('id').where('email', '=', 'ilse@plein.example').executeTakeFirstOrThrow()).id;
    const [grouped, fresh] = await db.selectFrom('thread').select(['id', 'title']).orderBy('id').limit(2).execute();
    await db.deleteFrom('notification').where('user_id', '=', ilse).execute();
    for (const th of [grouped, fresh]) await db.insertInto('subscription').values({ user_id: ilse, target_type: 'thread', target_id: th.id, level: 'watching' }).onConflict((oc) => oc.columns(['user_id', 'target_type', 'target_id']).doUpdateSet({ level: 'watching' })).execute();
    // 34 read notices, then (oldest, so on the second page) an open group of one reply on `grouped`.
    const hour = 3600_000;
    const old = Array.from({ length: 34 }, (_, i) => ({
      user_id: ilse, kind: 'new_thread', thread_id: fresh.id, data: JSON.stringify({ threadTitle: `Oude melding ${i + 1}` }), read_at: new Date(), created_at: new Date(Date.now() - (i + 1) * hour), updated_at: new Date(Date.now() - (i + 1) * hour),
    }));
    await db.insertInto('notification').values(old).execute();
    await db.insertInto('notification').values({ user_id: ilse, kind: 'reply', thread_id: grouped.id, data: JSON.stringify({ threadTitle: grouped.title, actorName: 'Anne Hoekstra' }), group_key: `replies:${grouped.id}`, created_at: new Date(Date.now() - 40 * hour), updated_at: new Date(Date.now() - 40 * hour) }).execute();

    const page = await person('ilse@plein.example');
    // The page's socket confirms the user topic before anything is pushed.
    const listening = new Promise<void>((resolve) =>
      page.on('websocket', (ws) => ws.on('framereceived', (f) => /"type":"subscribed".*"user:/.test(String(f.payload)) && resolve())),
    );
    await page.goto('/meldingen');
    const items = page.locator('.notification-list li');
    await expect.poll(() => items.count()).toBe(30);
    await page.getByRole('button', { name: 'Meer laden' }).click();
    await expect.poll(() => items.count()).toBe(35);
    await page.locator('.notification-list li.unread', { hasText: `Nieuwe reactie van Anne Hoekstra op "${grouped.title}"` }).waitFor();
    await listening;

    const sander = await person('sander@plein.example');
    const reply = (threadId: string, text: string) =>
      sander.evaluate(async ({ threadId, text }) => (await fetch(`/api/threads/${threadId}/replies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: `<p>${text}</p>` }) })).status, { threadId, text });
    const texts = () => items.allInnerTexts();

    // The group on the second page gets a second reply: it moves to the top, once, still unread; nothing is dropped.
    expect(await reply(grouped.id, 'Een tweede reactie in de groep.')).toBe(201);
    await expect.poll(async () => (await texts())[0], { timeout: 20_000 }).toContain(`2 nieuwe reacties op "${grouped.title}"`);
    expect(await items.count()).toBe(35);
    expect((await texts()).filter((t) => t.includes(grouped.title))).toHaveLength(1);
    expect(await items.first().getAttribute('class')).toContain('unread');
    expect((await texts())[34]).toContain('Oude melding 34');

    // A reply in another watched thread: a new notice on top, the grouped one second, the loaded pages still there.
    expect(await reply(fresh.id, 'Een reactie in een andere vraag.')).toBe(201);
    await expect.poll(async () => (await texts())[0], { timeout: 20_000 }).toContain(`Nieuwe reactie van Sander de Wit op "${fresh.title}"`);
    expect(await items.count()).toBe(36);
    expect((await texts())[1]).toContain(`2 nieuwe reacties op "${grouped.title}"`);
    expect((await texts())[35]).toContain('Oude melding 34');
    expect(await page.locator('.notification-list li.unread').count()).toBe(2);
    await expect.poll(async () => (await page.getByTestId('bell-count').textContent())?.trim()).toBe('2');
    // The merged list is what the server has (no duplicates, newest first).
    await page.reload();
    await expect.poll(() => items.count()).toBe(30);
    await page.getByRole('button', { name: 'Meer laden' }).click();
    await expect.poll(() => items.count()).toBe(36);
    expect((await texts())[0]).toContain(`Nieuwe reactie van Sander de Wit op "${fresh.title}"`);
    expect((await texts())[1]).toContain(`2 nieuwe reacties op "${grouped.title}"`);
  }, 120_000);

  it('a failed follow, mail choice or "Meer laden" says why next to the control, and trying again works', async () => {
    const page = await person('fatima@plein.example');
    const subscriptions = (url: URL) => url.pathname === '/api/subscriptions';
    const serverError = { status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'boom' } }) };

    // Follow: the server fails once; the button keeps its state and says why; the next click works.
    await page.goto('/c/jeugd');
    await page.locator('.thread-card h2 a').first().click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    const follow = page.getByRole('button', { name: /^(Abonneren|Volgend)$/ });
    await follow.waitFor();
    const before = (await follow.innerText()).trim();
    const after = before === 'Abonneren' ? 'Volgend' : 'Abonneren';
    await page.route(subscriptions, (route) => (route.request().method() === 'PUT' ? route.fulfill(serverError) : route.continue()));
    await follow.click();
    const followError = page.locator('.follow-buttons [role=alert]');
    await followError.waitFor();
    expect(await followError.innerText()).toBe('Er ging iets mis. Probeer het opnieuw.');
    expect((await follow.innerText()).trim()).toBe(before);
    await page.unroute(subscriptions);
    await follow.click();
    await page.getByRole('button', { name: after, exact: true }).waitFor();
    expect(await followError.count()).toBe(0);

    // The mail choice: offline, the stored choice stays checked and the reason shows; back online, choosing again saves.
    await page.goto('/instellingen');
    const never = page.getByLabel('Nooit');
    await never.waitFor();
    const stored = page.locator('input[name=emailFrequency]:checked');
    const storedValue = await stored.getAttribute('value');
    expect(storedValue).not.toBe('never');
    await page.context().setOffline(true);
    await never.check({ force: true }).catch(() => {}); // the page puts the stored choice back, which check() reports
    const mailFieldset = page.locator('fieldset', { hasText: 'E-mail over meldingen' });
    await mailFieldset.getByRole('alert').waitFor();
    expect(await mailFieldset.getByRole('alert').innerText()).toBe('Geen verbinding met Plein. Controleer je internetverbinding.');
    expect(await stored.getAttribute('value')).toBe(storedValue);
    await page.context().setOffline(false);
    await never.check();
    await mailFieldset.getByText('Opgeslagen.').waitFor();
    expect(await mailFieldset.getByRole('alert').count()).toBe(0);
    await page.reload();
    await page.getByLabel('Nooit').waitFor();
    expect(await page.getByLabel('Nooit').isChecked()).toBe(true);

    // "Meer laden" on the notifications page, offline, then again online.
    const db = e.t.db;
    const fatima = (await db.selectFrom('user').select('id').where('email', '=', 'fatima@plein.example').executeTakeFirstOrThrow()).id;
    const thread = await db.selectFrom('thread').select('id').orderBy('id').executeTakeFirstOrThrow();
    await db.deleteFrom('notification').where('user_id', '=', fatima).execute();
    await db
      .insertInto('notification')
      .values(Array.from({ length: 33 }, (_, i) => ({ user_id: fatima, kind: 'new_thread', thread_id: thread.id, data: JSON.stringify({ threadTitle: `Melding ${i + 1}` }), created_at: new Date(Date.now() - (i + 1) * 60_000), updated_at: new Date(Date.now() - (i + 1) * 60_000) })))
      .execute();
    await page.goto('/meldingen');
    const items = page.locator('.notification-list li');
    await expect.poll(() => items.count()).toBe(30);
    await page.context().setOffline(true);
    await page.getByRole('button', { name: 'Meer laden' }).click();
    const moreError = page.locator('main [role=alert]', { hasText: 'Geen verbinding met Plein' });
    await moreError.waitFor();
    await screenshot(page, 'notifications-more-failed');
    expect(await items.count()).toBe(30);
    await page.context().setOffline(false);
    await page.getByRole('button', { name: 'Meer laden' }).click();
    await expect.poll(() => items.count()).toBe(33);
    expect(await moreError.count()).toBe(0);
  }, 120_000);
});
