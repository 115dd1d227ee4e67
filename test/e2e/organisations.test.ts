// In Chromium, against a real OpenID provider: logging in with an organisation (a new account, the
// verified mark), refusals shown in Dutch without a session, linking and unlinking in the settings,
// the organisations page for admins, and a closed channel joined by request.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { png } from '../support/files';
import { expectAccessible, login, screenshot } from './support/harness';
import { type OidcE2E, startOidcE2E } from './support/organisations';

let e: OidcE2E;
beforeAll(async () => {
  e = await startOidcE2E();
  e.provider.accounts.set('anna', { email: 'anna.jansen@zwolle.example', emailVerified: true, name: 'Anna Jansen' });
  e.provider.accounts.set('carla', { email: 'carla@zwolle.example', emailVerified: true, name: 'Carla de Wit' });
  e.provider.accounts.set('dirk', { email: 'dirk@elders.example', emailVerified: true, name: 'Dirk Elders' });
  e.provider.accounts.set('anne', { email: 'anne@plein.example', emailVerified: false, name: 'Anne Hoekstra' });
  await e.t.db.insertInto('organisation').values({ name: 'Gemeente Zwolle', logo_key: null }).returning('id').executeTakeFirstOrThrow().then((o) => e.t.db.insertInto('organisation_domain').values({ domain: 'zwolle.example', organisation_id: o.id }).execute());
}, 120_000);
afterAll(async () => {
  await e?.close();
});

/** At the provider's own login page: type the user name and go on. */
async function atProvider(page: Page, user: string) {
  await page.getByRole('heading', { name: 'Inloggen bij je organisatie' }).waitFor();
  await page.getByLabel('Gebruikersnaam').fill(user);
  await page.getByRole('button', { name: 'Inloggen' }).click();
}

const signedIn = async (page: Page) => (await page.request.get('/api/me')).status() === 200;

