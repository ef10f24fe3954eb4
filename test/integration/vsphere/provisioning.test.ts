import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { hypervisorVmName, loadJob, type ProvisioningProcess, startProvisioning } from '../../../src/provisioning/index.ts';
import { createIpAllocator } from '../../../src/provisioning/ip-allocations.ts';
import { createVsphereHypervisor, type VsphereConnectionSettings, type VsphereHypervisor } from '../../../src/provisioning/vsphere/index.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../../support/vcsim.ts';
import { FAST, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from '../provisioning/support/harness.ts';
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

  vsphereTest('wrong credentials: AUTHENTICATION_FAILED, not retried; FAILED once vCenter can be asked again', async ({ h, start }) => {
    await start({ password: 'not-the-password' });
    const request = await h.approvedRequest('shop-03');
    // The attempt is given up at once; compensation (is there a VM to delete?) needs vCenter to answer, so the request
    // waits in FAILING until it does: a VM left by an earlier attempt must not be forgotten.
    await expect
      .poll(() => loadJob(h.t.sql, request.id), { timeout: 30_000, interval: 50 })
      .toMatchObject({ status: 'FAILING', lastErrorCode: 'AUTHENTICATION_FAILED', attempt: 1 });
    expect(String((await loadJob(h.t.sql, request.id))?.lastErrorMessage)).toContain('InvalidLogin');

    await running?.process.stop();
    await running?.hypervisor.close();
    await start();
    const events = await settled(h, request.id, 60_000);
    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 4), 'VmRequestProvisioningFailed']);
    expect(events.at(-1)?.data).toMatchObject({ errorCode: 'AUTHENTICATION_FAILED', attempts: 1 });
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
