import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { parseGlobalId } from '../../src/graphql/ids.ts';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { alice, bob } from '../support/personas.ts';
import { markNotReloaded, notReloaded, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { AddProjectMemberDocument, ApproveVmRequestDocument, CancelVmRequestDocument, CreateProjectDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// The issue's whole story in a real browser, as two people live it: alice requests a VM through the form, bob sees it
// arrive in his queue and approves it, alice's page walks to READY with hostname and IP; then the server alice's page
// talks to is restarted while others keep working through a second instance, and her page, reconnected, has every
// change of the outage: each request's versions arrive exactly once and in order, with no reload and no refetch.

const chromiumPath = chromiumForTests();
const WAIT = { timeout: 30_000 };

/**
 * Every version of every request the session's live feed (the PortalChanges subscription) delivered to the page, by
 * request id, in arrival order, read off the socket's frames (across every socket the page opens).
 */
async function recordVersions(page: Page): Promise<Map<string, number[]>> {
  const versions = new Map<string, number[]>();
  const sessionFeed = new Set<string>();
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { id?: string; type?: string; payload?: { operationName?: string } };
      if (message.type === 'subscribe' && message.payload?.operationName === 'PortalChanges') sessionFeed.add(message.id!);
    });
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as {
        id?: string;
        type?: string;
        payload?: { data?: { vmRequestChanges?: { vmRequest: { id: string; version: number } } } };
      };
      const change = message.type === 'next' && sessionFeed.has(message.id!) ? message.payload?.data?.vmRequestChanges : undefined;
      if (!change) return;
      const list = versions.get(change.vmRequest.id) ?? [];
      list.push(change.vmRequest.version);
      versions.set(change.vmRequest.id, list);
    });
  });
  return versions;
}

const upTo = (last: number) => Array.from({ length: last }, (_, i) => i + 1);