describe('logging in with an organisation in Chromium', () => {
  it('shows one button per organisation; the first login makes an account with the verified organisation', async () => {
    const page = await (await e.context()).newPage();
    await page.goto('/inloggen');
    await page.getByRole('link', { name: 'Inloggen met Gemeente Zwolle' }).waitFor();
    await expect(page.getByRole('link', { name: 'Inloggen met Zorggroep Noord' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'login-organisations');
    await screenshot(page, 'login-organisations');
    await page.getByRole('link', { name: 'Inloggen met Gemeente Zwolle' }).click();
    await atProvider(page, 'anna');
    await page.waitForURL(`${e.baseUrl}/`);
    await page.getByRole('link', { name: 'Anna Jansen' }).waitFor();
    await page.goto('/instellingen');
    await page.getByText('Gekoppeld met Gemeente Zwolle (anna.jansen@zwolle.example)').waitFor();
    await expect(page.locator('#organisation').inputValue()).resolves.toBe('Gemeente Zwolle');
    await expect(page.locator('#organisation').getAttribute('readonly')).resolves.not.toBeNull();
    await expectAccessible(page, 'settings-organisation');
    const me = (await (await page.request.get('/api/me')).json()).user;
    await page.goto(`/u/${me.id}`);
    await page.getByText('geverifieerd').waitFor();
    await expectAccessible(page, 'profile-verified');
  });

  it('refuses a tampered state, a wrong nonce, a domain that is not allowed and an unverified address of an existing account, in Dutch, without a session', async () => {
    // Each attempt in a browser of its own: the provider remembers who logged in there (single sign-on).
    let page = await (await e.context()).newPage();
    const before = Number((await e.t.db.selectFrom('user').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

    // Tampered state: the callback with someone else's (made-up) state.
    await page.goto('/inloggen');
    await page.getByRole('link', { name: 'Inloggen met Gemeente Zwolle' }).click();
    await page.getByLabel('Gebruikersnaam').waitFor();
    const res = await page.goto(`/api/auth/oidc/zwolle/callback?code=gestolen&state=verzonnen&iss=${encodeURIComponent(e.provider.issuer)}`);
    expect(res?.status()).toBe(400);
    await page.getByText('Deze inlogpoging is niet geldig of verlopen. Begin opnieuw op de inlogpagina.').waitFor();
    await expectAccessible(page, 'oidc-refused');
    await screenshot(page, 'oidc-refused');
    expect(await signedIn(page)).toBe(false);

    // Wrong nonce: the login under way is given another nonce before the provider answers.
    page = await (await e.context()).newPage();
    await page.goto('/inloggen');
    await page.getByRole('link', { name: 'Inloggen met Gemeente Zwolle' }).click();
    await page.getByLabel('Gebruikersnaam').waitFor();
    // (every login under way at Gemeente Zwolle: this browser's is among them)
    await e.t.db.updateTable('oidc_login').set({ nonce: 'andere-nonce' }).where('provider', '=', 'zwolle').execute();
    await atProvider(page, 'dirk');
    await page.getByText('Het antwoord van je organisatie hoort niet bij deze inlogpoging. Log opnieuw in.').waitFor();
    expect(await signedIn(page)).toBe(false);

    // A domain this organisation does not allow.
    page = await (await e.context()).newPage();
    await page.goto('/inloggen');
    await page.getByRole('link', { name: 'Inloggen met Zorggroep Noord' }).click();
    await atProvider(page, 'dirk');
    await page.getByText('Met dit e-mailadres kun je niet inloggen via deze organisatie.', { exact: false }).waitFor();
    expect(await signedIn(page)).toBe(false);

    // The provider does not vouch for an address that already has an account: never linked.
    page = await (await e.context()).newPage();
    await page.goto('/inloggen');
    await page.getByRole('link', { name: 'Inloggen met Gemeente Zwolle' }).click();
    await atProvider(page, 'anne');
    await page.getByText('maar je organisatie bevestigt niet dat het adres van jou is', { exact: false }).waitFor();
    expect(await signedIn(page)).toBe(false);

    const after = Number((await e.t.db.selectFrom('user').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    expect(after).toBe(before);
  });

  it('links and unlinks an organisation in the settings of a password account', async () => {
    const page = await (await e.context()).newPage();
    await login(page, 'fatima@plein.example', DEMO_PASSWORD);
    await page.goto('/instellingen');
    await page.getByRole('link', { name: 'Koppelen met Gemeente Zwolle' }).click();
    await atProvider(page, 'carla');
    await page.waitForURL(`${e.baseUrl}/instellingen`);
    await page.getByText('Gekoppeld met Gemeente Zwolle (carla@zwolle.example)').waitFor();
    await page.getByRole('button', { name: 'Ontkoppelen van Gemeente Zwolle' }).click();
    await page.getByText('De koppeling is verwijderd.').waitFor();
    await page.getByRole('link', { name: 'Koppelen met Gemeente Zwolle' }).waitFor();
  });

  it('in English too', async () => {
    const page = await (await e.context()).newPage();
    await page.goto('/inloggen');
    await page.getByRole('button', { name: 'Language: English' }).click();
    await page.getByRole('link', { name: 'Log in with Gemeente Zwolle' }).waitFor();
    await expectAccessible(page, 'login-organisations-en');
  });
});

describe('organisations and closed channels in Chromium', () => {
  it('lets an admin add an organisation on the Beheer page', async () => {
    const page = await (await e.context()).newPage();
    await login(page, 'beheer@plein.example', DEMO_PASSWORD);
    await page.goto('/beheer/organisaties');
    await page.getByRole('heading', { level: 2, name: 'Organisaties' }).waitFor();
    await page.getByRole('link', { name: 'Organisaties' }).waitFor(); // a tab of the Beheer page
    await page.locator('#org-new-name').fill('Zorggroep Noord');
    await page.locator('#org-new-domains').fill('zorggroep-noord.example, zgn.example');
    await page.getByRole('button', { name: 'Organisatie toevoegen' }).click();
    await page.getByRole('heading', { level: 3, name: 'Zorggroep Noord' }).waitFor();
    await page.getByText('zgn.example, zorggroep-noord.example').waitFor();
    await page.getByLabel('Logo kiezen voor Zorggroep Noord (PNG, JPEG of WebP)').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await png(300, 120) });
    await page.getByRole('img', { name: 'Logo van Zorggroep Noord' }).waitFor();
    await expectAccessible(page, 'admin-organisations');
    await screenshot(page, 'admin-organisations');
  });

  it('lets a member ask to join a closed channel and its moderator admit them', async () => {
    const { t } = e;
    const channel = await t.db.insertInto('channel').values({ slug: 'intervisie', name: 'Intervisie wijkteams', description: 'Besloten intervisiegroep', posting_policy: 'open', visibility: 'members', last_activity_at: null }).returning('id').executeTakeFirstOrThrow();
    const moderator = await t.db.selectFrom('user').select('id').where('email', '=', 'sander@plein.example').executeTakeFirstOrThrow();
    await t.db.insertInto('channel_member').values({ channel_id: channel.id, user_id: moderator.id, role: 'moderator' }).execute();

    const asker = await (await e.context()).newPage();
    await login(asker, 'joost@plein.example', DEMO_PASSWORD);
    await asker.goto('/c/intervisie');
    await asker.getByRole('heading', { level: 1, name: 'Pagina niet gevonden' }).waitFor();
    await asker.getByRole('heading', { level: 2, name: 'Lid worden van een besloten kanaal' }).waitFor();
    await expectAccessible(asker, 'closed-channel-request');
    await asker.getByLabel('Waarom wil je lid worden?').fill('Ik ben jeugdconsulent in Lindewaard en doe mee aan intervisie.');
    await asker.getByRole('button', { name: 'Aanvraag versturen' }).click();
    await asker.getByText('Je aanvraag is verstuurd.', { exact: false }).waitFor();

    const mod = await (await e.context()).newPage();
    await login(mod, 'sander@plein.example', DEMO_PASSWORD);
    // The channel moderator hears of the request and gets to the channel from the notice.
    await mod.goto('/meldingen');
    await mod.getByRole('link', { name: 'Joost Verbeek vraagt of die lid mag worden van het kanaal "Intervisie wijkteams"' }).click();
    await mod.waitForURL((url) => url.pathname === '/c/intervisie');
    await mod.getByRole('heading', { name: 'Besloten kanaal' }).waitFor();
    await mod.getByText('Ik ben jeugdconsulent in Lindewaard').waitFor();
    await expectAccessible(mod, 'closed-channel-moderator');
    await screenshot(mod, 'closed-channel-moderator');
    await mod.getByRole('button', { name: 'Toelaten: Joost Verbeek' }).click();
    await mod.getByText('Joost Verbeek is nu lid.').waitFor();

    await asker.goto('/meldingen');
    await asker.getByRole('link', { name: 'Je bent nu lid van het kanaal "Intervisie wijkteams"' }).click();
    await asker.getByRole('heading', { level: 1, name: 'Intervisie wijkteams' }).waitFor();
    await asker.getByRole('button', { name: 'Kanaal verlaten' }).waitFor();
  });
});
