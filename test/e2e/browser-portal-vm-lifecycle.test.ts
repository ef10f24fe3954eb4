import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { systemPrincipal } from '../../src/domain/index.ts';
import { createEventStore } from '../../src/event-store/index.ts';
import { idOf } from '../../src/graphql/ids.ts';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob, TENANT } from '../support/personas.ts';
import { markNotReloaded, notReloaded, seriousAccessibilityViolations, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { AddProjectMemberDocument, ApproveVmRequestDocument, CreateProjectDocument, PowerOnVmDocument, VmLifeDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// A READY VM's life in real Chromium against a real server (simulated hypervisor, power operations taking a moment):
// alice powers her VM off (a first attempt fails and says why), on, sees reconciliation's finding that it was
// powered off in vCenter, and decommissions it through the dialog, while bob powers it on meanwhile through the API:
// her first confirmation is refused with the state as it is now. Every change arrives live; the page never reloads.

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };

describe.skipIf(chromiumPath === null)("a READY VM's power and decommissioning in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let bobToken: string;
  let aliceToken: string;
  let request: { id: string; vmName: string };
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob], {
      provisioning: { stageMs: 150, durations: { powerOff: 1_500, powerOn: 1_500, delete: 1_500 } },
    });
    browser = await launchChromium(chromiumPath!);
    bobToken = await server.token(bob);
    aliceToken = await server.token(alice);
    const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name: 'Power lab' } })).createProject;
    if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
    const projectId = created.project.id;
    const added = dataOf(await http(server.url, bobToken, AddProjectMemberDocument, { input: { projectId, userId: 'alice', role: 'MEMBER' } }));
    expect(added.addProjectMember.__typename).toBe('AddProjectMemberPayload');
    const made = await createRequest(server, aliceToken, projectId, { vmName: 'power-vm-01', size: 'S' });
    request = { id: made.id, vmName: made.vmName };
    const approved = dataOf(await http(server.url, bobToken, ApproveVmRequestDocument, { input: { id: made.id, expectedVersion: made.version } }));
    expect(approved.approveVmRequest.__typename).toBe('ApproveVmRequestPayload');
    await vi.waitFor(async () => expect((await now()).status).toBe('READY'), LIVE);
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  const now = async () => dataOf(await http(server.url, aliceToken, VmLifeDocument, { id: request.id })).vmRequest!;
  const power = (page: Page) => page.locator('[data-vm-state] [data-power]');
  const powerOf = async (page: Page) => {
    const badge = power(page);
    return `${await badge.getAttribute('data-power')} ${(await badge.getAttribute('data-pending')) ?? '-'}`;
  };

  it('power off (a failure first, then done), on, a change found in vCenter, and decommissioning through the dialog, all live', async () => {
    const watched = await openPage(browser);
    pages.push(watched);
    const { page } = watched;
    await signInAs(page, server.origin, 'alice', '/');
    await markNotReloaded(page);
    // Her list shows the READY VM's power.
    const listed = page.locator(`tr[data-request-id="${request.id}"] [data-power]`);
    await listed.waitFor(LIVE);
    expect(await listed.getAttribute('data-power')).toBe('ON');
    await page.getByRole('link', { name: request.vmName }).click();
    await page.getByRole('heading', { name: request.vmName, level: 1 }).waitFor();
    const section = page.getByRole('region', { name: 'Virtual machine' });
    const powerOff = section.getByRole('button', { name: 'Power off' });
    const powerOn = section.getByRole('button', { name: 'Power on' });
    const decommission = section.getByRole('button', { name: 'Decommission…' });
    expect(await powerOf(page)).toBe('ON -');
    expect(await power(page).innerText()).toContain('On');
    expect(await powerOn.count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] READY VM, on: ${await screenshot(page, 'portal-vm-on')}`);

    // The hypervisor refuses the first power off: it is shown pending, then the failure with its code, the VM still on.
    server.provisioning!.hypervisor.inject({ operation: 'powerOff', code: 'VM_CONFIG_INVALID', times: 1, message: 'The VM is locked by a backup job' });
    await powerOff.click();
    await expect.poll(() => powerOf(page), LIVE).toBe('ON POWER_OFF');
    expect(await power(page).innerText()).toContain('Powering off…');
    expect(await powerOff.isDisabled()).toBe(true);
    const failure = section.locator('[data-operation-failure]');
    await failure.waitFor(LIVE);
    expect(await failure.getAttribute('data-operation-failure')).toBe('POWER_OFF');
    expect(await failure.innerText()).toMatch(/Power off failed.*after 1 attempt: VM_CONFIG_INVALID The VM is locked by a backup job/s);
    expect(await powerOf(page)).toBe('ON -');
    expect(await powerOff.isEnabled()).toBe(true);
    console.info(`[browser] power off failed: ${await screenshot(page, 'portal-vm-power-off-failed')}`);

    // Again: pending, then off; the failure is gone and Power on is offered.
    await powerOff.click();
    await expect.poll(() => powerOf(page), LIVE).toBe('ON POWER_OFF');
    // The live feed may show the pending operation before the mutation's own answer re-enables the page's buttons.
    await expect.poll(() => decommission.isEnabled(), LIVE).toBe(true);
    console.info(`[browser] powering off: ${await screenshot(page, 'portal-vm-powering-off')}`);
    await expect.poll(() => powerOf(page), LIVE).toBe('OFF -');
    await expect.poll(() => failure.count(), LIVE).toBe(0);
    expect(await powerOff.count()).toBe(0);
    await powerOn.click();
    await expect.poll(() => powerOf(page), LIVE).toBe('OFF POWER_ON');
    await expect.poll(() => powerOf(page), LIVE).toBe('ON -');
    expect((await now()).powerState).toBe('ON');

    // Reconciliation finds it powered off in vCenter, outside DVMM: the page follows with no click.
    const commands = createCommandHandlers(createEventStore(server.database.sql));
    const observed = await commands.observeVmPowerState(systemPrincipal(TENANT), { id: idOf(request.id, 'VmRequest')!, powerState: 'OFF' });
    expect(observed.ok).toBe(true);
    await expect.poll(() => powerOf(page), LIVE).toBe('OFF -');
    await page.locator('[data-timeline-type="POWER_STATE_OBSERVED"]').waitFor(LIVE);
    expect(await page.locator('[data-timeline-type="POWER_STATE_OBSERVED"]').innerText()).toContain('Power changed in vCenter');

    // Decommission with the keyboard; while the dialog is open bob powers the VM on through the API.
    await decommission.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Decommission ${request.vmName}?` });
    await dialog.waitFor();
    const reason = dialog.getByLabel('Reason (optional)');
    await expect.poll(() => reason.evaluate((input) => input === document.activeElement)).toBe(true);
    await page.keyboard.type('The load tests are over');
    expect(await dialog.locator('[data-state-now]').innerText()).toBe('The VM is Off now.');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    const seen = await now();
    const bobs = dataOf(await http(server.url, bobToken, PowerOnVmDocument, { input: { id: request.id, expectedVersion: seen.version } })).powerOnVm;
    expect(bobs.__typename).toBe('PowerOnVmPayload');
    await expect.poll(() => dialog.locator('[data-state-now]').innerText(), LIVE).toMatch(/^The VM is On(, powering on…)? now\.$/);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const refusal = dialog.locator('[data-dialog-alert]');
    await expect.poll(() => refusal.innerText(), LIVE).toContain('Someone else changed this VM since you looked at it, so it was not decommissioned.');
    expect(await reason.getAttribute('aria-invalid')).toBeNull();
    expect((await now()).status).toBe('READY');
    console.info(`[browser] decommission refused, changed meanwhile: ${await screenshot(page, 'portal-vm-decommission-refused')}`);

    // Once bob's power on is done, alice confirms again on the state she now sees.
    await expect.poll(() => dialog.locator('[data-state-now]').innerText(), LIVE).toBe('The VM is On now.');
    await dialog.getByRole('button', { name: `Decommission ${request.vmName}` }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => powerOf(page), LIVE).toBe('ON DECOMMISSION');
    expect(await power(page).innerText()).toContain('Decommissioning…');
    const outcome = page.locator('[data-outcome="DECOMMISSIONED"]');
    await outcome.waitFor(LIVE);
    expect(await outcome.innerText()).toContain('The VM was deleted as requested. Its quota is released');
    expect(await outcome.locator('[data-decommissioned-at] time').getAttribute('datetime')).toBe((await now()).decommissionedAt);
    expect(await page.locator('.detail-status [data-status]').getAttribute('data-status')).toBe('DECOMMISSIONED');
    expect(await section.count()).toBe(0);
    const timeline = await page.locator('[data-timeline-type]').evaluateAll((items) => items.map((item) => item.getAttribute('data-timeline-type')));
    expect(timeline.at(-1)).toBe('DECOMMISSIONED');
    expect(timeline).toContain('DECOMMISSION_REQUESTED');
    expect(await page.locator('[data-timeline-type="DECOMMISSION_REQUESTED"]').innerText()).toContain('The load tests are over');
    const final = await now();
    expect(final).toMatchObject({ status: 'DECOMMISSIONED', powerState: null, pendingOperation: null, decommissionedAt: expect.any(String) });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] decommissioned: ${await screenshot(page, 'portal-vm-decommissioned')}`);

    // The list knows the final status: its badge, and a filter tab counting it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
    const row = page.locator(`tr[data-request-id="${request.id}"]`);
    await expect.poll(() => row.locator('[data-status]').getAttribute('data-status'), LIVE).toBe('DECOMMISSIONED');
    const tab = page.locator('[data-status-tab="DECOMMISSIONED"]');
    expect(await tab.innerText()).toBe('Decommissioned 1');
    await tab.click();
    await expect.poll(() => page.locator('tr[data-request-id]').count(), LIVE).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] decommissioned in the list: ${await screenshot(page, 'portal-vm-decommissioned-list')}`);

    expect(await notReloaded(page)).toBe(true);
    expect(watched.errors).toEqual([]);
  }, 240_000);
});
