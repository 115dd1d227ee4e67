// Moderation in Chromium: the inline tools on a thread, the reason dialog, live hiding for a
// member, the Moderatie page's audit log, and that the page is for moderators only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amsterdamInputToIso, isoToAmsterdamInput } from '../../client/src/features/video-sessions/amsterdam-time';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { type E2E, expectAccessible, login, startE2E } from './support/harness';
import { insertThread } from './support/threads';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

async function person(email: string, timezoneId?: string) {
  const ctx = await e.context({ timezoneId });
  const page = await ctx.newPage();
  await login(page, email, DEMO_PASSWORD);
  return page;
}

describe('moderation tools', () => {
  it('a moderator hides a reply with a reason from the thread; a member sees it go live; the audit log shows it', async () => {
    const joost = await person('joost@plein.example');
    await joost.goto('/c/wmo');
    await joost.locator('.thread-card h2 a').first().click();
    await joost.getByRole('heading', { level: 1 }).waitFor();
    const url = joost.url();
    await joost.locator('#reply-editor').click();
    await joost.keyboard.type('Koop nu goedkope zorgverzekeringen via mijn website.');
    await joost.getByRole('button', { name: 'Plaats reactie' }).click();
    await joost.locator('.post', { hasText: 'goedkope zorgverzekeringen' }).waitFor();

    const sander = await person('sander@plein.example');
    await sander.goto(url);
    const postId = await sander.locator('.post', { hasText: 'goedkope zorgverzekeringen' }).getAttribute('id');
    const seen = sander.locator(`#${postId}`);
    await seen.waitFor();
    // Members get no moderator menu.
    expect(await seen.getByRole('button', { name: 'Verbergen' }).count()).toBe(0);
    expect(await sander.getByRole('group', { name: 'Moderatie' }).count()).toBe(0);

    const mod = await person('youssef@plein.example');
    await mod.goto(url);
    const target = mod.locator(`#${postId}`);
    await target.getByRole('button', { name: 'Verbergen' }).click();
    // The reason is required: an empty dialog is refused in the browser.
    await target.getByRole('button', { name: 'Bevestigen' }).click();
    await target.getByText('Dit veld is verplicht.').waitFor();
    // The field keeps its id while the form re-renders (the error, typing): the label stays its label.
    const reasonId = await target.getByLabel('Reden').getAttribute('id');
    await target.getByLabel('Reden').fill('Reclame');
    expect(await target.locator('.reason-form input').getAttribute('id')).toBe(reasonId);
    expect(await target.locator('.reason-form label').getAttribute('for')).toBe(reasonId);
    await target.getByRole('button', { name: 'Bevestigen' }).click();
    // The moderator still sees the content, with the notice.
    await target.getByText('Verborgen door een moderator').waitFor();
    await target.getByText('goedkope zorgverzekeringen').waitFor();

    // Sander's open page: hidden without a reload, content gone.
    await seen.getByText('Verborgen door een moderator').waitFor();
    expect(await seen.innerText()).not.toContain('zorgverzekeringen');

    // The Moderatie page: the log has the hide with its reason, filterable by action.
    await mod.goto('/moderatie');
    await mod.getByRole('heading', { name: 'Logboek' }).waitFor();
    await mod.getByLabel('Actie', { exact: true }).selectOption('hide');
    const row = mod.locator('table.audit tbody tr', { hasText: 'Reclame' }).first();
    await row.waitFor();
    expect(await row.innerText()).toContain('Verborgen');
    await expectAccessible(mod, 'moderation page');

    // Members are not let in.
    await sander.goto('/moderatie');
    await sander.getByText('Je hebt geen toestemming om dit te doen.').waitFor();
    expect(await sander.getByRole('link', { name: 'Moderatie' }).count()).toBe(0);
  });

  it('a moderator pins and moves a thread with the inline tools; a member watching the old channel sees it leave', async () => {
    const mod = await person('youssef@plein.example');
    await mod.goto('/c/participatie');
    await mod.locator('.thread-card h2 a').first().click();
    const title = await mod.getByRole('heading', { level: 1 }).innerText();
    const watcher = await person('anne@plein.example');
    await watcher.goto('/c/participatie');
    const card = watcher.locator('.thread-card h2 a', { hasText: title });
    await card.waitFor();
    const tools = mod.getByRole('group', { name: 'Moderatie' });
    await tools.getByRole('button', { name: 'Vastzetten' }).click();
    await tools.getByRole('button', { name: 'Losmaken' }).waitFor();
    await tools.getByRole('button', { name: 'Verplaatsen' }).click();
    await tools.getByLabel('Naar kanaal').selectOption('jeugd');
    await tools.getByLabel('Reden (niet verplicht)').fill('Gaat over jongeren');
    await tools.getByRole('button', { name: 'Bevestigen' }).click();
    await mod.locator('.breadcrumbs a', { hasText: 'Jeugd' }).waitFor();
    await expect.poll(() => card.count()).toBe(0);
    await mod.goto('/c/jeugd');
    // Pinned threads come first in their (new) channel.
    await expect.poll(() => mod.locator('.thread-card h2 a').first().innerText()).toBe(title);
  });

  it('a moderator hides a reply loaded with "Meer laden" and pins the thread: the loaded replies stay', async () => {
    const thread = await insertThread(e.t.db, {
      authorEmail: 'anne@plein.example',
      channelSlug: 'wmo',
      title: 'Lange draad over keukentafelgesprekken',
      opening: 'Hoe bereiden jullie ze voor?',
      replies: Array.from({ length: 60 }, (_, i) => `Gesprek ${i + 1}`),
    });

    const mod = await person('youssef@plein.example');
    await mod.goto(`/t/${thread.id}/lange-draad`);
    const bodies = mod.locator('ol.post-list article.post .post-body');
    await expect.poll(() => bodies.count()).toBe(50);
    await mod.getByRole('button', { name: 'Meer laden' }).click();
    await expect.poll(() => bodies.count()).toBe(60);

    const target = mod.locator('article.post', { hasText: 'Gesprek 55' });
    await target.getByRole('button', { name: 'Verbergen' }).click();
    await target.getByLabel('Reden').fill('Dubbel');
    await Promise.all([mod.waitForResponse((r) => r.url().endsWith('/hide') && r.request().method() === 'POST'), target.getByRole('button', { name: 'Bevestigen' }).click()]);
    await target.getByText('Verborgen door een moderator').waitFor();

    const tools = mod.getByRole('group', { name: 'Moderatie' });
    await Promise.all([mod.waitForResponse((r) => r.url().endsWith('/pin') && r.request().method() === 'POST'), tools.getByRole('button', { name: 'Vastzetten' }).click()]);
    await tools.getByRole('button', { name: 'Losmaken' }).waitFor();

    // Both actions applied in place: the second page is still there, the hidden reply with its notice and text.
    expect(await bodies.count()).toBe(60);
    expect(await target.innerText()).toContain('Verborgen door een moderator');
    expect(await target.innerText()).toContain('Gesprek 55');
    await mod.locator('article.post', { hasText: 'Gesprek 60' }).waitFor();
  });

  it('a failed "Weer tonen" says why next to the button (offline, not allowed, no longer hidden), and a retry that works clears it', async () => {
    const { t } = e;
    const modUser = await t.db.selectFrom('user').select(['id', 'role']).where('email', '=', 'youssef@plein.example').executeTakeFirstOrThrow();
    const thread = await insertThread(t.db, { authorEmail: 'joost@plein.example', channelSlug: 'jeugd', title: 'Weer tonen na een fout', opening: 'Een vraag.', replies: ['Een nuttig antwoord.'] });
    const [replyId] = thread.replyIds;
    const hide = { hidden_at: new Date(), hidden_by: modUser.id, hidden_reason: 'Te snel verborgen' };
    await t.db.updateTable('post').set(hide).where('id', '=', replyId).execute();

    const mod = await person('youssef@plein.example');
    await mod.goto(`/t/${thread.id}`);
    const target = mod.locator(`#post-${replyId}`);
    await target.getByText('Verborgen door een moderator').waitFor();
    const unhide = target.getByRole('button', { name: 'Weer tonen' });
    const alert = target.getByRole('alert');
    const click = () => Promise.all([mod.waitForResponse((r) => r.url().endsWith('/unhide')).catch(() => null), unhide.click()]);

    // Offline.
    await mod.route('**/unhide', (route) => route.abort('internetdisconnected'));
    await unhide.click();
    await expect.poll(() => alert.textContent()).toBe('Geen verbinding met Plein. Controleer je internetverbinding.');
    await mod.unroute('**/unhide');

    // No longer a moderator (403).
    await t.db.updateTable('user').set({ role: 'member' }).where('id', '=', modUser.id).execute();
    try {
      await click();
      await expect.poll(() => alert.textContent()).toBe('Je hebt geen toestemming om dit te doen.');
    } finally {
      await t.db.updateTable('user').set({ role: modUser.role }).where('id', '=', modUser.id).execute();
    }

    // Shown by someone else in the meantime (409 not_hidden; no event reached this page).
    await t.db.updateTable('post').set({ hidden_at: null, hidden_by: null, hidden_reason: null }).where('id', '=', replyId).execute();
    await click();
    await expect.poll(() => alert.textContent()).toBe('Dit bericht is niet verborgen.');

    // Hidden again: now it works, the error goes and the notice with it.
    await t.db.updateTable('post').set(hide).where('id', '=', replyId).execute();
    await click();
    await expect.poll(() => target.getByText('Verborgen door een moderator').count()).toBe(0);
    expect(await alert.count()).toBe(0);
    await target.getByText('Een nuttig antwoord.').waitFor();
  });

  it('the audit log\'s "Meer laden" says why when it fails and keeps the rows; a retry adds the next page', async () => {
    const { t } = e;
    const modUser = await t.db.selectFrom('user').select('id').where('email', '=', 'youssef@plein.example').executeTakeFirstOrThrow();
    await t.db
      .insertInto('moderation_action')
      .values(Array.from({ length: 60 }, (_, i) => ({ actor_id: modUser.id, action: 'hide', target_type: 'post', target_id: '987654', reason: `Opruimen ${i + 1}`, data: '{}' })))
      .execute();

    const mod = await person('youssef@plein.example');
    await mod.goto('/moderatie');
    await mod.getByLabel('Nummer', { exact: true }).fill('987654');
    const rows = mod.locator('table.audit tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    const more = mod.getByRole('button', { name: 'Meer laden' });

    await mod.route('**/api/mod/audit-log?*cursor=*', (route) => route.abort('internetdisconnected'));
    await more.click();
    const alert = mod.locator('section[aria-labelledby="audit-title"]').getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('Geen verbinding met Plein. Controleer je internetverbinding.');
    expect(await rows.count()).toBe(50);
    await mod.unroute('**/api/mod/audit-log?*cursor=*');

    await more.click();
    await expect.poll(() => rows.count()).toBe(60);
    expect(await more.count()).toBe(0);
    expect(await alert.count()).toBe(0);
    await mod.getByRole('cell', { name: 'Opruimen 1', exact: true }).waitFor();
  });

  it('a moderator hides the opening question; a member reading it sees the notice live instead of the text', async () => {
    const member = await person('ilse@plein.example');
    await member.goto('/c/armoede-en-schulden');
    await member.locator('.thread-card h2 a').first().click();
    await member.getByRole('heading', { level: 1 }).waitFor();
    const body = await member.locator('.toelichting .post-body').innerText();
    expect(body.length).toBeGreaterThan(10);

    // The member reports it; the moderator sees the report count on the post.
    const mine = member.locator('.toelichting');
    await mine.getByRole('button', { name: 'Meld dit bericht' }).click();
    await mine.getByLabel('Waarom meld je dit bericht?').fill('Staat er al');
    await mine.getByRole('button', { name: 'Bevestigen' }).click();
    await mine.getByText('Bedankt, de moderatoren kijken ernaar.').waitFor();

    const mod = await person('youssef@plein.example');
    await mod.goto(member.url());
    const opening = mod.locator('.toelichting');
    await opening.getByRole('link', { name: '1 melding' }).waitFor();
    await opening.getByRole('button', { name: 'Verbergen' }).click();
    await opening.getByLabel('Reden').fill('Dubbele vraag');
    await opening.getByRole('button', { name: 'Bevestigen' }).click();
    await opening.getByText('Verborgen door een moderator').waitFor();

    const seen = member.locator('.toelichting');
    await seen.getByText('Verborgen door een moderator').waitFor();
    expect(await seen.innerText()).not.toContain(body.slice(0, 20));
    expect(await seen.innerText()).not.toContain('Dubbele vraag');
  });

  it('a suspended member sees until when and why on every page', async () => {
    await e.t.db
      .updateTable('user')
      .set({ suspended_until: new Date(Date.now() + 3 * 86400_000), suspension_reason: 'Herhaaldelijk reclame' })
      .where('email', '=', 'sander@plein.example')
      .execute();
    const sander = await person('sander@plein.example');
    await sander.goto('/c/wmo');
    await sander.getByText(/Je account is geschorst tot .*Reden: Herhaaldelijk reclame/).waitFor();
    await sander.locator('.thread-card h2 a').first().click();
    await sander.getByText(/Reden: Herhaaldelijk reclame/).waitFor();
  });

  it('a moderator abroad suspends a reported author until the end of the chosen day on the Amsterdam clock', async () => {
    const thread = await e.t.db.selectFrom('thread').innerJoin('channel', 'channel.id', 'thread.channel_id').select('thread.id').where('channel.slug', '=', 'wmo').executeTakeFirstOrThrow();
    const fatima = await person('fatima@plein.example');
    await fatima.goto('/');
    const postId = await fatima.evaluate(async (threadId) => {
      const res = await fetch(`/api/threads/${threadId}/replies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: '<p>Bel mijn bureau voor snelle leningen.</p>' }) });
      return ((await res.json()) as { post: { id: string } }).post.id;
    }, thread.id);
    const anne = await person('anne@plein.example');
    await anne.evaluate(async (id) => {
      const res = await fetch('/api/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ postId: id, reason: 'Leningen aangeboden' }) });
      if (res.status !== 201) throw new Error(`report: ${res.status}`);
    }, postId);

    // The moderator's browser runs in New York; the chosen day still ends at 23:59 in Amsterdam.
    const mod = await person('youssef@plein.example', 'America/New_York');
    await mod.goto('/moderatie');
    const group = mod.locator('.report-group', { hasText: 'Leningen aangeboden' });
    await group.getByRole('button', { name: 'Auteur schorsen' }).click();
    const day = isoToAmsterdamInput(new Date(Date.now() + 10 * 86400_000).toISOString()).slice(0, 10);
    await group.getByLabel('Geschorst tot en met').fill(day);
    await group.getByLabel('Reden').fill('Reclame voor leningen');
    await group.getByRole('button', { name: 'Bevestigen' }).click();
    await group.getByRole('button', { name: 'Ja, schorsen' }).click();
    await expect.poll(() => mod.locator('.report-group', { hasText: 'Leningen aangeboden' }).count()).toBe(0);

    const row = await e.t.db.selectFrom('user').select('suspended_until').where('email', '=', 'fatima@plein.example').executeTakeFirstOrThrow();
    expect(row.suspended_until?.toISOString()).toBe(amsterdamInputToIso(`${day}T23:59`));
    await fatima.reload();
    await fatima.getByText(/Je account is geschorst tot .* om 23:59\. Reden: Reclame voor leningen/).waitFor();
  });
});
