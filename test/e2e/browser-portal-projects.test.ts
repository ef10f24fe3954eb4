import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob } from '../support/personas.ts';
import { notReloaded, seriousAccessibilityViolations, signedInPage, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { ApproveVmRequestDocument, ProjectDocument, ProjectsDocument, ProjectUsageDocument, VmRequestDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// The projects pages in real Chromium against a real server: bob (tenant admin) creates a project and adds alice
// through the UI; alice (a user, another browser context) then sees it; the usage shown is what the API reports,
// including after a request reaches READY while bob looks at the project (no reload: a marker on `window` survives).

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };

describe.skipIf(chromiumPath === null)('the projects pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let bobToken: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob]);
    browser = await launchChromium(chromiumPath!);
    bobToken = await server.token(bob);
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  const signedIn = (userId: string, path: string) => signedInPage(browser, server.origin, userId, path, pages);
  const figure = (page: Page, name: string) => page.locator(`[data-usage="${name}"]`).innerText();

  it('bob creates a project, adds alice, alice sees it; usage follows a request to READY', async () => {
    const bobTab = await signedIn('bob', '/projects');
    const { page } = bobTab;
    await page.getByText('No project yet').waitFor();

    // The server's rule shows on the field it names.
    await page.getByLabel('Name').fill('x');
    await page.getByRole('button', { name: 'Create project' }).click();
    const name = page.getByLabel('Name');
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await name.getAttribute('aria-describedby')) ?? '';
    const fieldError = await page.locator(`[id="${describedBy.split(' ')[0]}"]`).innerText();
    expect(fieldError.length).toBeGreaterThan(5);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] create project with a bad name: ${await screenshot(page, 'portal-projects-name-error')}`);

    await name.fill('Data platform');
    await page.getByLabel('Description (optional)').fill('Pipelines and warehouses');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('status').filter({ hasText: 'Project Data platform created.' }).waitFor();
    // The list picks it up from the mutation's answer, without a reload.
    const row = page.getByRole('row', { name: /Data platform/ });
    await row.waitFor();
    expect(await row.innerText()).toContain('ACTIVE');
    // The page showed the mutation's answer; the projects read model follows a moment later.
    const projectsListed = async () => dataOf(await http(server.url, bobToken, ProjectsDocument, { first: 10 })).projects.edges.map((edge) => edge.node);
    await expect.poll(async () => (await projectsListed()).map((project) => project.name), LIVE).toEqual(['Data platform']);
    const listed = await projectsListed();
    const projectId = listed[0]!.id;

    await row.getByRole('link', { name: 'Data platform' }).click();
    await page.getByRole('heading', { name: 'Data platform', level: 1 }).waitFor();
    await page.getByLabel('User id').fill('alice');
    await page.getByLabel('Role').selectOption('MEMBER');
    await page.getByRole('button', { name: 'Add member' }).click();
    const members = page.getByRole('region', { name: /Members/ });
    await members.getByRole('row', { name: /alice/ }).waitFor();
    expect(await members.getByRole('row', { name: /alice/ }).innerText()).toContain('Member');
    expect(await members.getByRole('heading', { level: 2 }).innerText()).toBe('Members (2)');
    // A member's role changes in their row; the API has it, and the row shows the answer.
    const aliceRole = members.getByLabel('Role of alice');
    expect(await aliceRole.inputValue()).toBe('MEMBER');
    await aliceRole.selectOption({ label: 'Project admin' });
    await members.getByRole('status').filter({ hasText: 'alice is now a project admin of Data platform.' }).waitFor();
    const roleOf = async (userId: string) =>
      dataOf(await http(server.url, bobToken, ProjectDocument, { id: projectId })).project?.members.find((member) => member.userId === userId)?.role;
    await expect.poll(() => roleOf('alice'), LIVE).toBe('PROJECT_ADMIN');
    await aliceRole.selectOption({ label: 'Member' });
    await expect.poll(() => roleOf('alice'), LIVE).toBe('MEMBER');
    expect(await aliceRole.inputValue()).toBe('MEMBER');
    // Whoever created the project keeps their role: no picker in their row.
    expect(await members.getByLabel('Role of bob').count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] project page (bob): ${await screenshot(page, 'portal-project-bob')}`);

    // alice sees the project she was added to.
    const aliceTab = await signedIn('alice', '/projects');
    await aliceTab.page.getByRole('row', { name: /Data platform/ }).waitFor();
    expect(await aliceTab.page.getByRole('button', { name: 'Create project' }).count()).toBe(0);
    expect(await seriousAccessibilityViolations(aliceTab.page)).toEqual([]);
    console.info(`[browser] projects (alice): ${await screenshot(aliceTab.page, 'portal-projects-alice')}`);

    // A request walks to READY while bob watches the project page: it joins the list, then the usage is read again.
    expect(await figure(page, 'VMs')).toBe('0');
    const aliceToken = await server.token(alice);
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'etl-worker-01', size: 'S' });
    const requestRow = page.getByRole('row', { name: /etl-worker-01/ });
    await requestRow.waitFor(LIVE);
    const approved = dataOf(await http(server.url, bobToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } }));
    expect(approved.approveVmRequest.__typename).toBe('ApproveVmRequestPayload');
    await requestRow.filter({ hasText: 'READY' }).waitFor(LIVE);
    await expect
      .poll(async () => dataOf(await http(server.url, bobToken, VmRequestDocument, { id: request.id })).vmRequest?.status, LIVE)
      .toBe('READY');
    await expect.poll(async () => dataOf(await http(server.url, bobToken, ProjectUsageDocument, { id: projectId })).project?.usage.vms, LIVE).toBe(1);
    const usage = dataOf(await http(server.url, bobToken, ProjectUsageDocument, { id: projectId })).project!.usage;
    await expect.poll(() => figure(page, 'VMs'), LIVE).toBe(String(usage.vms));
    expect(await figure(page, 'vCPU')).toBe(String(usage.vcpus));
    expect(await figure(page, 'RAM')).toBe(`${usage.memoryGb} GB`);
    expect(await figure(page, 'Disk')).toBe(`${usage.diskGb} GB`);
    expect(await figure(page, 'Cost')).toContain(String(usage.monthlyCostEur));
    console.info(`[browser] project usage after READY: ${await screenshot(page, 'portal-project-usage')}`);

    // The list shows the same figures.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
    const listRow = page.getByRole('row', { name: /Data platform/ });
    await expect.poll(() => listRow.innerText(), LIVE).toContain(`${usage.memoryGb} GB`);
    const cells = await listRow.getByRole('cell').allInnerTexts();
    expect(cells.slice(1, 6)).toEqual([String(2), String(usage.vms), String(usage.vcpus), `${usage.memoryGb} GB`, `${usage.diskGb} GB`]);

    // Members can be removed again, and archiving closes the project for changes.
    await listRow.getByRole('link', { name: 'Data platform' }).click();
    await page.getByRole('button', { name: 'Remove alice' }).click();
    await members.getByRole('row', { name: /alice/ }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Archive project' }).click();
    await page.getByRole('button', { name: 'Unarchive project' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add member' }).count()).toBe(0);
    expect(await page.getByText('ARCHIVED', { exact: true }).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Unarchive project' }).click();
    await page.getByRole('button', { name: 'Add member' }).waitFor();
    expect(await notReloaded(page)).toBe(true);
    expect([...bobTab.errors, ...aliceTab.errors]).toEqual([]);
  });
});
