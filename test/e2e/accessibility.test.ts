import { afterAll, beforeAll, describe, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { type E2E, expectAccessible, login, screenshot, startE2E } from './support/harness';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

describe('every page passes axe-core (no serious or critical violations)', () => {
  it('as a visitor', async () => {
    const page = await (await e.context()).newPage();
    for (const [name, path, ready] of [
      ['home', '/', 'Kanalen'],
      ['channel', '/c/landelijk', 'Landelijk'],
      ['login', '/inloggen', 'Inloggen'],
      ['signup', '/aanmelden', 'Account maken'],
      ['not-found', '/bestaat/niet', 'Pagina niet gevonden'],
    ] as const) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1, name: ready }).waitFor();
      await expectAccessible(page, name);
      await screenshot(page, name);
    }
    await page.goto('/c/landelijk');
    await page.locator('.thread-card h2 a').first().click();
    await page.getByRole('heading', { name: 'Log in of maak een account om te reageren' }).waitFor();
    await expectAccessible(page, 'thread-visitor');
  });

  it('as a signed-in expert', async () => {
    const page = await (await e.context()).newPage();
    await login(page, 'marieke@plein.example', DEMO_PASSWORD);
    await page.goto('/c/landelijk');
    await page.locator('.thread-card h2 a').first().click();
    await page.locator('#reply-editor').waitFor();
    await expectAccessible(page, 'thread');
    await page.goto('/c/landelijk/nieuw');
    await page.locator('#body').waitFor();
    await expectAccessible(page, 'new-thread');
    await screenshot(page, 'new-thread');
    await page.goto('/instellingen');
    await page.getByRole('heading', { level: 1, name: 'Mijn profiel' }).waitFor();
    await expectAccessible(page, 'settings');
    await page.getByRole('link', { name: 'Bekijk je openbare profiel' }).click();
    await page.getByRole('heading', { level: 1, name: 'Marieke van Dalen' }).waitFor();
    await expectAccessible(page, 'profile');
  });

  it('in English too', async () => {
    const page = await (await e.context()).newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Language: English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expectAccessible(page, 'home-en');
  });
});
