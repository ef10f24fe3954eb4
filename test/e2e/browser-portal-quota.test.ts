import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob, dave } from '../support/personas.ts';
import { markNotReloaded, notReloaded, seriousAccessibilityViolations, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import {
  AddProjectMemberDocument,
  CancelVmRequestDocument,
  CreateProjectDocument,
  ProjectQuotaDocument,
  SetProjectQuotaDocument,
} from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// Project quotas in real Chromium against a real server: bob (tenant admin) sets maxVms = 2 with the keyboard and
// watches the project page while alice (a member) creates requests through the API: his meter moves 1 of 2, 2 of 2
// with no reload. A third request through alice's form is refused with the quota in figures; bob lowers the limit and
// approving shows the refusal on the queue item. A quota changed by someone else meanwhile reloads the form.
// A plain member's page follows the requests of another member too.

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };

describe.skipIf(chromiumPath === null)('project quotas in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let bobToken: string;
  let aliceToken: string;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob]);
    browser = await launchChromium(chromiumPath!);
    bobToken = await server.token(bob);
    aliceToken = await server.token(alice);
    const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name: 'Quota lab' } })).createProject;
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

  async function signedIn(userId: string, path: string): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    await signInAs(watched.page, server.origin, userId, path);
    await watched.page.getByRole('heading', { level: 1 }).waitFor();
    await markNotReloaded(watched.page);
    return watched;
  }
  const counted = (page: Page, resource: string) => page.locator(`[data-quota="${resource}"] [data-quota-counted]`).innerText();
  const vmsMeter = (page: Page) => page.getByRole('meter', { name: 'VMs' });
  const projectNow = async () => dataOf(await http(server.url, bobToken, ProjectQuotaDocument, { id: projectId })).project!;

  it('bob sets maxVms = 2 by keyboard, watches alice fill it live; her third request and a lowered-limit approval are refused in figures', async () => {
    const bobTab = await signedIn('bob', `/projects/${projectId}`);
    const { page } = bobTab;
    await page.getByRole('heading', { name: 'Quota lab', level: 1 }).waitFor();
    expect(await counted(page, 'VMs')).toBe('0 (unlimited)');
    expect(await vmsMeter(page).count()).toBe(0);

    // Keyboard only: to the button, open the form, type, submit.
    const toggle = page.getByRole('button', { name: 'Change quota' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    const maxVms = page.getByLabel('Max VMs');
    await maxVms.waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Tab');
    await expect.poll(() => maxVms.evaluate((input) => input === document.activeElement)).toBe(true);
    // The server's range rule lands on its field, and nothing is written.
    await page.keyboard.type('-1');
    await page.keyboard.press('Enter');
    await expect.poll(() => maxVms.getAttribute('aria-invalid')).toBe('true');
    const errorId = ((await maxVms.getAttribute('aria-describedby')) ?? '').split(' ').find((each) => each.endsWith('-error'));
    expect(errorId).toBeDefined();
    expect((await page.locator(`[id="${errorId}"]`).innerText()).length).toBeGreaterThan(5);
    expect((await projectNow()).quota.maxVms).toBeNull();
    // Not a whole number: said before anything is sent.
    await page.getByLabel('Max RAM (GB)').fill('lots');
    await page.getByLabel('Max RAM (GB)').press('Enter');
    await expect.poll(() => page.getByLabel('Max RAM (GB)').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] quota form with field errors: ${await screenshot(page, 'portal-quota-form-errors')}`);

    await page.getByLabel('Max RAM (GB)').fill('');
    await maxVms.focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Quota saved.' }).waitFor();
    await expect.poll(() => toggle.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(await counted(page, 'VMs')).toBe('0 of 2');
    expect(await vmsMeter(page).getAttribute('max')).toBe('2');
    expect(await counted(page, 'RAM')).toBe('0 GB (unlimited)');
    expect((await projectNow()).quota).toMatchObject({ maxVms: 2, maxVCpus: null, maxRamGb: null, maxStorageGb: null });

    // alice requests through the API; bob's meter follows each change, held first.
    const first = await createRequest(server, aliceToken, projectId, { vmName: 'quota-vm-01', size: 'S' });
    await expect.poll(() => counted(page, 'VMs'), LIVE).toBe('1 of 2');
    expect(await vmsMeter(page).getAttribute('value')).toBe('1');
    expect(await page.locator('[data-quota="VMs"]').innerText()).toContain('0 running, 1 requested and not yet running');
    await createRequest(server, aliceToken, projectId, { vmName: 'quota-vm-02', size: 'S' });
    await expect.poll(() => counted(page, 'VMs'), LIVE).toBe('2 of 2');
    expect(await page.locator('[data-quota="VMs"]').innerText()).toContain('full');
    const usage = (await projectNow()).usage.counted;
    expect(await counted(page, 'vCPU')).toBe(`${usage.vcpus} (unlimited)`);
    console.info(`[browser] quota full, live: ${await screenshot(page, 'portal-quota-full')}`);

    // alice's third request through the form: refused with the figures.
    const aliceTab = await signedIn('alice', '/requests/new');
    const form = aliceTab.page;
    await form.getByLabel('VM name').waitFor();
    await form.getByLabel('Project').selectOption({ label: 'Quota lab' });
    await form.getByLabel('VM name').fill('quota-vm-03');
    await form.getByRole('radio', { name: /^S\b/ }).check();
    await form.getByLabel('Justification').fill('A third one for the quota test');
    await form.getByRole('button', { name: 'Request VM' }).click();
    const alert = form.getByRole('alert').filter({ hasText: 'quota' });
    await alert.waitFor(LIVE);
    expect(await alert.innerText()).toContain("This would exceed the project's quota: 2 of 2 VMs used, this request needs 1.");
    expect((await projectNow()).usage.counted.vms).toBe(2);
    console.info(`[browser] request form over quota: ${await screenshot(form, 'portal-quota-request-refused')}`);

    // Someone else changes the quota while bob's form is open: his save is refused, the form shows the new values.
    await toggle.click();
    await maxVms.waitFor();
    const before = await projectNow();
    const elsewhere = dataOf(await http(server.url, bobToken, SetProjectQuotaDocument, { input: { projectId, expectedVersion: before.version, maxVms: 5 } }));
    expect(elsewhere.setProjectQuota.__typename).toBe('SetProjectQuotaPayload');
    await maxVms.fill('1');
    await page.getByRole('button', { name: 'Save quota' }).click();
    await page.getByRole('alert').filter({ hasText: 'changed meanwhile' }).waitFor();
    expect(await maxVms.inputValue()).toBe('5');
    expect((await projectNow()).quota.maxVms).toBe(5);
    // The payload of the other change is not in this tab's cache; the meters show the quota read for the reload.
    await expect.poll(() => counted(page, 'VMs'), LIVE).toBe('2 of 5');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] quota changed meanwhile: ${await screenshot(page, 'portal-quota-concurrency')}`);

    // bob lowers the limit to 1: nothing is taken away, but approving is refused on the item.
    await maxVms.fill('1');
    await page.getByRole('button', { name: 'Save quota' }).click();
    await page.getByRole('status').filter({ hasText: 'Quota saved.' }).waitFor();
    await expect.poll(() => counted(page, 'VMs')).toBe('2 of 1');
    expect(await page.locator('[data-quota="VMs"]').innerText()).toContain('over the limit');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('button', { name: `Approve ${first.vmName}` }).click();
    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: first.vmName }) });
    const refusal = item.getByRole('alert');
    await expect.poll(() => refusal.innerText(), LIVE).toContain("This would exceed the project's quota: 1 of 1 VMs used, this request needs 1.");
    expect(await item.innerText()).toContain('PENDING');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] approval over quota: ${await screenshot(page, 'portal-quota-approval-refused')}`);

    // The list shows the same compactly.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
    const row = page.getByRole('row', { name: /Quota lab/ });
    await expect.poll(() => row.locator('[data-quota-summary]').innerText(), LIVE).toBe('VMs 2 of 1 (over)');

    expect(await notReloaded(page)).toBe(true);
    expect(await notReloaded(form)).toBe(true);
    expect([...bobTab.errors, ...aliceTab.errors]).toEqual([]);
  }, 240_000);

  it("a plain member's meters follow another member's requests live", async () => {
    const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name: 'Shared quota' } })).createProject;
    if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
    const shared = created.project.id;
    for (const userId of ['alice', 'dave']) {
      const added = dataOf(await http(server.url, bobToken, AddProjectMemberDocument, { input: { projectId: shared, userId, role: 'MEMBER' } }));
      expect(added.addProjectMember.__typename).toBe('AddProjectMemberPayload');
    }
    // Queries read the projects read model: wait until it has alice's membership, as a page opened later would.
    await expect.poll(async () => dataOf(await http(server.url, aliceToken, ProjectQuotaDocument, { id: shared })).project?.id, LIVE).toBe(shared);
    const aliceTab = await signedIn('alice', `/projects/${shared}`);
    const { page } = aliceTab;
    await page.getByRole('heading', { name: 'Shared quota', level: 1 }).waitFor();
    expect(await counted(page, 'VMs')).toBe('0 (unlimited)');
    expect(await page.getByText('The figures follow every request of the project live.').count()).toBe(1);

    // dave's request is not in alice's own feed; the project's usage feed brings it.
    const daveToken = await server.token(dave);
    const request = await createRequest(server, daveToken, shared, { vmName: 'dave-vm-01', size: 'M' });
    await expect.poll(() => counted(page, 'VMs'), LIVE).toBe('1 (unlimited)');
    expect(await counted(page, 'vCPU')).toBe('4 (unlimited)');
    const cancelled = dataOf(await http(server.url, daveToken, CancelVmRequestDocument, { input: { id: request.id } })).cancelVmRequest;
    expect(cancelled.__typename).toBe('CancelVmRequestPayload');
    await expect.poll(() => counted(page, 'VMs'), LIVE).toBe('0 (unlimited)');
    expect(await notReloaded(page)).toBe(true);
    expect(aliceTab.errors).toEqual([]);
  }, 120_000);
});
