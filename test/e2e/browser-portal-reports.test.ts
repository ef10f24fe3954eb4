import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromiumForTests, launchChromium, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob } from '../support/personas.ts';
import { seriousAccessibilityViolations, signedInPage, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import {
  AddProjectMemberDocument,
  ApproveVmRequestDocument,
  CreateProjectDocument,
  UsageReportDocument,
  VmRequestDocument,
} from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// The usage report page in real Chromium: bob (tenant admin) reads this month's report, which shows what the API
// reports for a VM alice had provisioned, and downloads the CSV, which is byte for byte the server's CSV for his token.
// alice (a member) has no such page.

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };

describe.skipIf(chromiumPath === null)('the usage report page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let bobToken: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob]);
    browser = await launchChromium(chromiumPath!);
    bobToken = await server.token(bob);
    const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name: 'Report lab' } })).createProject;
    if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
    const projectId = created.project.id;
    await http(server.url, bobToken, AddProjectMemberDocument, { input: { projectId, userId: 'alice', role: 'MEMBER' } });
    const request = await createRequest(server, await server.token(alice), projectId, { vmName: 'report-vm-01', size: 'S' });
    const approved = dataOf(await http(server.url, bobToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } }));
    expect(approved.approveVmRequest.__typename).toBe('ApproveVmRequestPayload');
    await vi.waitFor(async () => {
      expect(dataOf(await http(server.url, bobToken, VmRequestDocument, { id: request.id })).vmRequest?.status).toBe('READY');
    }, LIVE);
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  const signedIn = (userId: string, path: string) => signedInPage(browser, server.origin, userId, path, pages);

  it('bob reads this month per project and size and downloads the same figures as CSV', async () => {
    const bobTab = await signedIn('bob', '/');
    const { page } = bobTab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Usage reports', level: 1 }).waitFor();
    const month = await page.getByLabel('Month').inputValue();
    expect(month).toMatch(/^\d{4}-\d{2}$/);

    // The API's figures for that month, once the projection has the READY VM.
    await expect.poll(async () => dataOf(await http(server.url, bobToken, UsageReportDocument, { month })).usageReport.totals.vmDays, LIVE).toBeGreaterThan(0);
    const report = dataOf(await http(server.url, bobToken, UsageReportDocument, { month })).usageReport;
    expect(report.projects.map((project) => project.projectName)).toEqual(['Report lab']);
    const size = report.projects[0]!.sizes[0]!;
    // The browser's locale formats the amount; its digits are the API's cents.
    const euros = (cents: number) => expect.stringMatching(new RegExp(`€\\s?${Math.floor(cents / 100)}[.,]${String(cents % 100).padStart(2, '0')}|${Math.floor(cents / 100)}[.,]${String(cents % 100).padStart(2, '0')}\\s?€`));

    const project = page.locator('tbody[data-report-project="Report lab"]');
    const sizeRow = project.getByRole('row').filter({ has: page.getByRole('cell', { name: size.size, exact: true }) });
    await expect.poll(() => sizeRow.getByRole('cell').allInnerTexts(), LIVE).toEqual([size.size, String(size.vmDays), String(size.peakVms), euros(size.costCents)]);
    expect(await page.locator('[data-report-total]').getByRole('cell').allInnerTexts()).toEqual([
      'All sizes',
      String(report.totals.vmDays),
      String(report.totals.peakVms),
      euros(report.totals.costCents),
    ]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] usage report: ${await screenshot(page, 'portal-usage-report')}`);

    // The download is the server's CSV for this token, byte for byte.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`dvmm-usage-${month}.csv`);
    const saved = await readFile((await download.path())!);
    const direct = await fetch(`${server.origin}/reports/usage.csv?month=${month}`, { headers: { Authorization: `Bearer ${bobToken}` } });
    expect(direct.status).toBe(200);
    expect(saved.equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
    expect(saved.toString('utf8')).toContain('Report lab');

    // An earlier month with nothing in it says so.
    await page.getByLabel('Month').fill('2020-01');
    await page.getByText('No VM ran in 2020-01').waitFor(LIVE);
    expect(bobTab.errors).toEqual([]);
  }, 180_000);

  it('is not for members: alice has no Reports link and the page says so', async () => {
    const { page, errors } = await signedIn('alice', '/reports');
    await page.getByText('usage reports are for tenant admins and project admins').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Download CSV' }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
