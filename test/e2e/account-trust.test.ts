// Accounts people can trust, in Chromium through the web client: sign up, confirm through the
// development outbox (/_dev/mail), forget the password and get back in, turn on two-step
// verification; and the Beheer page for users and channels, by keyboard and axe-clean.
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
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

/** Opens the dev outbox (again, like a person waiting for the mail) and follows the newest link to `linkPath` in a mail to `email`. */
async function followMailLink(page: Page, email: string, linkPath: string) {
  const mail = page.locator('article', { hasText: email }).filter({ has: page.locator(`a[href*="${linkPath}?token="]`) }).first();
  for (let i = 0; i < 20; i++) {
    await page.goto('/_dev/mail');
    if (await mail.count()) break;
    await page.waitForTimeout(250);
  }
  await mail.locator(`a[href*="${linkPath}?token="]`).click();
}

describe('a new member, through the web client', () => {
  it('signs up, confirms the address from the dev outbox, forgets the password and gets back in, and turns on two-step verification', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    const email = `nieuw-${Date.now()}@example.nl`;

    // Sign up: no session yet, a "check your mail" page with the way to the dev outbox.
    await page.goto('/aanmelden');
    await page.getByLabel('Naam').fill('Fleur Nieuwkomer');
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill('aaaaaaaaaa');
    await page.getByRole('button', { name: 'Account maken' }).click();
    await page.getByText(/Herhalende letters/).waitFor();
    await page.getByLabel('Wachtwoord').fill('zonnige tuinstoel op dinsdag');
    await page.getByRole('button', { name: 'Account maken' }).click();
    await page.getByRole('heading', { level: 1, name: 'Kijk in je mail' }).waitFor();
    await expectAccessible(page, 'signup-check-mail');
    await page.getByRole('link', { name: 'Verzonden mail bekijken' }).click();
    await page.getByRole('heading', { name: 'Bevestig je e-mailadres voor Plein' }).first().waitFor();
    await expectAccessible(page, 'dev-mail');
    await followMailLink(page, email, '/e-mail-bevestigen');
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('link', { name: 'Fleur Nieuwkomer' }).waitFor();

    // Forgot the password: log out, ask for a link, choose a new password, log in with it.
    await page.getByRole('button', { name: 'Uitloggen' }).click();
    await page.goto('/inloggen');
    await page.getByRole('link', { name: 'Wachtwoord vergeten?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Wachtwoord vergeten' }).waitFor();
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByRole('button', { name: 'Stuur de link' }).click();
    await page.getByText(/hebben we een mail gestuurd/).waitFor();
    await followMailLink(page, email, '/wachtwoord-herstellen');
    await page.getByRole('heading', { level: 1, name: 'Nieuw wachtwoord kiezen' }).waitFor();
    await expectAccessible(page, 'reset-password');
    await page.getByLabel('Nieuw wachtwoord').fill(email);
    await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
    await page.getByText('Je wachtwoord mag niet je e-mailadres zijn.').waitFor();
    await page.getByLabel('Nieuw wachtwoord').fill('blauwe regenjas in mei');
    await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
    await page.getByText(/Je wachtwoord is gewijzigd/).waitFor();
    await login(page, email, 'blauwe regenjas in mei');

    // Two-step verification: set up with the key under the QR code, keep the recovery codes.
    await page.goto('/instellingen');
    await page.getByRole('button', { name: 'Tweestapsverificatie instellen' }).click();
    await page.getByRole('img', { name: 'QR-code om tweestapsverificatie in te stellen' }).waitFor();
    const secret = (await page.locator('.totp-secret').innerText()).trim();
    await expectAccessible(page, 'two-factor-setup');
    await page.getByLabel('Code uit de app').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Aanzetten' }).click();
    await page.getByRole('heading', { name: 'Je herstelcodes' }).waitFor();
    const codes = await page.locator('.recovery-codes code').allInnerTexts();
    expect(codes).toHaveLength(10);
    await page.getByText('Tweestapsverificatie staat aan.').waitFor();
    await screenshot(page, 'two-factor-recovery-codes');

    // Logging in now asks for a code; a recovery code works.
    await page.getByRole('button', { name: 'Uitloggen' }).click();
    await page.goto('/inloggen');
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill('blauwe regenjas in mei');
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tweestapsverificatie' }).waitFor();
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await page.getByText('Deze code klopt niet (of is al gebruikt).').waitFor();
    await page.getByLabel('Code').fill(codes[0]);
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('link', { name: 'Fleur Nieuwkomer' }).waitFor();
  });

  it('an unconfirmed account is told so at login and can have the confirmation sent again', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    const email = `later-${Date.now()}@example.nl`;
    await page.goto('/aanmelden');
    await page.getByLabel('Naam').fill('Later Bevestigen');
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill('zonnige tuinstoel op dinsdag');
    await page.getByRole('button', { name: 'Account maken' }).click();
    await page.getByRole('heading', { level: 1, name: 'Kijk in je mail' }).waitFor();
    await page.goto('/inloggen');
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord').fill('zonnige tuinstoel op dinsdag');
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.getByText(/nog niet bevestigd/).waitFor();
    await page.getByRole('button', { name: 'Stuur de bevestiging opnieuw' }).click();
    await page.getByText(/opnieuw gestuurd/).waitFor();
    await expectAccessible(page, 'login-unverified');
    await followMailLink(page, email, '/e-mail-bevestigen');
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('link', { name: 'Later Bevestigen' }).waitFor();
  });
});

