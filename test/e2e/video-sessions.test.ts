import { readFileSync } from 'node:fs';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amsterdamInputToIso } from '../../client/src/features/video-sessions/amsterdam-time';
import { DEMO_PASSWORD } from '../../server/seed/demo';
import { type E2E, login, screenshot, startE2E } from './support/harness';

let e: E2E;
const ownContexts: BrowserContext[] = [];
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  for (const c of ownContexts) await c.close().catch(() => {});
  await e?.close();
});

async function person(email: string, timezoneId?: string): Promise<Page> {
  let ctx: BrowserContext;
  if (timezoneId) {
    ctx = await e.browser.newContext({ baseURL: e.baseUrl, locale: 'nl-NL', timezoneId, viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    ownContexts.push(ctx);
  } else {
    ctx = await e.context();
  }
  const page = await ctx.newPage();
  await login(page, email, DEMO_PASSWORD);
  return page;
}

async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download') as Promise<Download>, click()]);
  return readFileSync((await d.path())!);
}

describe('video sessions in the browser', () => {
  it('an expert abroad schedules in Dutch time; a member registers, adds it to the calendar and finds it under Mijn videosessies; the expert downloads attendees and cancels live', async () => {
    // The expert's browser runs in New York: what she types is still read as Amsterdam time.
    const expert = await person('marieke@plein.example', 'America/New_York');
    await expert.goto('/c/landelijk/nieuw');
    await expert.getByLabel('Titel').fill('Zullen we de aanpak van schulden samen bespreken?');
    await expert.locator('#body').click();
    await expert.keyboard.type('Wie heeft ervaring met vroegsignalering?');
    await expert.getByRole('button', { name: 'Plaats vraag' }).click();
    await expert.getByRole('heading', { level: 1, name: 'Zullen we de aanpak van schulden samen bespreken?' }).waitFor();
    const url = expert.url();

    await expert.getByRole('button', { name: 'Videosessie voorstellen' }).click();
    await expert.getByText(/Voorgesteld door Marieke van Dalen/).waitFor();
    await expert.getByRole('button', { name: 'Inplannen' }).click();
    const day = new Date(Date.now() + 4 * 86400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}T14:00`;
    await expert.getByLabel('Datum en tijd').fill(local);
    await expert.getByLabel('Duur (minuten)').fill('90');
    await expert.getByLabel('Aantal plaatsen').fill('5');
    await expert.getByLabel(/Link naar de videosessie/).fill('https://meet.example/schulden');
    await expert.getByRole('button', { name: 'Opslaan' }).click();
    await expert.getByText(/nog 5 plekken vrij/).waitFor();
    // Shown in Europe/Amsterdam, as typed.
    await expert.getByText(/14:00, 90 minuten/).waitFor();

    const fatima = await person('fatima@plein.example');
    await fatima.goto(url);
    await fatima.getByText(/14:00, 90 minuten/).waitFor();
    await fatima.getByText('De link wordt gedeeld met wie zich aanmeldt.').waitFor();
    await fatima.getByRole('button', { name: 'Aanmelden' }).click();
    await fatima.getByText('Je bent aangemeld.').waitFor();
    await fatima.getByRole('link', { name: 'Deelnemen aan de sessie' }).waitFor();
    // The organiser's card follows live.
    await expert.getByText(/nog 4 plekken vrij/).waitFor();

    const ics = (await download(fatima, () => fatima.getByRole('link', { name: 'Zet in mijn agenda' }).click())).toString('utf8');
    const utc = amsterdamInputToIso(local).replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    expect(ics).toContain(`DTSTART:${utc}`);
    expect(ics).toContain('DURATION:PT90M');
    expect(ics).toContain('METHOD:PUBLISH');

    await fatima.goto('/videosessies');
    const item = fatima.locator('.card', { hasText: 'Videosessie: Zullen we de aanpak van schulden samen bespreken?' });
    await item.waitFor();
    await item.getByText(/Je bent aangemeld/).waitFor();

    const xlsx = await download(expert, () => expert.getByRole('link', { name: 'Deelnemerslijst (Excel)' }).click());
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK'); // a real workbook (a zip), not a CSV
    const csv = await download(expert, () => expert.getByRole('link', { name: 'Deelnemerslijst (CSV)' }).click());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('"Fatima Bakkali","Stichting Geldzorg Oost","Schuldhulpverlener","fatima@plein.example","aangemeld"');

    await fatima.goto(url);
    await fatima.getByText('Je bent aangemeld.').waitFor();
    await expert.getByRole('button', { name: 'Sessie annuleren' }).click();
    await fatima.getByText('Deze sessie gaat niet door.').waitFor();
    expect(await fatima.getByRole('link', { name: 'Deelnemen aan de sessie' }).count()).toBe(0);
    await screenshot(fatima, 'video-session-cancelled');
    // After a cancellation the thread can get a new session: Fatima asks again and the expert sees it live.
    await fatima.getByRole('button', { name: 'Ik wil hier een videosessie over' }).click();
    await fatima.getByText('Aangevraagd — nog zonder organisator').waitFor();
    await expert.getByRole('button', { name: 'Ik organiseer deze sessie' }).waitFor();
  });
});
