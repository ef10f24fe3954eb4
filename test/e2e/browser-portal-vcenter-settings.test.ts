import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { alice, bob } from '../support/personas.ts';
import { markNotReloaded, notReloaded, seriousAccessibilityViolations, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../support/vcsim.ts';
import {
  AddProjectMemberDocument,
  ApproveVmRequestDocument,
  CreateProjectDocument,
  SetVmwareConnectionDocument,
  VmRequestDocument,
  VmwareConnectionDocument,
} from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest } from './graphql-fixtures.ts';

// The tenant's vCenter connection page in real Chromium against a real server and govmomi's vCenter simulator, on a
// server that simulates nothing and refuses skipping certificate checks (production rules): bob (tenant admin) types
// the settings (an approval refused for want of a connection leads him there), the server refuses "skip certificate verification" on its checkbox, Test connection signs in to the
// simulator, a wrong password is AUTHENTICATION_FAILED, the saved settings come back after a reload (the password only
// as "set"), a request approved then becomes READY on the simulator; a change made meanwhile reloads the form, and
// Remove asks first. alice (a user) gets "not allowed".

const chromiumPath = chromiumForTests();
const vcsimPath = vcsimForTests();
const LIVE = { timeout: 60_000 };

describe.skipIf(chromiumPath === null || vcsimPath === null)('the vCenter connection page in Chromium, against the vCenter simulator', () => {
  let server: TestServer;
  let vcsim: Vcsim;
  let browser: Browser;
  let bobToken: string;
  let aliceToken: string;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    vcsim = await startVcsim();
    server = await startPortalServer([alice, bob], {
      provisioning: { stageMs: 150 },
      vmware: { production: true, simulateUnconfigured: false, routeTenants: true },
    });
    browser = await launchChromium(chromiumPath!);
    bobToken = await server.token(bob);
    aliceToken = await server.token(alice);
    const created = dataOf(await http(server.url, bobToken, CreateProjectDocument, { input: { name: 'vCenter lab' } })).createProject;
    if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
    projectId = created.project.id;
    const added = dataOf(await http(server.url, bobToken, AddProjectMemberDocument, { input: { projectId, userId: 'alice', role: 'MEMBER' } }));
    expect(added.addProjectMember.__typename).toBe('AddProjectMemberPayload');
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
    await vcsim?.close();
  });

  async function signedIn(userId: string, path: string): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    await signInAs(watched.page, server.origin, userId, path);
    await watched.page.getByRole('heading', { level: 1 }).waitFor();
    return watched;
  }
  const saved = async () => dataOf(await http(server.url, bobToken, VmwareConnectionDocument, {})).vmwareConnection;
  const errorOf = async (page: Page, label: string) => {
    const input = page.getByLabel(label, { exact: false }).first();
    const id = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').find((each) => each.endsWith('-error'));
    return id ? page.locator(`[id="${id}"]`).innerText() : null;
  };
  /** Types into a field as a person would: focus, select what is there, type. */
  const type = async (page: Page, label: string, text: string) => {
    const input = page.getByLabel(label, { exact: true });
    await input.focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
    await input.pressSequentially(text);
  };

  it('a user is not allowed: no link in the header, the page says so', async () => {
    const { page, errors } = await signedIn('alice', '/settings/vcenter');
    await page.getByRole('heading', { name: 'vCenter connection', level: 1 }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'You are not allowed to see this page' }).count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'vCenter' }).count()).toBe(0);
    expect(await page.locator('form.vcenter-form').count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('bob types the settings: a refused field, Test ok, a wrong password, Save, reload, provisioning on the simulator, a change meanwhile, Remove', async () => {
    // Without a connection, approving is refused, and the refusal leads to the page.
    const request = await createRequest(server, aliceToken, projectId, { vmName: 'vcsim-vm-01', size: 'S' });
    const watched = await signedIn('bob', '/approvals');
    const { page } = watched;
    await page.getByRole('button', { name: `Approve ${request.vmName}` }).click();
    const notice = page.getByRole('alert').filter({ hasText: `Could not approve ${request.vmName}` });
    await notice.waitFor(LIVE);
    expect(await notice.innerText()).toMatch(/vCenter connection/);
    expect((await http(server.url, aliceToken, VmRequestDocument, { id: request.id }).then(dataOf)).vmRequest!.status).toBe('PENDING');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'vCenter' }).count()).toBe(1);
    await notice.getByRole('link', { name: 'Set the vCenter connection' }).click();
    await page.getByRole('heading', { name: 'vCenter connection', level: 1 }).waitFor();
    await page.getByText('No connection is saved').waitFor();
    await markNotReloaded(page);
    const inventory = vcsim.inventory;
    await type(page, 'SDK URL', vcsim.sdkUrl);
    await type(page, 'User', vcsim.username);
    await type(page, 'Password', vcsim.password);
    await type(page, 'Datacenter', inventory.datacenter);
    await type(page, 'Cluster (optional)', inventory.cluster);
    await type(page, 'Datastore', inventory.datastore);
    await type(page, 'VM folder (optional)', inventory.folder);
    await type(page, 'Network', inventory.network);
    await type(page, 'Template for size S (optional)', 'ubuntu-22.04');
    await type(page, 'Template for size M (optional)', 'ubuntu-22.04');
    await type(page, 'Default template (optional)', 'rhel-9');
    await page.getByLabel('Fixed addresses from an IP pool').check();
    await type(page, 'Pool (CIDR)', '10.20.0.0/24');
    await type(page, 'Gateway', '10.20.0.1');
    await type(page, 'DNS servers (optional)', '10.20.0.2, 10.20.0.3');
    await type(page, 'DNS domain (optional)', 'lab.example.com');
    // Pasted, as one would a certificate.
    await page.getByLabel('CA certificate (PEM) (optional)').fill(vcsim.caPem);

    // Production refuses skipping certificate checks: the error is on the checkbox, with focus, and nothing is saved.
    const insecure = page.getByLabel('Skip certificate verification');
    await insecure.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => insecure.getAttribute('aria-invalid')).toBe('true');
    expect(await errorOf(page, 'Skip certificate verification')).toContain('refused in production');
    await expect.poll(() => insecure.evaluate((box) => box === document.activeElement)).toBe(true);
    expect(await saved()).toBeNull();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] vCenter form, refused field: ${await screenshot(page, 'portal-vcenter-refused-field')}`);
    await page.keyboard.press('Space');
    expect(await insecure.isChecked()).toBe(false);
    expect(await insecure.getAttribute('aria-invalid')).toBeNull();

    // Test connection tries the unsaved form against the simulator.
    const result = page.locator('[data-test-result]');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => result.getAttribute('data-test-result'), LIVE).toBe('ok');
    expect(await result.innerText()).toMatch(/Connection works: signed in and found every object \(\d+ ms\)/);
    console.info(`[browser] vCenter test ok: ${await screenshot(page, 'portal-vcenter-test-ok')}`);

    await type(page, 'Password', 'not-the-password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => result.getAttribute('data-test-result'), LIVE).toBe('failed');
    expect(await result.innerText()).toContain('Connection failed: AUTHENTICATION_FAILED');
    expect(await saved()).toBeNull();
    console.info(`[browser] vCenter test failed: ${await screenshot(page, 'portal-vcenter-test-failed')}`);

    // The right password again, and save with the keyboard (Enter in a field submits).
    await type(page, 'Password', vcsim.password);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Connection saved.' }).waitFor(LIVE);
    expect(await page.getByLabel('Password', { exact: false }).inputValue()).toBe('');
    await page.locator('[data-password-set]').waitFor();
    const stored = (await saved())!;
    expect(stored).toMatchObject({
      version: 1,
      url: vcsim.sdkUrl,
      username: vcsim.username,
      passwordSet: true,
      datacenter: 'DC0',
      cluster: 'DC0_C0',
      resourcePool: null,
      datastore: 'LocalDS_0',
      folder: 'dvmm',
      network: 'VM Network',
      defaultTemplate: 'rhel-9',
      ipPool: { cidr: '10.20.0.0/24', gateway: '10.20.0.1', dnsServers: ['10.20.0.2', '10.20.0.3'], dnsDomain: 'lab.example.com' },
      tls: { insecure: false },
    });
    expect(stored.templates).toEqual([
      { size: 'S', template: 'ubuntu-22.04' },
      { size: 'M', template: 'ubuntu-22.04' },
    ]);
    expect(stored.tls.caPem?.trim()).toBe(vcsim.caPem.trim());
    expect(await notReloaded(page)).toBe(true);

    // A reload shows what is saved, the password only as set.
    await page.reload();
    await page.getByLabel('SDK URL').waitFor();
    expect(await page.getByLabel('SDK URL').inputValue()).toBe(vcsim.sdkUrl);
    expect(await page.getByLabel('Datastore').inputValue()).toBe('LocalDS_0');
    expect(await page.getByLabel('Template for size M (optional)').inputValue()).toBe('ubuntu-22.04');
    expect(await page.getByLabel('Template for size L (optional)').inputValue()).toBe('');
    expect(await page.getByLabel('DNS servers (optional)').inputValue()).toBe('10.20.0.2, 10.20.0.3');
    expect(await page.getByLabel('Fixed addresses from an IP pool').isChecked()).toBe(true);
    expect(await page.getByLabel('Password (optional)').inputValue()).toBe('');
    expect(await page.locator('[data-password-set]').innerText()).toBe('A password is set.');
    expect(await page.getByText('Saved by bob').count()).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    console.info(`[browser] vCenter saved, reloaded: ${await screenshot(page, 'portal-vcenter-saved')}`);
    // The saved password tests fine without being typed again.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => result.getAttribute('data-test-result'), LIVE).toBe('ok');
    await markNotReloaded(page);

    // With nothing simulated, the request approved now is cloned in the simulator.
    const approved = dataOf(await http(server.url, bobToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: request.version } }));
    expect(approved.approveVmRequest.__typename).toBe('ApproveVmRequestPayload');
    const current = async () => dataOf(await http(server.url, aliceToken, VmRequestDocument, { id: request.id })).vmRequest!;
    await vi.waitFor(async () => expect((await current()).status).toMatch(/READY|FAILED/), LIVE);
    expect(await current()).toMatchObject({ status: 'READY', vmwareVmId: expect.stringMatching(/^vm-\d+$/) });

    // Another admin changes the connection meanwhile: bob's save is refused and the form shows what is saved now.
    const elsewhere = dataOf(
      await http(server.url, bobToken, SetVmwareConnectionDocument, {
        input: {
          expectedVersion: stored.version,
          connection: {
            url: stored.url,
            username: stored.username,
            datacenter: stored.datacenter,
            cluster: stored.cluster,
            datastore: stored.datastore,
            folder: stored.folder,
            network: stored.network,
            templates: stored.templates.map(({ size, template }) => ({ size, template })),
            defaultTemplate: stored.defaultTemplate,
            ipPool: { ...stored.ipPool!, dnsDomain: 'other.example.com' },
            tls: { caPem: stored.tls.caPem, insecure: false },
          },
        },
      }),
    ).setVmwareConnection;
    expect(elsewhere.__typename).toBe('SetVmwareConnectionPayload');
    await type(page, 'VM folder (optional)', '');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.locator('[data-form-alert]');
    await expect.poll(() => alert.innerText(), LIVE).toContain('The connection was changed meanwhile, so nothing was saved.');
    expect(await page.getByLabel('DNS domain (optional)').inputValue()).toBe('other.example.com');
    expect(await page.getByLabel('VM folder (optional)').inputValue()).toBe('dvmm');
    expect((await saved())!.folder).toBe('dvmm');
    console.info(`[browser] vCenter changed meanwhile: ${await screenshot(page, 'portal-vcenter-concurrency')}`);

    // Remove asks first; Escape keeps it, confirming removes it.
    await page.getByRole('button', { name: 'Remove…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the vCenter connection?' });
    await dialog.waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await saved()).not.toBeNull();
    await page.getByRole('button', { name: 'Remove…' }).click();
    await dialog.getByRole('button', { name: 'Remove connection' }).click();
    await page.getByRole('status').filter({ hasText: 'Connection removed.' }).waitFor(LIVE);
    expect(await saved()).toBeNull();
    expect(await page.getByLabel('SDK URL').inputValue()).toBe('');
    expect(await page.getByText('No connection is saved').count()).toBe(1);

    expect(await notReloaded(page)).toBe(true);
    expect(watched.errors).toEqual([]);
  }, 300_000);
});
