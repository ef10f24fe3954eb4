import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { globalId, parseGlobalId } from '../../src/graphql/ids.ts';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob } from '../support/personas.ts';
import { notReloaded, seriousAccessibilityViolations, signedInPage, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { ApproveVmRequestDocument, VmRequestDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';
import { createProject } from './portal-request-fixtures.ts';

// The other ways a request ends, each watched live in a real Chromium by alice and bob in their own browser contexts:
// bob rejects in his queue while alice looks at her request; alice cancels while bob looks at his queue; a retryable
// failure shows its attempt and when the next one starts, then READY; a failure for good shows its code and message.
// Also the pages every visitor can reach: the development sign-in page and an address that is no page.

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };
// Long enough for a screenshot and checks during the wait, short enough for the test.
const BACKOFF_MS = 5_000;

describe.skipIf(chromiumPath === null)('how requests end, live in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let aliceToken: string;
  let bobToken: string;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob], { provisioning: { stageMs: 150, options: { backoffMs: BACKOFF_MS, backoffMaxMs: BACKOFF_MS } } });
    browser = await launchChromium(chromiumPath!);
    aliceToken = await server.token(alice);
    bobToken = await server.token(bob);
    projectId = await createProject(server, bobToken, 'Web shop', ['alice']);
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  const signedIn = (userId: string, path: string) => signedInPage(browser, server.origin, userId, path, pages);

  const detailPath = (id: string) => `/requests/${encodeURIComponent(id)}`;
  const statusShown = (page: Page, status: string) => page.locator(`.detail-status [data-status="${status}"]`);
  const queueItem = (page: Page, vmName: string) => page.getByRole('listitem', { name: vmName, exact: true });
  const approve = async (request: { id: string; version: number }) =>
    expect(
      dataOf(await http(server.url, bobToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } })).approveVmRequest
        .__typename,
    ).toBe('ApproveVmRequestPayload');

  it("bob's rejection in his queue reaches alice's open request page, with his reason", async () => {
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'reject-me-01' });
    const aliceTab = await signedIn('alice', detailPath(request.id));
    const bobTab = await signedIn('bob', '/approvals');
    await statusShown(aliceTab.page, 'PENDING').waitFor(LIVE);
    await aliceTab.page.getByRole('button', { name: 'Cancel this request…' }).waitFor();

    await queueItem(bobTab.page, 'reject-me-01').waitFor(LIVE);
    await bobTab.page.getByRole('button', { name: 'Reject… reject-me-01' }).click();
    const dialog = bobTab.page.getByRole('dialog', { name: 'Reject reject-me-01' });
    await dialog.getByLabel('Reason').fill('Use the shared staging cluster instead');
    await dialog.getByRole('button', { name: 'Reject request' }).click();
    await queueItem(bobTab.page, 'reject-me-01').waitFor({ state: 'detached', ...LIVE });

    const a = aliceTab.page;
    await statusShown(a, 'REJECTED').waitFor(LIVE);
    await a.getByRole('region', { name: 'Rejected' }).getByText('Use the shared staging cluster instead').waitFor(LIVE);
    await a.locator('[data-timeline-type="REJECTED"]').waitFor(LIVE);
    // Nothing left to cancel.
    expect(await a.getByRole('button', { name: 'Cancel this request…' }).count()).toBe(0);
    expect(await seriousAccessibilityViolations(a)).toEqual([]);
    console.log(`[browser] request detail (rejected): ${await screenshot(a, 'portal-request-rejected')}`);
    expect(await notReloaded(a)).toBe(true);
    expect(await notReloaded(bobTab.page)).toBe(true);
    expect([...aliceTab.errors, ...bobTab.errors]).toEqual([]);
  });

  it("alice's cancel on her page leaves bob's open queue", async () => {
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'cancel-me-01' });
    const bobTab = await signedIn('bob', '/approvals');
    const aliceTab = await signedIn('alice', detailPath(request.id));
    await queueItem(bobTab.page, 'cancel-me-01').waitFor(LIVE);

    const a = aliceTab.page;
    await a.getByRole('button', { name: 'Cancel this request…' }).click();
    await a.getByLabel('Reason (optional)').fill('The project moved to next quarter');
    await a.getByRole('button', { name: 'Confirm cancellation' }).click();
    await statusShown(a, 'CANCELLED').waitFor(LIVE);
    await a.getByText('Reason: The project moved to next quarter').waitFor();
    expect(await seriousAccessibilityViolations(a)).toEqual([]);
    console.log(`[browser] request detail (cancelled): ${await screenshot(a, 'portal-request-cancelled')}`);

    await queueItem(bobTab.page, 'cancel-me-01').waitFor({ state: 'detached', ...LIVE });
    expect(await bobTab.page.getByRole('button', { name: 'Approve cancel-me-01' }).count()).toBe(0);
    expect(await notReloaded(bobTab.page)).toBe(true);
    expect(await notReloaded(a)).toBe(true);
    expect([...aliceTab.errors, ...bobTab.errors]).toEqual([]);
  });

  it('shows a failed attempt and when the next one starts, then the next attempt reaching READY', async () => {
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'retry-me-01' });
    server.provisioning!.hypervisor.inject({
      operation: 'powerOn',
      code: 'CONNECTION_FAILED',
      attempts: [1],
      requestId: parseGlobalId(request.id)!.id,
      message: 'vCenter did not answer',
    });
    const { page, errors } = await signedIn('alice', detailPath(request.id));
    await statusShown(page, 'PENDING').waitFor(LIVE);
    await approve(request);

    // During the backoff: still PROVISIONING, the attempt to come and when it starts (as the API says them), and the
    // failure of the first in the timeline.
    const nextAttempt = page.locator('.facts div').filter({ has: page.locator('dt', { hasText: 'Next attempt' }) });
    await nextAttempt.waitFor(LIVE);
    expect(await page.getByTestId('attempt').textContent()).toBe('2');
    const retryAt = await nextAttempt.locator('time').getAttribute('datetime');
    const detail = dataOf(await http(server.url, aliceToken, VmRequestDocument, { id: request.id })).vmRequest;
    expect(detail).toMatchObject({ status: 'PROVISIONING', provisioningAttempt: 2 });
    expect(retryAt && Date.parse(retryAt)).toBe(Date.parse(detail!.nextRetryAt!));
    const scheduled = page.locator('[data-timeline-type="PROVISIONING_RETRY_SCHEDULED"]');
    await expect.poll(() => scheduled.innerText()).toMatch(/Attempt 1 failed: CONNECTION_FAILED: vCenter did not answer/);
    await statusShown(page, 'PROVISIONING').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] request detail (waiting to retry): ${await screenshot(page, 'portal-request-retry')}`);

    // The second attempt walks to READY; the retry time goes away.
    await statusShown(page, 'READY').waitFor({ timeout: BACKOFF_MS + 30_000 });
    expect(await page.getByTestId('attempt').textContent()).toBe('2');
    expect(await nextAttempt.count()).toBe(0);
    await expect.poll(() => page.getByTestId('ip-address').textContent(), LIVE).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await notReloaded(page)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows a failure for good with its code and message', async () => {
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'fail-me-01' });
    server.provisioning!.hypervisor.inject({
      operation: 'configure',
      code: 'TEMPLATE_NOT_FOUND',
      requestId: parseGlobalId(request.id)!.id,
      message: 'no template "base-m"',
    });
    const { page, errors } = await signedIn('alice', detailPath(request.id));
    await statusShown(page, 'PENDING').waitFor(LIVE);
    await approve(request);

    await statusShown(page, 'FAILED').waitFor(LIVE);
    const outcome = page.getByRole('region', { name: 'Provisioning failed' });
    await expect.poll(() => outcome.innerText(), LIVE).toContain('TEMPLATE_NOT_FOUND: no template "base-m"');
    expect(await page.getByTestId('attempt').textContent()).toBe('1');
    await page.locator('[data-timeline-type="PROVISIONING_FAILED"]').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] request detail (failed): ${await screenshot(page, 'portal-request-failed')}`);
    expect(await notReloaded(page)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('has an accessible development sign-in page and a page for an address that is no page', async () => {
    const watched = await openPage(browser);
    pages.push(watched);
    const { page, errors } = watched;
    await page.goto(`${server.origin}/sign-in`);
    await page.getByRole('button', { name: /^Sign in as alice\b/ }).waitFor();
    await page.getByRole('button', { name: /^Sign in as bob\b/ }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] development sign-in: ${await screenshot(page, 'portal-sign-in')}`);

    await page.getByRole('button', { name: /^Sign in as alice\b/ }).click();
    await page.locator('[data-connection="live"]').waitFor();
    await page.goto(`${server.origin}/no/such/page`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] not found: ${await screenshot(page, 'portal-not-found')}`);

    await page.goto(`${server.origin}${detailPath(globalId('VmRequest', randomUUID()))}`);
    await page.getByRole('heading', { level: 1, name: 'Request not found' }).waitFor(LIVE);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.log(`[browser] request not found: ${await screenshot(page, 'portal-request-not-found')}`);
    expect(errors).toEqual([]);
  });
});
