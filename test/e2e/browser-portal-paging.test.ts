import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MY_REQUESTS_PAGE } from '../../web/src/graphql/my-requests.ts';
import { chromiumForTests, launchChromium, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob } from '../support/personas.ts';
import { notReloaded, seriousAccessibilityViolations, signedInPage, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { createRequest } from './graphql-fixtures.ts';
import { createProject, READ_MODEL_WAIT, requestsOf } from './portal-request-fixtures.ts';

// My requests past one page, in a real Chromium: newest first, a page at a time, back and forth, and a request made
// meanwhile joins the top of the first page and the counts without a reload.

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };
const TOTAL = MY_REQUESTS_PAGE + 2;
const nameOf = (n: number) => `page-vm-${String(n).padStart(2, '0')}`;

describe.skipIf(chromiumPath === null)('My requests, page by page, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let aliceToken: string;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob]);
    browser = await launchChromium(chromiumPath!);
    aliceToken = await server.token(alice);
    projectId = await createProject(server, await server.token(bob), 'Paging lab', ['alice']);
    // One after the other, so "newest first" has one answer.
    for (let n = 1; n <= TOTAL; n++) await createRequest(server, aliceToken, projectId, { vmName: nameOf(n) });
    await vi.waitFor(async () => expect(await requestsOf(server, aliceToken)).toHaveLength(TOTAL), READ_MODEL_WAIT);
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  const rowNames = (page: Page) => page.locator('table.requests tbody tr td:first-child').allTextContents();
  const pager = (page: Page) => page.getByRole('navigation', { name: 'Pages' });
  const newestFirst = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => nameOf(from - i));

  it('shows a page at a time, newest first, and a new request joins the top of the first page live', async () => {
    const { page, errors } = await signedInPage(browser, server.origin, 'alice', '/', pages);
    await expect.poll(() => rowNames(page), LIVE).toEqual(newestFirst(TOTAL, 3));
    await page.getByRole('button', { name: `All ${TOTAL}`, exact: true }).waitFor();
    expect(await pager(page).getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    expect(await pager(page).innerText()).toContain('Page 1');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await pager(page).getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => rowNames(page), LIVE).toEqual(newestFirst(2, 1));
    expect(await pager(page).innerText()).toContain('Page 2');
    expect(await pager(page).getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    console.log(`[browser] my requests, page 2: ${await screenshot(page, 'portal-my-requests-page-2')}`);

    await pager(page).getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => rowNames(page), LIVE).toEqual(newestFirst(TOTAL, 3));

    const newest = nameOf(TOTAL + 1);
    await createRequest(server, aliceToken, projectId, { vmName: newest });
    await expect.poll(async () => (await rowNames(page))[0], LIVE).toBe(newest);
    await page.getByRole('button', { name: `All ${TOTAL + 1}`, exact: true }).waitFor(LIVE);
    expect(await notReloaded(page)).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
