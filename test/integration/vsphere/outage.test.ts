import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { hypervisorVmName, loadJob, type ProvisioningProcess, startProvisioning } from '../../../src/provisioning/index.ts';
import { createIpAllocator } from '../../../src/provisioning/ip-allocations.ts';
import { createVsphereHypervisor, type VsphereHypervisor, type VsphereOptions } from '../../../src/provisioning/vsphere/index.ts';
import { startVcsim, type Vcsim, vcsimForTests } from '../../support/vcsim.ts';
import { FAST, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from '../provisioning/support/harness.ts';
import { observe, settingsFor, specFor } from './support.ts';

// vCenter going away and coming back: the simulator stopped while it holds a CloneVM_Task, then restarted on the same
// port with a fresh inventory (the session is gone, the half-made clone too).
const binary = vcsimForTests();
const ctx = { attempt: 1 };

let vcsim: Vcsim;
let seen: ReturnType<typeof observe>;
const closing: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (binary === null) return;
  vcsim = await startVcsim({ methodDelayMs: { CloneVM_Task: 3_000 } });
  seen = observe(vcsim);
});
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});
afterAll(async () => {
  await seen?.close();
  await vcsim?.close();
});

const adapterTest = provisioningTest.extend('adapter', ({ h }) => (options: Partial<VsphereOptions> = {}) => {
  const lines: string[] = [];
  const hypervisor = createVsphereHypervisor(settingsFor(vcsim), {
    production: true,
    ipAllocator: createIpAllocator(h.t.sql),
    log: (line) => lines.push(line),
    ...options,
  });
  closing.push(() => hypervisor.close());
  return Object.assign(hypervisor, { lines }) as VsphereHypervisor & { lines: string[] };
});

describe.skipIf(binary === null)('vCenter outages', () => {
  adapterTest('a restarted vCenter: the adapter logs in again by itself and finds the objects anew', async ({ adapter }) => {
    const hv = adapter();
    await hv.check(ctx);
    await vcsim.restart();
    // The old session cookie is refused (NotAuthenticated): one new login, then the call goes through.
    await expect(hv.check(ctx)).resolves.toBeUndefined();
    expect(await hv.inspectVm(specFor(randomUUID()), ctx)).toBeNull();
  });

  adapterTest('a call that outlives its own limit is CONNECTION_TIMEOUT, retryable', async ({ adapter }) => {
    const spec = specFor(randomUUID(), 'S');
    const error = await adapter({ callTimeoutMs: 500 }).cloneFromTemplate(spec, ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECTION_TIMEOUT', retryable: true });
    expect((error as Error).message).toContain('CloneVM_Task');
    // vCenter carries on with what it was asked: the clone lands later, and is removed like any leftover.
    await expect.poll(async () => (await seen.vmsNamed(spec.name)).length, { timeout: 30_000, interval: 100 }).toBe(1);
    const hv = adapter();
    const vm = await hv.findVmByName(spec, ctx);
    await hv.deleteVm(vm ?? { id: 'none', name: spec.name }, spec, ctx);
    expect(await seen.vmsNamed(spec.name)).toEqual([]);
  });

  adapterTest('vCenter stopped mid-clone: the attempt fails with CONNECTION_FAILED, the retry after the restart is READY', async ({
    h,
    adapter,
  }) => {
    const hypervisor = adapter();
    const running: ProvisioningProcess = await startProvisioning({
      sql: h.t.sql,
      store: h.store,
      hypervisor,
      options: { ...FAST, networkTimeoutMs: 20_000 },
      log: () => {},
    });
    closing.unshift(() => running.stop());
    const request = await h.approvedRequest('outage-01');
    const name = hypervisorVmName(request.id);

    await expect.poll(() => hypervisor.lines.some((l) => l.includes(`cloning ${name}`)), { timeout: 30_000, interval: 10 }).toBe(true);
    await vcsim.stop();
    // Given up as an outage; the retry waits for compensation, which needs vCenter back to look for a leftover VM.
    await expect
      .poll(() => loadJob(h.t.sql, request.id), { timeout: 30_000, interval: 50 })
      .toMatchObject({ status: 'RETRYING', lastErrorCode: 'CONNECTION_FAILED', attempt: 1 });

    await vcsim.restart();
    const events = await settled(h, request.id, 60_000);
    expect(sequence(events)).toEqual([
      ...PROVISIONED_SEQUENCE.slice(0, 4),
      'VmProvisioningRetryScheduled:1',
      ...PROVISIONED_SEQUENCE.slice(3),
      'VmRequestReady',
    ]);
    expect(events.find((e) => e.type === 'VmProvisioningRetryScheduled')?.data).toMatchObject({ errorCode: 'CONNECTION_FAILED' });
    const vms = await seen.vmsNamed(name);
    expect(vms).toHaveLength(1);
    expect(events.at(-1)?.data).toMatchObject({ vmwareVmId: vms[0]?.id, ipAddress: vms[0]?.ipAddress });
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({ status: 'DONE', outcome: 'READY', attempt: 2 });
  });
});
