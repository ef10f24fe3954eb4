import { afterEach, describe, expect } from 'vitest';
import { readVmRequest } from '../../../src/commands/index.ts';
import { systemPrincipal } from '../../../src/domain/index.ts';
import {
  createSimulatedHypervisor,
  type Hypervisor,
  loadJob,
  type ProvisioningProcess,
  type SimulatedHypervisor,
  startProvisioning,
  type VmSpec,
} from '../../../src/provisioning/index.ts';
import { FAST, type Harness, provisioningTest } from './support/harness.ts';
import { afterReady, hold, readyRequest, until } from './support/lifecycle.ts';

const processes: ProvisioningProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
});

const quiet = process.env.PROVISIONING_TEST_LOG ? (line: string) => console.log(line) : () => {};

/** Starts a provisioning process reconciling every 40 ms on `hypervisor`. */
const startOn = async (h: Harness, hypervisor: Hypervisor): Promise<ProvisioningProcess> => {
  const started = await startProvisioning({
    sql: h.t.sql,
    store: h.store,
    hypervisor,
    options: { ...FAST, reconcileIntervalMs: 40 },
    log: quiet,
  });
  processes.push(started);
  return started;
};

/** What an operator does in vCenter itself: acts on the request's VM without DVMM. */
const outside = (sim: SimulatedHypervisor, requestId: string) => {
  const vm = sim.vms().find((v) => v.requestId === requestId);
  if (!vm) throw new Error(`no VM for request ${requestId}`);
  const handle = { id: vm.id, name: vm.name };
  const spec = { requestId, name: vm.name } as VmSpec;
  return {
    powerOff: () => sim.powerOff(handle, spec, { attempt: 1 }),
    powerOn: () => sim.powerOn(handle, spec, { attempt: 1 }),
    delete: () => sim.deleteVm(handle, spec, { attempt: 1 }),
  };
};

const stateOf = async (h: Harness, id: string) => {
  const read = await readVmRequest(h.store, systemPrincipal('acme'), id, { system: true });
  if (!read.ok) throw new Error(read.error.message);
  return read.value.state;
};

