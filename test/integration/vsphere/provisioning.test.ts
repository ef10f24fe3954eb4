import { afterAll, afterEach, beforeAll, describe, expect, vi } from 'vitest';
import { hypervisorVmName, loadJob, type ProvisioningProcess, startProvisioning } from '../../../src/provisioning/index.ts';
import { createIpAllocator } from '../../../src/provisioning/ip-allocations.ts';
import { createVsphereHypervisor, type VsphereConnectionSettings, type VsphereHypervisor } from '../../../src/provisioning/vsphere/index.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../../support/vcsim.ts';
import { FAST, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from '../provisioning/support/harness.ts';
import { decommission, readyRequest, until } from '../provisioning/support/lifecycle.ts';
import { allocatedAddress, observe, POOL, settingsFor } from './support.ts';

// The provisioning process (startProvisioning, real Postgres) driving the vSphere adapter against the simulator.
const binary = vcsimForTests();
const quiet = process.env.PROVISIONING_TEST_LOG ? (line: string) => console.log(line) : () => {};

let vcsim: Vcsim;
let seen: ReturnType<typeof observe>;
let running: { process: ProvisioningProcess; hypervisor: VsphereHypervisor } | null = null;

beforeAll(async () => {
  if (binary === null) return;
  vcsim = await startVcsim();
  seen = observe(vcsim);
});
afterEach(async () => {
  await running?.process.stop();
  await running?.hypervisor.close();
  running = null;
});
afterAll(async () => {
  await seen?.close();
  await vcsim?.close();
});

/** provisioningTest with `start`: a provisioning process whose hypervisor is the adapter on these settings. */
const vsphereTest = provisioningTest.extend('start', ({ h }) => async (overrides: Partial<VsphereConnectionSettings> = {}) => {
  const hypervisor = createVsphereHypervisor(settingsFor(vcsim, overrides), { production: true, ipAllocator: createIpAllocator(h.t.sql) });
  const process = await startProvisioning({
    sql: h.t.sql,
    store: h.store,
    hypervisor,
    options: { ...FAST, networkTimeoutMs: 20_000 },
    log: quiet,
  });
  running = { process, hypervisor };
});

describe.skipIf(binary === null)('provisioning on the vCenter simulator', () => {
  vsphereTest('READY with the VM moref, its hostname and its pool address; the VM sized and running', async ({ h, start }) => {
    await start();
    const request = await h.approvedRequest('shop-01');
    const events = await settled(h, request.id, 60_000);

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
    const vm = await seen.vm(hypervisorVmName(request.id));
    const address = await allocatedAddress(h.t.sql, 'acme', request.id);
    expect(address).toMatch(/^10\.20\.0\.\d+$/);
    expect(events.at(-1)?.data).toEqual({ vmwareVmId: vm?.id, hostname: `shop-01.${POOL.dnsDomain}`, ipAddress: address });
    expect(vm).toMatchObject({ folder: vcsim.inventory.folder, numCpu: 4, memoryMb: 8192, powerState: 'poweredOn', ipAddress: address });
    expect(vm?.disksKb[0]).toBe(100 * 1024 * 1024);
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({ status: 'DONE', outcome: 'READY', attempt: 1 });
  });

  vsphereTest('a missing template: FAILED with TEMPLATE_NOT_FOUND at the first attempt, nothing cloned', async ({ h, start }) => {
    await start({ defaultTemplate: 'windows-3.11' });
    const request = await h.approvedRequest('shop-02');
    const events = await settled(h, request.id, 60_000);

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 4), 'VmRequestProvisioningFailed']);
    expect(events.at(-1)?.data).toMatchObject({ errorCode: 'TEMPLATE_NOT_FOUND', attempts: 1 });
    expect(String(events.at(-1)?.data.errorMessage)).toContain('windows-3.11');
    expect(await seen.vmsNamed(hypervisorVmName(request.id))).toEqual([]);
  });

  vsphereTest('wrong credentials: FAILED at once with AUTHENTICATION_FAILED; the cleanup it owes ends once vCenter answers', async ({ h, start }) => {
    await start({ password: 'not-the-password' });
    const request = await h.approvedRequest('shop-03');
    // The attempt is given up at once, and the request FAILED without waiting for vCenter; whether an earlier attempt
    // left a VM can only be asked once it accepts the credentials: until then the job owes that (CLEANUP).
    const failed = await vi.waitFor(
      async () => {
        const last = (await h.events(request.id)).at(-1);
        expect(last?.type).toBe('VmRequestProvisioningFailed');
        return last!;
      },
      { timeout: 30_000, interval: 50 },
    );
    expect(failed.data).toMatchObject({ errorCode: 'AUTHENTICATION_FAILED', attempts: 1 });
    expect(String(failed.data.errorMessage)).toContain('InvalidLogin');
    await expect
      .poll(() => loadJob(h.t.sql, request.id), { timeout: 30_000, interval: 50 })
      .toMatchObject({ status: 'CLEANUP', lastErrorCode: 'AUTHENTICATION_FAILED', attempt: 1 });

    await running?.process.stop();
    await running?.hypervisor.close();
    await start();
    const events = await settled(h, request.id, 60_000);
    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 4), 'VmRequestProvisioningFailed']);
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({ status: 'DONE', outcome: 'FAILED' });
    expect(await seen.vmsNamed(hypervisorVmName(request.id))).toEqual([]);
  });

  vsphereTest('a decommission with wrong credentials: VmOperationFailed with AUTHENTICATION_FAILED, the VM stays READY', async ({ h, start }) => {
    await start();
    const id = await readyRequest(h, 'shop-05');
    await running?.process.stop();
    await running?.hypervisor.close();
    await start({ password: 'not-the-password' });
    await decommission(h, id);
    const events = await until(h, id, 'VmOperationFailed', 60_000);
    expect(events.at(-1)?.data).toMatchObject({ operation: 'DECOMMISSION', errorCode: 'AUTHENTICATION_FAILED', attempts: 1 });
    expect(await loadJob(h.t.sql, id)).toMatchObject({ kind: 'DECOMMISSION', status: 'DONE', outcome: 'OPERATION_FAILED' });
    expect(await seen.vm(hypervisorVmName(id))).toMatchObject({ powerState: 'poweredOn' });
  });

  vsphereTest('a failure after the clone: compensation deletes the VM, then FAILED with the code', async ({ h, start }) => {
    // The network is resolved when the clone is configured: the VM exists by then.
    await start({ network: 'No Such Network' });
    const request = await h.approvedRequest('shop-04');
    const events = await settled(h, request.id, 60_000);

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 5), 'VmRequestProvisioningFailed']);
    expect(events.at(-1)?.data).toMatchObject({ errorCode: 'NETWORK_NOT_FOUND', attempts: 1 });
    expect(await seen.vmsNamed(hypervisorVmName(request.id))).toEqual([]);
    expect(await allocatedAddress(h.t.sql, 'acme', request.id)).toBeNull();
  });
});
