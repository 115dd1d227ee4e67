// Issue 21 in the browser: clickable tags, tag pages, searching without words, the synonym list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { type E2E, expectAccessible, login, startE2E } from './support/harness';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

describe('browsing and the sociaal domein’s own words', () => {
  it('a tag is a link to its page, which lists its threads newest first', async () => {
    const page = await (await e.context()).newPage();
    await page.goto('/c/armoede-en-schulden');
    await page.getByRole('link', { name: 'Onderwerpen met de tag vroegsignalering' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Tag: vroegsignalering' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/tag/vroegsignalering');
    await page.getByRole('link', { name: 'Vroegsignalering: welke partners leveren bij jullie signalen aan?' }).waitFor();
    await expectAccessible(page, 'tag-page');
    // "Zoeken binnen deze tag": the search page lists the tag without words.
    await page.getByRole('link', { name: 'Zoeken binnen deze tag' }).click();
    await page.getByRole('link', { name: 'Vroegsignalering: welke partners leveren bij jullie signalen aan?' }).waitFor();
    expect(await page.getByText('Typ een zoekterm').count()).toBe(0);
    await expectAccessible(page, 'search-without-words');
  });

  it('an admin adds a synonym group on /beheer/synoniemen and search uses it at once', async () => {
    const page = await (await e.context()).newPage();
    await login(page, 'beheer@plein.example', DEMO_PASSWORD);
    await page.goto('/beheer/synoniemen');
    await page.getByRole('heading', { level: 2, name: 'Synoniemen en afkortingen' }).waitFor();
    await page.getByRole('link', { name: 'Synoniemen' }).waitFor(); // a tab of the Beheer page
    await page.getByText('persoonsgebonden budget', { exact: false }).first().waitFor();
    await page.getByLabel('Woorden die hetzelfde betekenen').fill('signaalpartners, vaste lastenpartners');
    await page.getByRole('button', { name: 'Groep toevoegen' }).click();
    await page.getByText('De groep is toegevoegd. Zoeken gebruikt hem meteen.').waitFor();
    await page.getByRole('button', { name: 'Verwijder signaalpartners, vaste lastenpartners' }).waitFor();
    await expectAccessible(page, 'synonyms');
    await page.goto(`/zoeken?q=${encodeURIComponent('signaalpartners')}`);
    await page.getByRole('link', { name: 'Vroegsignalering: welke partners leveren bij jullie signalen aan?' }).waitFor();
  });
});
