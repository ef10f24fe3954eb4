import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob, carol } from '../support/personas.ts';
import { notReloaded, seriousAccessibilityViolations, signedInPage, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { AddProjectMemberDocument, CreateProjectDocument, VmRequestDocument, VmSizesDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// The approvals queue as admins use it, in real Chromium against a real server: alice (a user), bob and carol
// (tenant admins) in separate browser contexts. Requests come from the API (as if made elsewhere) and the queue
// must follow them live: the page is never reloaded (a marker set on `window` survives every step).

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };

describe.skipIf(chromiumPath === null)('the approvals page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let aliceToken: string;
  let bobToken: string;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob, carol]);
    browser = await launchChromium(chromiumPath!);
    aliceToken = await server.token(alice);
    bobToken = await server.token(bob);
    const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name: 'Web shop', description: 'Shop frontends' } })).createProject;
    if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
    projectId = created.project.id;
    const added = dataOf(await http(server.url, bobToken, AddProjectMemberDocument, { input: { projectId, userId: 'alice', role: 'MEMBER' } }));
    expect(added.addProjectMember.__typename).toBe('AddProjectMemberPayload');
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  const signedIn = (userId: string, path: string) => signedInPage(browser, server.origin, userId, path, pages);

  const queueItem = (page: Page, vmName: string) => page.getByRole('listitem', { name: vmName, exact: true });
  const statusOf = async (id: string) => dataOf(await http(server.url, bobToken, VmRequestDocument, { id })).vmRequest;

  it("shows a request alice makes in bob's queue live; bob approves it and alice's project page shows it approved", async () => {
    const bobTab = await signedIn('bob', '/approvals');
    const aliceTab = await signedIn('alice', `/projects/${projectId}`);
    await bobTab.page.getByRole('heading', { name: /Nothing waiting|waiting/ }).waitFor();

    const request = await createRequest(server, aliceToken, projectId, { vmName: 'shop-api-01', size: 'L', justification: 'The shop API needs its own VM for the launch' });
    const item = queueItem(bobTab.page, 'shop-api-01');
    await item.waitFor(LIVE);
    // Everything an admin decides on: who, where, what, why.
    const text = await item.innerText();
    const large = dataOf(await http(server.url, bobToken, VmSizesDocument)).vmSizes.find((spec) => spec.size === 'L')!;
    const spec = `L: ${large.vcpus} vCPU, ${large.memoryGb} GB RAM, ${large.diskGb} GB disk`;
    for (const shown of ['Alice', 'alice@acme.test', 'Web shop', spec, 'The shop API needs its own VM for the launch', 'PENDING']) {
      expect(text).toContain(shown);
    }
    // alice's page lists her new request too, live.
    await aliceTab.page.getByRole('row', { name: /shop-api-01/ }).waitFor(LIVE);
    expect(await seriousAccessibilityViolations(bobTab.page)).toEqual([]);
    console.info(`[browser] approvals queue: ${await screenshot(bobTab.page, 'portal-approvals-queue')}`);

    await bobTab.page.getByRole('button', { name: 'Approve shop-api-01' }).click();
    await item.waitFor({ state: 'detached', ...LIVE });
    await bobTab.page.getByRole('status').filter({ hasText: 'shop-api-01 approved.' }).waitFor();
    await expect.poll(async () => (await statusOf(request.id))?.status, LIVE).not.toBe('PENDING');
    await aliceTab.page
      .getByRole('row', { name: /shop-api-01/ })
      .filter({ hasText: /APPROVED|PROVISIONING|READY/ })
      .waitFor(LIVE);
    console.info(`[browser] alice's project after the approval: ${await screenshot(aliceTab.page, 'portal-approvals-alice-after')}`);
    expect(await notReloaded(bobTab.page)).toBe(true);
    expect(await notReloaded(aliceTab.page)).toBe(true);
    expect([...bobTab.errors, ...aliceTab.errors]).toEqual([]);
  });

  it('rejects with a reason in a dialog, by keyboard only', async () => {
    const bobTab = await signedIn('bob', '/approvals');
    const { page } = bobTab;
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'shop-batch-02' });
    await queueItem(page, 'shop-batch-02').waitFor(LIVE);

    const focused = () =>
      page.evaluate(() => {
        const active = document.activeElement;
        return { tag: active?.tagName ?? '', text: active?.textContent ?? '', inDialog: !!active?.closest('dialog') };
      });
    // Tab from the top of the page to the request's Reject button.
    for (let presses = 0; !(await focused()).text.startsWith('Reject… shop-batch-02'); presses++) {
      expect(presses).toBeLessThan(80);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Reject shop-batch-02' });
    await dialog.waitFor();
    expect(await focused()).toMatchObject({ tag: 'TEXTAREA', inDialog: true });
    // Escape closes it and focus returns to the button that opened it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await focused()).text).toBe('Reject… shop-batch-02');

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    // Focus stays in the modal dialog: Tab never reaches the page behind it.
    for (let presses = 0; presses < 6; presses++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      expect(now.inDialog || now.tag === 'BODY', JSON.stringify(now)).toBe(true);
    }
    // Bounded, so a focus that never reaches the reason field fails with where it went instead of hanging.
    for (let presses = 0; (await focused()).tag !== 'TEXTAREA'; presses++) {
      expect(presses, JSON.stringify(await focused())).toBeLessThan(20);
      await page.keyboard.press('Tab');
    }
    // A reason is required: submitting without one says so on the field, and nothing is sent.
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Reject request');
    await page.keyboard.press('Enter');
    const reason = dialog.getByLabel('Reason');
    await expect.poll(() => reason.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.innerText()).toContain('Give a reason of 10 to 500 characters');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] reject dialog with an error: ${await screenshot(page, 'portal-approvals-reject-dialog')}`);
    expect((await statusOf(request.id))?.status).toBe('PENDING');

    await page.keyboard.press('Shift+Tab');
    expect((await focused()).tag).toBe('TEXTAREA');
    await page.keyboard.type('Batch jobs belong on the shared cluster');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await queueItem(page, 'shop-batch-02').waitFor({ state: 'detached', ...LIVE });
    // The read model may trail the mutation's answer by a moment.
    await expect.poll(() => statusOf(request.id), LIVE).toMatchObject({ status: 'REJECTED', rejectionReason: 'Batch jobs belong on the shared cluster' });
    // The opener left with its row: focus lands on the page's heading, not on nothing.
    expect((await focused()).tag).toBe('H1');
    expect(await notReloaded(page)).toBe(true);
    expect(bobTab.errors).toEqual([]);
  });

  it('tells the second of two admins that the first already decided, and shows the new state', async () => {
    const bobTab = await signedIn('bob', '/approvals');
    const carolTab = await signedIn('carol', '/approvals');
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'shop-cache-03' });
    await queueItem(bobTab.page, 'shop-cache-03').waitFor(LIVE);
    await queueItem(carolTab.page, 'shop-cache-03').waitFor(LIVE);

    // bob starts rejecting; while he writes his reason, carol approves.
    await bobTab.page.getByRole('button', { name: 'Reject… shop-cache-03' }).click();
    const dialog = bobTab.page.getByRole('dialog', { name: 'Reject shop-cache-03' });
    await dialog.getByLabel('Reason').fill('Cache nodes are provisioned by the platform team');
    await carolTab.page.getByRole('button', { name: 'Approve shop-cache-03' }).click();
    await queueItem(carolTab.page, 'shop-cache-03').waitFor({ state: 'detached', ...LIVE });
    // bob's queue drops it live, behind his open dialog.
    await queueItem(bobTab.page, 'shop-cache-03').waitFor({ state: 'detached', ...LIVE });

    await dialog.getByRole('button', { name: 'Reject request' }).click();
    await dialog.waitFor({ state: 'detached' });
    const notice = bobTab.page.getByRole('alert').filter({ hasText: 'shop-cache-03' });
    await notice.waitFor();
    expect(await notice.innerText()).toContain('Someone else already decided shop-cache-03');
    await expect.poll(() => notice.innerText(), LIVE).toMatch(/It is now (Approved|Provisioning|Ready)\s*\(decided by carol\)/);
    await expect.poll(() => statusOf(request.id), LIVE).toMatchObject({ decidedBy: 'carol', status: expect.stringMatching(/APPROVED|PROVISIONING|READY/) });
    expect(await seriousAccessibilityViolations(bobTab.page)).toEqual([]);
    console.info(`[browser] already decided notice: ${await screenshot(bobTab.page, 'portal-approvals-already-decided')}`);
    expect(await notReloaded(bobTab.page)).toBe(true);
    expect([...bobTab.errors, ...carolTab.errors]).toEqual([]);
  });

  it('is not for users: alice sees "not allowed", no queue and no approve button, and nothing is asked of the server', async () => {
    const watched = await openPage(browser);
    pages.push(watched);
    const { page } = watched;
    await signInAs(page, server.origin, 'alice', '/');
    const asked: string[] = [];
    page.on('request', (sent) => {
      const body = sent.postData();
      if (body?.includes('pendingApprovals')) asked.push(body);
    });
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).count()).toBe(0);
    await page.goto(`${server.origin}/approvals`);
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    await page.getByText('You are not allowed to see this page').waitFor();
    // The page has its answer (alice is no project admin), and so has the header: still no link.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    expect(await page.getByRole('list', { name: 'Requests waiting for a decision' }).count()).toBe(0);
    expect(asked).toEqual([]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] approvals as a user: ${await screenshot(page, 'portal-approvals-not-allowed')}`);
  });
});
