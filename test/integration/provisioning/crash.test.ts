import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { hypervisorVmName, readSimulatorFile } from '../../../src/provisioning/index.ts';
import { killChildren, startChild } from './support/child.ts';
import { FAST, type Harness, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from './support/harness.ts';
import { afterReady, hold, until } from './support/lifecycle.ts';
import { alice } from '../../support/personas.ts';

// The simulated hypervisor of each child keeps its VMs in a file: the hypervisor outlives the killed process.
const dir = mkdtempSync(join(tmpdir(), 'dvmm-provisioning-crash-'));

afterAll(async () => {
  await killChildren();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (h: Harness, stateFile: string) => ({
  url: h.t.url,
  stateFile,
  // Slow enough that the kill lands inside a stage; the network answers well within its timeout.
  stageMs: 400,
  options: { ...FAST, networkTimeoutMs: 10_000 },
});

describe('a provisioning process killed mid-provisioning (SIGKILL) and started again', () => {
  provisioningTest.for([
    ['CLONING', 'while the clone is under way'],
    ['POWERING_ON', 'after the VM was cloned and configured'],
  ] as const)('killed at %s (%s): it finishes, with exactly one VM and every step recorded once', async ([stage], { h }) => {
    const stateFile = join(dir, `${stage}.json`);
    const request = await h.approvedRequest(`crash-${stage.toLowerCase().replace('_', '-')}`);

    const first = await startChild(settings(h, stateFile));
    await expect
      .poll(
        async () => {
          const last = (await h.events(request.id)).at(-1);
          return { type: last?.type, stage: last?.data.stage };
        },
        { timeout: 30_000, interval: 25 },
      )
      .toEqual({ type: 'VmProvisioningProgressed', stage });
    // The stage is recorded before its first hypervisor call: kill once that call is on the hypervisor's record, so
    // the kill lands inside the stage's work rather than between its event and its first call.
    await expect
      .poll(() => readSimulatorFile(stateFile).calls.some((c) => c.pid === first.child.pid), { timeout: 10_000, interval: 5 })
      .toBe(true);
    await first.kill();
    const afterCrash = await h.events(request.id);
    expect(afterCrash[afterCrash.length - 1]?.type).toBe('VmProvisioningProgressed');

    const second = await startChild(settings(h, stateFile));
    const events = await settled(h, request.id);
    await second.stop();

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
    const { vms, calls } = readSimulatorFile(stateFile);
    expect(vms).toHaveLength(1);
    expect(vms[0]).toMatchObject({ name: hypervisorVmName(request.id), powerState: 'on' });
    expect(events[events.length - 1]!.data).toMatchObject({ vmwareVmId: vms[0]!.id });
    // One successful clone in total: the restarted process either found the VM or cloned the only one.
    expect(calls.filter((c) => c.operation === 'clone' && c.outcome === 'ok')).toHaveLength(1);
    expect(calls.filter((c) => c.operation === 'delete')).toEqual([]);
    // The second process did the rest.
    expect(calls.some((c) => c.pid === second.child.pid && c.operation === 'waitForNetwork')).toBe(true);
    expect(calls.some((c) => c.pid === first.child.pid)).toBe(true);
  });
});

describe('a provisioning process killed while a FAILED request\'s VM awaits deletion (SIGKILL) and started again', () => {
  provisioningTest('the restarted process deletes the VM and closes the job; FAILED is recorded once', async ({ h }) => {
    const stateFile = join(dir, 'cleanup.json');
    const id = await h.createRequest('crash-cleanup');
    // The first process meets a vCenter that refuses its credentials once the VM is cloned; the second one does not.
    const refused = { code: 'AUTHENTICATION_FAILED', requestId: id } as const;
    const first = await startChild({
      ...settings(h, stateFile),
      stageMs: 20,
      failures: [
        { ...refused, operation: 'configure' },
        { ...refused, operation: 'find', after: 1 },
        { ...refused, operation: 'delete' },
      ],
    });
    await h.approve(id);
    await expect
      .poll(
        async () => {
          const [job] = await h.t.sql<{ status: string; cleanup_failures: number }[]>`
            select status, cleanup_failures from provisioning_jobs where request_id = ${id}`;
          return { last: (await h.events(id)).at(-1)?.type, job };
        },
        { timeout: 30_000, interval: 25 },
      )
      .toMatchObject({ last: 'VmRequestProvisioningFailed', job: { status: 'CLEANUP', cleanup_failures: expect.any(Number) } });
    await first.kill();
    expect(readSimulatorFile(stateFile).vms.map((vm) => vm.name)).toEqual([hypervisorVmName(id)]);

    const second = await startChild({ ...settings(h, stateFile), stageMs: 20 });
    const events = await settled(h, id);
    await second.stop();

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 5), 'VmRequestProvisioningFailed']);
    expect(events.at(-1)?.data).toMatchObject({ errorCode: 'AUTHENTICATION_FAILED', attempts: 1 });
    const { vms, calls } = readSimulatorFile(stateFile);
    expect(vms).toEqual([]);
    const deleted = calls.filter((c) => c.requestId === id && c.operation === 'delete' && c.outcome === 'ok');
    expect(deleted.map((c) => c.pid)).toEqual([second.child.pid]);
    const [job] = await h.t.sql<{ status: string; outcome: string }[]>`
      select status, outcome from provisioning_jobs where request_id = ${id}`;
    expect(job).toEqual({ status: 'DONE', outcome: 'FAILED' });
  });
});

describe('a provisioning process killed mid-decommission (SIGKILL) and started again', () => {
  provisioningTest('it resumes: the VM is deleted once and the request DECOMMISSIONED', async ({ h }) => {
    const stateFile = join(dir, 'decommission.json');
    const config = { ...settings(h, stateFile), options: { ...FAST, networkTimeoutMs: 10_000, reconcileIntervalMs: 0 } };
    const first = await startChild(config);
    const { id } = await h.approvedRequest('crash-decommission');
    await settled(h, id);
    const decommissioned = await h.commands.requestDecommission(alice, { id, reason: 'crash drill' });
    expect(decommissioned.ok).toBe(true);

    // The decommission powered the VM off and is deleting it (each simulated step takes 400 ms): kill it now.
    await expect
      .poll(() => readSimulatorFile(stateFile).calls.some((c) => c.requestId === id && c.operation === 'powerOff' && c.outcome === 'ok'), {
        timeout: 30_000,
        interval: 25,
      })
      .toBe(true);
    await first.kill();
    expect((await h.events(id)).at(-1)?.type).toBe('VmDecommissionRequested');

    const second = await startChild(config);
    const events = await until(h, id, 'VmDecommissioned');
    await second.stop();

    expect(afterReady(events)).toEqual(['VmDecommissionRequested', 'VmDecommissioned']);
    const { vms, calls } = readSimulatorFile(stateFile);
    expect(vms).toEqual([]);
    expect(calls.filter((c) => c.requestId === id && c.operation === 'delete')).toHaveLength(1);
    expect(calls.filter((c) => c.requestId === id && c.operation === 'powerOff' && c.outcome === 'ok')).toHaveLength(1);
    expect(await hold(h, id)).toBeUndefined();
    // The first process powered the VM off; the second took over where the hypervisor stood (it looked before acting).
    const powerOff = calls.find((c) => c.requestId === id && c.operation === 'powerOff');
    expect(powerOff?.pid).toBe(first.child.pid);
    expect(calls.some((c) => c.requestId === id && c.operation === 'inspect' && c.pid === second.child.pid)).toBe(true);
  });
});