describe('a new e-mail address', () => {
  it('takes effect only once the link sent to it is used', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await login(page, 'fatima@plein.example', DEMO_PASSWORD);
    await page.goto('/instellingen');
    const newEmail = `fatima-${Date.now()}@example.nl`;
    await page.getByLabel('Nieuw e-mailadres').fill(newEmail);
    await page.getByLabel('Je wachtwoord').first().fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Stuur de link' }).click();
    await page.getByText(/Tot die tijd blijft je oude adres in gebruik/).waitFor();
    await expectAccessible(page, 'settings-email-two-factor');
    const before = await e.t.db.selectFrom('user').select('email').where('email', '=', 'fatima@plein.example').executeTakeFirst();
    expect(before).toBeDefined();
    await followMailLink(page, newEmail, '/e-mail-bevestigen');
    await page.waitForURL((url) => url.pathname === '/');
    const after = await e.t.db.selectFrom('user').select('email').where('email', '=', newEmail).executeTakeFirst();
    expect(after).toBeDefined();
  });
});

describe('the Beheer page', () => {
  it('an admin finds a user, changes the role and suspends; creates, edits and archives a channel — by keyboard where it counts', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await login(page, 'beheer@plein.example', DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Beheer', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Beheer' }).waitFor();
    await page.getByRole('navigation', { name: 'Beheeronderdelen' }).getByRole('link', { name: 'Gebruikers' }).waitFor();

    // Search by keyboard: focus the field, type, Enter.
    await page.getByLabel('Zoek op naam of e-mailadres').focus();
    await page.keyboard.type('anne@');
    await page.keyboard.press('Enter');
    const anne = page.locator('li.card', { hasText: 'anne@plein.example' });
    await anne.waitFor();
    expect(await page.locator('.admin-users > li').count()).toBe(1);
    await expect.poll(() => anne.innerText()).toMatch(/Bevestigd/);
    await expectAccessible(page, 'beheer-users');
    await screenshot(page, 'beheer-users');
    await anne.getByRole('combobox').selectOption('expert');
    await anne.getByRole('button', { name: 'Rol opslaan' }).click();
    await anne.getByText('Gedaan: Rol opslaan').waitFor();
    await anne.getByRole('button', { name: 'Schorsen' }).click();
    await anne.getByLabel('Reden').fill('Even afkoelen');
    await anne.getByLabel('Reden').press('Enter');
    await anne.getByText(/Geschorst tot/).waitFor();
    await anne.getByRole('button', { name: 'Schorsing opheffen' }).click();
    await anne.getByRole('button', { name: 'Schorsen' }).waitFor();
    const row = await e.t.db.selectFrom('user').select(['role', 'suspended_until']).where('email', '=', 'anne@plein.example').executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'expert', suspended_until: null });

    // The last admin cannot step down.
    const me = page.locator('li.card', { hasText: 'beheer@plein.example' });
    await page.getByLabel('Zoek op naam of e-mailadres').fill('beheer@');
    await page.locator('#main').getByRole('button', { name: 'Zoeken' }).click();
    await me.waitFor();
    await me.getByRole('combobox').selectOption('member');
    await me.getByRole('button', { name: 'Rol opslaan' }).click();
    await me.getByText('Je bent de laatste beheerder. Maak eerst iemand anders beheerder.').waitFor();

    // Channels.
    await page.getByRole('link', { name: 'Kanalen' }).click();
    await page.getByRole('heading', { name: 'Nieuw kanaal' }).waitFor();
    await page.getByLabel('Naam', { exact: true }).last().fill('Jeugdzorg');
    await page.getByLabel('Adres (bijvoorbeeld jeugdzorg)').fill('jeugdzorg');
    await page.getByLabel('Beschrijving').last().fill('Over jeugdhulp in de wijk');
    await page.getByLabel('Wie start onderwerpen?').last().selectOption('experts_ask');
    await page.getByRole('button', { name: 'Kanaal maken' }).click();
    await page.getByText('Kanaal Jeugdzorg is gemaakt.').waitFor();
    await expectAccessible(page, 'beheer-channels');
    const jeugd = page.locator('li.card', { hasText: '/c/jeugdzorg' });
    await jeugd.getByRole('button', { name: 'Kanaal Jeugdzorg bewerken' }).click();
    await jeugd.getByLabel('Naam').fill('Jeugd en gezin');
    await jeugd.getByRole('button', { name: 'Opslaan' }).click();
    await jeugd.getByText('Kanaal Jeugd en gezin is opgeslagen.').waitFor();
    await jeugd.getByRole('button', { name: 'Archiveren' }).click();
    await jeugd.getByText('Gearchiveerd').waitFor();
    const channel = await e.t.db.selectFrom('channel').select(['name', 'posting_policy', 'archived_at']).where('slug', '=', 'jeugdzorg').executeTakeFirstOrThrow();
    expect(channel.name).toBe('Jeugd en gezin');
    expect(channel.posting_policy).toBe('experts_ask');
    expect(channel.archived_at).not.toBeNull();
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Kanalen' }).waitFor();
    expect(await page.getByText('Jeugd en gezin').count()).toBe(0);
  });

  it('is for admins only', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await login(page, 'anne@plein.example', DEMO_PASSWORD);
    expect(await page.getByRole('link', { name: 'Beheer', exact: true }).count()).toBe(0);
    await page.goto('/beheer');
    await page.waitForURL((url) => url.pathname === '/');
  });
});