/** Waits until `p` has finished `rounds` more reconciliation rounds than it had. */
const moreRounds = async (p: ProvisioningProcess, rounds: number) => {
  const from = p.status().reconciliation!.rounds;
  await expect.poll(() => p.status().reconciliation!.rounds, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(from + rounds);
};

describe('reconciliation', () => {
  provisioningTest('a VM powered off (and on again) in the hypervisor directly is recorded as observed, by reconciliation', async ({ h }) => {
    const sim = createSimulatedHypervisor({ stageMs: 5 });
    const p = await startOn(h, sim);
    const id = await readyRequest(h, 'seen-01');

    await outside(sim, id).powerOff();
    const events = await until(h, id, 'VmPowerStateObserved');
    expect(events.at(-1)!.data).toEqual({ powerState: 'OFF' });
    expect(events.at(-1)!.metadata.userId).toBe('system:reconciliation');
    expect(await stateOf(h, id)).toMatchObject({ status: 'READY', powerState: 'OFF' });

    await outside(sim, id).powerOn();
    await expect.poll(async () => (await stateOf(h, id)).powerState, { timeout: 30_000, interval: 25 }).toBe('ON');
    // Nothing more is recorded while the VM stays as recorded.
    await moreRounds(p, 2);
    expect(afterReady(await h.events(id))).toEqual(['VmPowerStateObserved', 'VmPowerStateObserved']);
    expect(p.status().reconciliation).toMatchObject({ leader: true, observed: { powerStates: 2 } });
  });

  provisioningTest('a VM deleted in the hypervisor directly: VmDeletionObserved, DECOMMISSIONED, quota released, recorded once', async ({ h }) => {
    const sim = createSimulatedHypervisor({ stageMs: 5 });
    const p = await startOn(h, sim);
    const id = await readyRequest(h, 'seen-02');
    expect(await hold(h, id)).toEqual({ running: true });

    await outside(sim, id).delete();
    await until(h, id, 'VmDeletionObserved');
    expect(await stateOf(h, id)).toMatchObject({ status: 'DECOMMISSIONED', powerState: null });
    expect(await hold(h, id)).toBeUndefined();
    await expect.poll(async () => (await loadJob(h.t.sql, id))?.outcome, { timeout: 30_000 }).toBe('DECOMMISSIONED');
    await moreRounds(p, 2);
    expect(afterReady(await h.events(id))).toEqual(['VmDeletionObserved']);
  });

  provisioningTest('an error while looking is logged and retried next round; the process carries on', async ({ h }) => {
    const sim = createSimulatedHypervisor({ stageMs: 5 });
    let failures = 0;
    const flaky: Hypervisor = {
      ...sim,
      inspectVm: async (spec, ctx) => {
        if (failures > 0) {
          failures--;
          throw new Error('vCenter went away');
        }
        return sim.inspectVm(spec, ctx);
      },
    };
    const p = await startOn(h, flaky);
    const ready = await readyRequest(h, 'seen-03');
    failures = 2;
    await outside(sim, ready).powerOff();
    await until(h, ready, 'VmPowerStateObserved');
    expect(p.status().reconciliation!.errors).toBeGreaterThanOrEqual(1);
    expect(p.status().reconciliation!.lastError?.message).toContain('vCenter went away');
    expect((await p.check(2_000)).ok).toBe(true);
  });

  provisioningTest('two processes reconciling: one leads, and each change is recorded once', async ({ h }) => {
    const sim = createSimulatedHypervisor({ stageMs: 5 });
    const a = await startOn(h, sim);
    const b = await startOn(h, sim);
    const ids = [await readyRequest(h, 'two-01'), await readyRequest(h, 'two-02'), await readyRequest(h, 'two-03')];
    await expect
      .poll(() => [a, b].filter((p) => p.status().reconciliation!.leader).length, { timeout: 30_000, interval: 20 })
      .toBe(1);

    await outside(sim, ids[0]!).powerOff();
    await outside(sim, ids[1]!).delete();
    await outside(sim, ids[2]!).powerOff();
    await until(h, ids[0]!, 'VmPowerStateObserved');
    await until(h, ids[1]!, 'VmDeletionObserved');
    await until(h, ids[2]!, 'VmPowerStateObserved');
    const leader = [a, b].find((p) => p.status().reconciliation!.leader)!;
    await moreRounds(leader, 3);

    expect(afterReady(await h.events(ids[0]!))).toEqual(['VmPowerStateObserved']);
    expect(afterReady(await h.events(ids[1]!))).toEqual(['VmDeletionObserved']);
    expect(afterReady(await h.events(ids[2]!))).toEqual(['VmPowerStateObserved']);
    // The other one stood by. (The leader's own counts include this file's earlier requests, whose VMs lived in
    // other tests' simulators and are found deleted here.)
    const standby = [a, b].find((p) => p !== leader)!;
    expect(standby.status().reconciliation).toMatchObject({ leader: false, rounds: 0, checked: 0, observed: { powerStates: 0, deletions: 0 } });
  });

  provisioningTest('the same observation made twice at once on one version (a leadership handover) is recorded once', async ({ h }) => {
    const sim = createSimulatedHypervisor({ stageMs: 5 });
    const p = await startOn(h, sim);
    const id = await readyRequest(h, 'twice-01');
    await p.stop();
    const version = (await h.events(id)).length;
    const principal = systemPrincipal('acme', 'system:reconciliation');
    const observe = () =>
      h.commands.observeVmPowerState(
        principal,
        { id, powerState: 'OFF', expectedVersion: version },
        { idempotencyKey: `reconcile:${id}:${version}:power` },
      );
    const results = await Promise.all([observe(), observe()]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(afterReady(await h.events(id))).toEqual(['VmPowerStateObserved']);
    // Made on a version that is gone: CONCURRENCY_CONFLICT, nothing written.
    const stale = await h.commands.observeVmPowerState(principal, { id, powerState: 'ON', expectedVersion: version });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONCURRENCY_CONFLICT' } });
    expect(afterReady(await h.events(id))).toEqual(['VmPowerStateObserved']);
  });
});
