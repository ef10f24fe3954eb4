import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob } from '../support/personas.ts';
import { markNotReloaded, notReloaded, seriousAccessibilityViolations, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { AddProjectMemberDocument, ApproveVmRequestDocument, CreateProjectDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// My requests and the request detail page as alice uses them, in a real Chromium against a real server: what others
// do through the API (another tab creating a request, bob approving) shows up without a reload.

const chromiumPath = chromiumForTests();
const SHOWN = { timeout: 30_000 };

describe.skipIf(chromiumPath === null)('My requests and request detail in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let aliceToken: string;
  let bobToken: string;
  const projects: Record<'web' | 'data', string> = { web: '', data: '' };
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    // Stages of 400 ms: each version of the walk gets frames of its own even on a busy machine, so the page can be seen
    // showing every stage (at 150 ms, two versions sometimes share a frame and paint once).
    server = await startPortalServer([alice, bob], { provisioning: { stageMs: 400 } });
    browser = await launchChromium(chromiumPath!);
    aliceToken = await server.token(alice);
    bobToken = await server.token(bob);
    for (const [key, name] of [['web', 'Web shop'], ['data', 'Data platform']] as const) {
      const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name } })).createProject;
      if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
      projects[key] = created.project.id;
      const added = dataOf(await http(server.url, bobToken, AddProjectMemberDocument, { input: { projectId: created.project.id, userId: 'alice', role: 'MEMBER' } }))
        .addProjectMember;
      expect(added.__typename).toBe('AddProjectMemberPayload');
    }
  });
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  async function aliceOn(path: string): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    watched.page.setDefaultTimeout(20_000);
    onTestFailed(async () => {
      console.log(`[browser] failed at ${watched.page.url()}: ${await screenshot(watched.page, 'portal-requests-failure')}`, watched.errors);
    });
    await signInAs(watched.page, server.origin, 'alice', path);
    // Set once; a reload would lose it.
    await markNotReloaded(watched.page);
    return watched;
  }
  const rowNames = (page: Page) => page.locator('table.requests tbody tr td:first-child').allTextContents();
  const chip = (page: Page, label: RegExp) => page.getByRole('button', { name: label });

  it('lists my requests with counts, takes one created elsewhere without reload, and narrows by search, project and status', async () => {
    await createRequest(server, aliceToken, projects.web, { vmName: 'shop-web-01' });
    await createRequest(server, aliceToken, projects.data, { vmName: 'data-db-01' });
    const { page, errors, outsideRequests } = await aliceOn('/');
    await page.getByRole('heading', { level: 1, name: 'My requests' }).waitFor();
    await expect.poll(() => rowNames(page), SHOWN).toEqual(['data-db-01', 'shop-web-01']);
    expect(await chip(page, /^All 2$/).getAttribute('aria-pressed')).toBe('true');
    await chip(page, /^Pending approval 2$/).waitFor();
    await page.getByText('2 requests').waitFor();
    expect(await page.locator('[data-status="PENDING"]').count()).toBe(2);

    // Another tab (here: the API) creates one: it joins the top of the list and the counts, with no reload.
    await createRequest(server, aliceToken, projects.web, { vmName: 'shop-web-02' });
    await expect.poll(() => rowNames(page), SHOWN).toEqual(['shop-web-02', 'data-db-01', 'shop-web-01']);
    await chip(page, /^All 3$/).waitFor();
    await chip(page, /^Pending approval 3$/).waitFor();
    expect(await notReloaded(page)).toBe(true);

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] my requests: ${await screenshot(page, 'portal-my-requests')}`);

    await page.getByLabel('Search by VM name').fill('WEB');
    await expect.poll(() => rowNames(page), SHOWN).toEqual(['shop-web-02', 'shop-web-01']);
    await page.getByText('2 requests match the filters').waitFor();
    await page.getByLabel('Search by VM name').fill('');
    await page.getByLabel('Project').selectOption({ label: 'Data platform' });
    await expect.poll(() => rowNames(page), SHOWN).toEqual(['data-db-01']);
    await page.getByLabel('Project').selectOption({ label: 'All projects' });
    await chip(page, /^Cancelled 0$/).click();
    await page.getByText('No request matches these filters.').waitFor();
    expect(await chip(page, /^Cancelled 0$/).getAttribute('aria-pressed')).toBe('true');
    // The filters are in the address: the view can be linked.
    expect(new URL(page.url()).searchParams.get('status')).toBe('CANCELLED');
    expect(errors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });

  it("walks the detail page live from PENDING through every stage to READY with hostname and IP when bob approves", async () => {
    const request = await createRequest(server, aliceToken, projects.web, { vmName: 'live-walk-01' });
    const { page, errors } = await aliceOn('/');
    await page.getByRole('link', { name: 'live-walk-01' }).click();
    await page.getByRole('heading', { level: 1, name: 'live-walk-01' }).waitFor();
    await page.locator('.detail-status [data-status="PENDING"]').waitFor();
    await page.getByText('✓ Verified').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] request detail (pending): ${await screenshot(page, 'portal-request-pending')}`);

    // Every stage the page shows, in order, as the DOM changes.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { stagesSeen: string[] }).stagesSeen = seen;
      const record = () => {
        const stage = document.querySelector('.stage-steps')?.getAttribute('data-stage');
        if (stage && seen.at(-1) !== stage) seen.push(stage);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-stage'] });
    });
    const approved = dataOf(await http(server.url, bobToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } }))
      .approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');

    await page.locator('.detail-status [data-status="READY"]').waitFor(SHOWN);
    await expect.poll(() => page.getByTestId('hostname').textContent(), SHOWN).toMatch(/\S/);
    expect(await page.getByTestId('ip-address').textContent()).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    const stages = await page.evaluate(() => (window as unknown as { stagesSeen: string[] }).stagesSeen);
    // Each version is rendered as it arrives, but two arriving in one frame paint once: the stages seen are in order,
    // at least one of them on the way, ending READY; the timeline lists every stage the attempt reported.
    const order = ['CLONING', 'CONFIGURING', 'POWERING_ON', 'WAITING_FOR_NETWORK', 'READY'];
    expect(stages.at(-1)).toBe('READY');
    expect(stages.length).toBeGreaterThan(1);
    expect(stages.map((stage) => order.indexOf(stage))).toEqual([...stages.map((stage) => order.indexOf(stage))].sort((a, b) => a - b));
    expect(await page.locator('[data-timeline-type="PROVISIONING_PROGRESSED"]').count()).toBe(4);
    await page.locator('[data-timeline-type="READY"]').waitFor();
    await page.getByText('✓ Verified').waitFor();
    expect(await notReloaded(page)).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] request detail (ready): ${await screenshot(page, 'portal-request-ready')}`);
    expect(errors).toEqual([]);
  });

  it('cancels a pending request from its page after a confirmation, and the list follows', async () => {
    await createRequest(server, aliceToken, projects.data, { vmName: 'to-cancel-01' });
    const { page, errors } = await aliceOn('/');
    await page.getByRole('link', { name: 'to-cancel-01' }).click();
    await page.getByRole('button', { name: 'Cancel this request…' }).click();
    const reason = page.getByLabel('Reason (optional)');
    // The confirmation step takes the focus to its first field.
    await expect.poll(() => reason.evaluate((element) => element === document.activeElement)).toBe(true);
    await reason.fill('Plans changed');
    await page.getByRole('button', { name: 'Confirm cancellation' }).click();
    await page.locator('.detail-status [data-status="CANCELLED"]').waitFor(SHOWN);
    await page.getByText('Reason: Plans changed').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel this request…' }).count()).toBe(0);
    await page.locator('[data-timeline-type="CANCELLED"]').waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
    await chip(page, /^Cancelled 1$/).click();
    await expect.poll(() => rowNames(page), SHOWN).toEqual(['to-cancel-01']);
    expect(await notReloaded(page)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('says so when a request does not exist', async () => {
    const { page } = await aliceOn('/requests/VnRlcXVlc3Q6bm9uZQ');
    await page.getByRole('heading', { level: 1, name: 'Request not found' }).waitFor();
  });
});
