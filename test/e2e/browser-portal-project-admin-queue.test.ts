import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob, person, TENANT } from '../support/personas.ts';
import { markNotReloaded, notReloaded, seriousAccessibilityViolations, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { AddProjectMemberDocument, CancelVmRequestDocument, CreateProjectDocument, ViewerAdminOfDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// A project admin (PROJECT_ADMIN of one project, a plain member of another, no tenant role) in real Chromium: the
// approvals page shows the queue of the project they administer, live and read-only; deciding stays with tenant
// admins (docs/domain.md).

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };
const paula = person(TENANT, 'paula');

describe.skipIf(chromiumPath === null)("a project admin's approvals page in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let paulaToken: string;
  let aliceToken: string;
  let shopId: string;
  let dataId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob, paula]);
    browser = await launchChromium(chromiumPath!);
    const bobToken = await server.token(bob);
    paulaToken = await server.token(paula);
    aliceToken = await server.token(alice);
    const project = async (name: string) => {
      const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name } })).createProject;
      if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
      return created.project.id;
    };
    shopId = await project('Web shop');
    dataId = await project('Data lake');
    for (const [projectId, userId, role] of [
      [shopId, 'paula', 'PROJECT_ADMIN'],
      [dataId, 'paula', 'MEMBER'],
      [shopId, 'alice', 'MEMBER'],
    ] as const) {
      const added = dataOf(await http(server.url, bobToken, AddProjectMemberDocument, { input: { projectId, userId, role } })).addProjectMember;
      expect(added.__typename).toBe('AddProjectMemberPayload');
    }
    // The page decides from the projects read model, which follows the events.
    await vi.waitFor(
      async () => expect(dataOf(await http(server.url, paulaToken, ViewerAdminOfDocument)).viewer.adminOfProjects).toEqual([shopId]),
      LIVE,
    );
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  it("follows the requests of paula's project live, read-only, and leaves out another project's", async () => {
    const watched = await openPage(browser);
    pages.push(watched);
    const { page } = watched;
    await signInAs(page, server.origin, 'paula', '/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Nothing waiting', level: 2 }).waitFor(LIVE);
    await markNotReloaded(page);

    // Made elsewhere while the page is open, in this order: the live feed delivers them in the same order, so once
    // the last one shows, the earlier ones have been seen (and must have been left out).
    await createRequest(server, paulaToken, dataId, { vmName: 'data-etl-01' });
    await createRequest(server, aliceToken, shopId, { vmName: 'shop-alice-01' });
    const mine = await createRequest(server, paulaToken, shopId, { vmName: 'shop-cache-01', justification: 'A cache in front of the shop API' });
    const item = page.getByRole('listitem', { name: 'shop-cache-01', exact: true });
    await item.waitFor(LIVE);
    const text = await item.innerText();
    for (const shown of ['Paula', 'Web shop', 'A cache in front of the shop API', 'PENDING', 'Waiting for a tenant admin to decide.']) {
      expect(text).toContain(shown);
    }
    const queue = page.getByRole('list', { name: 'Requests waiting for a decision' });
    expect(await queue.getByRole('listitem').count()).toBe(1);
    expect(await page.getByText('data-etl-01').count()).toBe(0);
    // alice's request is in paula's project, but paula may not see it (domain.md, Visibility).
    expect(await page.getByText('shop-alice-01').count()).toBe(0);
    await page.getByRole('heading', { name: '1 waiting', level: 2 }).waitFor();
    await page.getByText('Tenant admins approve or reject them').waitFor();
    expect(await page.getByRole('button', { name: /Approve|Reject/ }).count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] a project admin's queue: ${await screenshot(page, 'portal-approvals-project-admin')}`);

    // Cancelled elsewhere: it leaves the queue, live.
    const cancelled = dataOf(await http(server.url, paulaToken, CancelVmRequestDocument, { input: { id: mine.id } })).cancelVmRequest;
    expect(cancelled.__typename).toBe('CancelVmRequestPayload');
    await item.waitFor({ state: 'detached', ...LIVE });
    await page.getByRole('heading', { name: 'Nothing waiting', level: 2 }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true)).toBe(true);
    expect(watched.errors).toEqual([]);
  });
});
