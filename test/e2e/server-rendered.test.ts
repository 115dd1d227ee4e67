// Thread and channel pages in Chromium with JavaScript turned off: the server's HTML is the page
// (what a search engine or a reader without JavaScript gets). With JavaScript on, the SPA takes over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2E, screenshot, startE2E } from './support/harness';

let e: E2E;
let thread: { id: string; title: string; firstReply: string };

beforeAll(async () => {
  e = await startE2E();
  const row = await e.t.db
    .selectFrom('thread as t')
    .innerJoin('post as p', (j) => j.onRef('p.thread_id', '=', 't.id').on('p.is_opening', '=', false).on('p.hidden_at', 'is', null).on('p.deleted_at', 'is', null))
    .select(['t.id', 't.title', 'p.body_text'])
    .orderBy('t.reply_count', 'desc')
    .orderBy('p.id')
    .limit(1)
    .executeTakeFirstOrThrow();
  thread = { id: row.id, title: row.title, firstReply: row.body_text.slice(0, 40) };
});
afterAll(async () => {
  await e?.close();
});

describe('server-rendered pages', () => {
  it('a thread is readable without JavaScript: title, question, replies and a link to its channel', async () => {
    const ctx = await e.browser.newContext({ baseURL: e.baseUrl, javaScriptEnabled: false, locale: 'nl-NL' });
    const page = await ctx.newPage();
    const res = await page.goto(`/t/${thread.id}`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe(`${thread.title} · Plein`);
    await expect.poll(() => page.getByRole('heading', { level: 1, name: thread.title }).isVisible()).toBe(true);
    const replies = page.getByRole('region', { name: /Reacties/ }).getByRole('article');
    expect(await replies.count()).toBeGreaterThan(0);
    expect(await page.getByText(thread.firstReply, { exact: false }).first().isVisible()).toBe(true);
    await page.getByRole('navigation', { name: 'Kruimelpad' }).getByRole('link').nth(1).click();
    await page.waitForURL(/\/c\/[a-z0-9-]+$/);
    // The channel page, also without JavaScript: its threads as links, ours among them.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBe(1);
    expect(await page.getByRole('link', { name: thread.title }).count()).toBeGreaterThan(0);
    await screenshot(page, 'channel-without-javascript');
    await page.getByRole('link', { name: thread.title }).first().click();
    await page.waitForURL(new RegExp(`/t/${thread.id}/`));
    await screenshot(page, 'thread-without-javascript');
    await ctx.close();
  });

  it('with JavaScript the SPA renders over the server’s HTML', async () => {
    const ctx = await e.context();
    const page = await ctx.newPage();
    await page.goto(`/t/${thread.id}`);
    await page.getByRole('heading', { level: 1, name: thread.title }).waitFor();
    // The SPA's own page (with its reply form or login prompt) replaced the server's <main class="ssr">.
    await expect.poll(() => page.locator('main.ssr').count()).toBe(0);
    expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
  });
});
