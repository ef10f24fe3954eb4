import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob, dave } from '../support/personas.ts';
import { seriousAccessibilityViolations, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { createProject, READ_MODEL_WAIT, requestsOf } from './portal-request-fixtures.ts';

// The new-request form as people use it, in a real Chromium against a real server: alice with the keyboard only,
// a name the server refuses, a double click, and dave, who is in no project.

const chromiumPath = chromiumForTests();

describe.skipIf(chromiumPath === null)('The new request form in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let aliceToken: string;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob, dave]);
    browser = await launchChromium(chromiumPath!);
    aliceToken = await server.token(alice);
    projectId = await createProject(server, await server.token(bob), 'Web shop', ['alice']);
  });
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  async function formAs(userId: string): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    watched.page.setDefaultTimeout(20_000);
    onTestFailed(async () => {
      console.log(`[browser] failed at ${watched.page.url()}: ${await screenshot(watched.page, 'portal-new-request-failure')}`, watched.errors);
    });
    await signInAs(watched.page, server.origin, userId, '/requests/new');
    await watched.page.getByRole('heading', { level: 1, name: 'Request a VM' }).waitFor();
    return watched;
  }

  /** The id in /requests/<id> once the page has gone there from the form. */
  async function openedRequest(page: Page): Promise<string> {
    const opened = await page.waitForFunction(() => {
      const path = window.location.pathname;
      return /^\/requests\/[^/]+$/.test(path) && path !== '/requests/new' ? path : null;
    });
    return decodeURIComponent(((await opened.jsonValue()) as string).slice('/requests/'.length));
  }

  /** Alice's requests once the list (a read model) shows `id`, which the test's earlier writes precede. */
  async function aliceRequestsOnceListed(id: string) {
    return vi.waitFor(async () => {
      const requests = await requestsOf(server, aliceToken);
      expect(requests.map((request) => request.id)).toContain(id);
      return requests;
    }, READ_MODEL_WAIT);
  }

  const focusedLabel = (page: Page) =>
    page.evaluate(() => {
      const element = document.activeElement as HTMLInputElement | null;
      return element?.labels?.[0]?.textContent ?? element?.textContent ?? null;
    });

  it('takes a request from the keyboard alone and opens it', async () => {
    const { page, errors, outsideRequests } = await formAs('alice');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] new request form: ${await screenshot(page, 'portal-new-request-empty')}`);

    // From the top: the skip link, then into the form.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const project = page.getByLabel('Project');
    expect(await project.evaluate((element) => element === document.activeElement)).toBe(true);
    // Her only project is already chosen.
    expect(await project.inputValue()).toBe(projectId);

    await page.keyboard.press('Tab');
    await page.keyboard.type('shop-web-01');
    expect(await page.getByLabel('VM name').inputValue()).toBe('shop-web-01');
    await page.getByText('✓ Valid name').waitFor();

    // Into the size cards: the first card takes focus, the arrow key moves to and chooses the next.
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toMatch(/^S2 vCPU/);
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: /^M\b/ }).isChecked()).toBe(true);
    await page.getByText('Estimated cost: €50 / month.', { exact: false }).waitFor();

    await page.keyboard.press('Tab');
    await page.keyboard.type('Staging shop for the spring release');
    await page.getByText('35 / 1000 characters (at least 10)').waitFor();
    console.log(`[browser] new request form filled: ${await screenshot(page, 'portal-new-request-filled')}`);

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Request VM');
    await page.keyboard.press('Enter');

    const id = await openedRequest(page);
    const created = (await aliceRequestsOnceListed(id)).filter((request) => request.id === id);
    expect(created).toEqual([
      expect.objectContaining({ vmName: 'shop-web-01', size: 'M', justification: 'Staging shop for the spring release', status: 'PENDING' }),
    ]);
    // What alice sees there: her request, from the create's answer, without waiting for the lists to have it.
    await page.getByRole('heading', { level: 1, name: 'shop-web-01' }).waitFor();
    console.log(`[browser] after the form: ${await screenshot(page, 'portal-new-request-opened')}`);
    expect(outsideRequests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("puts the server's refusal of every wrong field on that field, focuses the first, and creates nothing", async () => {
    const { page, errors } = await formAs('alice');
    const name = page.getByLabel('VM name');
    await name.fill('Shop_Web');
    // While typing: the rule speaks at once.
    await page.getByText('VM name must be lowercase').waitFor();
    await page.getByRole('radio', { name: /^S\b/ }).check();
    await page.getByLabel('Justification').fill('soon');

    // The form sends once a project and a size are chosen: the server decides, and its words are shown.
    const answer = page.waitForResponse((response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes('createVmRequest'));
    await page.getByRole('button', { name: 'Request VM' }).click();
    const refusal = ((await (await answer).json()) as { data: { createVmRequest: { __typename: string; fields: { field: string; message: string }[] } } }).data
      .createVmRequest;
    expect(refusal.__typename).toBe('ValidationError');
    expect(refusal.fields.map((field) => field.field)).toEqual(['vmName', 'justification']);

    for (const { field, message } of refusal.fields) {
      const input = page.getByLabel(field === 'vmName' ? 'VM name' : 'Justification');
      await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
      const describedBy = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
      const shown = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
      expect(shown).toContain(message);
    }
    expect(await name.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(page.url()).toMatch(/\/requests\/new$/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] server refusal on the fields: ${await screenshot(page, 'portal-new-request-refused')}`);
    // A narrow window: the cards wrap, nothing scrolls sideways.
    await page.setViewportSize({ width: 800, height: 1000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    console.log(`[browser] the form 800 px wide: ${await screenshot(page, 'portal-new-request-narrow')}`);
    expect((await requestsOf(server, aliceToken)).map((request) => request.vmName)).not.toContain('Shop_Web');
    expect(errors).toEqual([]);
  });

  it('creates one request from a double click', async () => {
    const { page, errors } = await formAs('alice');
    await page.getByLabel('VM name').fill('shop-double-01');
    await page.getByRole('radio', { name: /^L\b/ }).check();
    await page.getByLabel('Justification').fill('Load test for the checkout');
    const sent: string[] = [];
    page.on('request', (request) => {
      const body = request.postData() ?? '';
      if (body.includes('createVmRequest')) sent.push((JSON.parse(body) as { variables: { input: { idempotencyKey: string } } }).variables.input.idempotencyKey);
    });
    await page.getByRole('button', { name: 'Request VM' }).dblclick();

    const id = await openedRequest(page);
    const doubles = (await aliceRequestsOnceListed(id)).filter((request) => request.vmName === 'shop-double-01');
    expect(doubles.map((request) => request.id)).toEqual([id]);
    // However many posts the clicks made, they carried one key.
    expect(new Set(sent).size).toBe(1);
    expect(errors).toEqual([]);
  });

  it('tells someone in no project to ask for one', async () => {
    const { page, errors } = await formAs('dave');
    await page.getByRole('heading', { name: 'No project to request a VM in' }).waitFor();
    expect(await page.getByLabel('VM name').count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] no project: ${await screenshot(page, 'portal-new-request-no-project')}`);
    expect(errors).toEqual([]);
  });
});