describe.skipIf(chromiumPath === null)('the portal, end to end, across a server restart', () => {
  // One secret for every server, so the tokens the pages hold stay valid on the restarted one.
  const auth = { secret: randomBytes(32).toString('base64url'), secretSource: 'options' as const };
  let database: TestDatabase;
  let primary: TestServer;
  let other: TestServer;
  let browser: Browser;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    primary = await startPortalServer([alice, bob], { database, auth });
    // A second instance on the same database, without provisioning of its own: people keep working through it.
    other = await startPortalServer([alice, bob], { database, auth, provisioning: undefined });
    browser = await launchChromium(chromiumPath!);
    const bobToken = await primary.token(bob);
    const created = dataOf(await http(primary.url, bobToken, CreateProjectDocument, { input: { name: 'Web shop' } })).createProject;
    if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
    projectId = created.project.id;
    const added = dataOf(await http(primary.url, bobToken, AddProjectMemberDocument, { input: { projectId, userId: 'alice', role: 'MEMBER' } })).addProjectMember;
    expect(added.__typename).toBe('AddProjectMemberPayload');
  });
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await other?.close();
    await primary?.close();
    await database?.close();
  });

  async function personOn(userId: string, path: string): Promise<WatchedPage & { versions: Map<string, number[]> }> {
    const watched = await openPage(browser);
    pages.push(watched);
    watched.page.setDefaultTimeout(30_000);
    const versions = await recordVersions(watched.page);
    onTestFailed(async () => {
      console.log(`[browser] ${userId} failed at ${watched.page.url()}: ${await screenshot(watched.page, `portal-journey-${userId}-failure`)}`, watched.errors);
    });
    await signInAs(watched.page, primary.origin, userId, path);
    // Set once: a reload would lose it.
    await markNotReloaded(watched.page);
    return { ...watched, versions };
  }

  it('alice requests, bob approves from his queue, alice watches it reach READY; a restart loses nothing', async () => {
    const aliceSide = await personOn('alice', '/requests/new');
    const bobSide = await personOn('bob', '/approvals');
    const a = aliceSide.page;
    const b = bobSide.page;

    // alice fills in the form as a person does.
    await a.getByLabel('Project').selectOption({ label: 'Web shop' });
    await a.getByLabel('VM name').fill('journey-web-01');
    await a.getByRole('radio', { name: /^M\b/ }).check();
    await a.getByLabel('Justification').fill('Staging server for the spring release of the shop');
    console.log(`[browser] new request form: ${await screenshot(a, 'portal-journey-new-request')}`);
    await a.getByRole('button', { name: 'Request VM' }).click();
    await a.waitForURL(/\/requests\/[^/]+$/, WAIT);
    await expect.poll(() => a.locator('h1').textContent(), WAIT).toBe('journey-web-01');
    await a.locator('[data-status="PENDING"]').first().waitFor(WAIT);

    // It arrives in bob's queue without a reload; he approves it.
    const approve = b.getByRole('button', { name: 'Approve journey-web-01' });
    await approve.waitFor(WAIT);
    console.log(`[browser] bob's queue: ${await screenshot(b, 'portal-journey-queue')}`);
    await approve.click();
    await b.getByText('journey-web-01 approved.').waitFor(WAIT);
    await expect.poll(() => approve.count(), WAIT).toBe(0);

    // alice's page walks to READY by itself and shows where the VM is.
    await a.locator('.detail-status [data-status="READY"]').waitFor(WAIT);
    await expect.poll(() => a.getByTestId('hostname').textContent(), WAIT).toMatch(/\S/);
    await expect.poll(() => a.getByTestId('ip-address').textContent(), WAIT).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    console.log(`[browser] alice's request, ready: ${await screenshot(a, 'portal-journey-ready')}`);
    expect(await notReloaded(a)).toBe(true);
    expect(await notReloaded(b)).toBe(true);

    // alice goes to her list (in the app, no reload); then her server restarts while work goes on elsewhere.
    await a.getByRole('link', { name: 'My requests' }).first().click();
    await a.getByText('journey-web-01').first().waitFor(WAIT);
    const port = Number(new URL(primary.origin).port);
    await primary.close();
    await a.locator('[data-connection="reconnecting"]').waitFor(WAIT);
    console.log(`[browser] alice, server down: ${await screenshot(a, 'portal-journey-reconnecting')}`);

    const aliceToken = await other.token(alice);
    const bobToken = await other.token(bob);
    const second = await createRequest(other, aliceToken, projectId, { vmName: 'journey-web-02', size: 'S' });
    const third = await createRequest(other, aliceToken, projectId, { vmName: 'journey-web-03', size: 'L' });
    const approved = dataOf(await http(other.url, bobToken, ApproveVmRequestDocument, { input: { id: second.id, expectedVersion: second.version } })).approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');
    const cancelled = dataOf(await http(other.url, aliceToken, CancelVmRequestDocument, { input: { id: third.id, reason: 'Not needed after all' } })).cancelVmRequest;
    expect(cancelled.__typename).toBe('CancelVmRequestPayload');

    // The same server comes back where alice's page looks for it; it provisions journey-web-02 meanwhile.
    primary = await startPortalServer([alice, bob], { database, auth, port });
    await a.locator('[data-connection="live"]').waitFor(WAIT);
    const row = (name: string) => a.locator('tr', { hasText: name });
    await row('journey-web-03').locator('[data-status="CANCELLED"]').waitFor(WAIT);
    await row('journey-web-02').locator('[data-status="READY"]').waitFor(WAIT);
    console.log(`[browser] alice, after the restart: ${await screenshot(a, 'portal-journey-after-restart')}`);
    expect(await notReloaded(a)).toBe(true);

    // Nothing missed, nothing twice: each request's versions, from its first to its last, each once and in order.
    const finalVersion = async (id: string) =>
      (await database.sql<{ version: number }[]>`select version from vm_requests where id = ${parseGlobalId(id)!.id}`)[0]?.version;
    for (const request of [second, third]) {
      const last = await finalVersion(request.id);
      await expect.poll(() => aliceSide.versions.get(request.id), WAIT).toEqual(upTo(last!));
    }
    expect(aliceSide.errors.filter((line) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(line))).toEqual([]);
    expect(aliceSide.outsideRequests).toEqual([]);
  }, 180_000);
});
