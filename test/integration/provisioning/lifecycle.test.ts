import { afterEach, describe, expect } from 'vitest';
import { readVmRequest } from '../../../src/commands/index.ts';
import { systemPrincipal } from '../../../src/domain/index.ts';
import {
  createSimulatedHypervisor,
  type Hypervisor,
  hypervisorVmName,
  loadJob,
  type ProvisioningOptions,
  type ProvisioningProcess,
  type SimulatedHypervisor,
  type SimulatedHypervisorOptions,
  startProvisioning,
} from '../../../src/provisioning/index.ts';
import { alice, bob, carol } from '../../support/personas.ts';
import { FAST, type Harness, provisioningTest } from './support/harness.ts';
import { afterReady, decommission, hold, powerOff, powerOn, readyRequest, until } from './support/lifecycle.ts';

let running: ProvisioningProcess | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

const quiet = process.env.PROVISIONING_TEST_LOG ? (line: string) => console.log(line) : () => {};

const processTest = provisioningTest.extend(
  'start',
  ({ h }) =>
    async (
      simulator: SimulatedHypervisorOptions = {},
      options: Partial<ProvisioningOptions> = {},
      wrap: (sim: SimulatedHypervisor) => Hypervisor = (sim) => sim,
    ): Promise<SimulatedHypervisor> => {
      const sim = createSimulatedHypervisor({ stageMs: 10, ...simulator });
      running = await startProvisioning({
        sql: h.t.sql,
        store: h.store,
        hypervisor: wrap(sim),
        // Reconciliation has its own tests: here it would only look at VMs of other tests' simulators.
        options: { ...FAST, reconcileIntervalMs: 0, ...options },
        log: quiet,
      });
      return sim;
    },
);

const stateOf = async (h: Harness, id: string) => {
  const read = await readVmRequest(h.store, systemPrincipal('acme'), id, { system: true });
  if (!read.ok) throw new Error(read.error.message);
  return read.value.state;
};

describe('power off, power on, decommission', () => {
  processTest('power off → OFF, power on → ON, decommission → DECOMMISSIONED: VM deleted, quota hold released', async ({ h, start }) => {
    const sim = await start();
    const id = await readyRequest(h, 'life-01');
    expect(await hold(h, id)).toEqual({ running: true });

    const off = await powerOff(h, id);
    expect(off.state).toMatchObject({ status: 'READY', pendingOperation: 'POWER_OFF', powerState: 'ON' });
    await until(h, id, 'VmPoweredOff');
    expect(sim.vms()[0]).toMatchObject({ name: hypervisorVmName(id), powerState: 'off' });
    expect(await stateOf(h, id)).toMatchObject({ status: 'READY', powerState: 'OFF', pendingOperation: null });
    // A VM that is off still counts against the quota: only its deletion releases it.
    expect(await hold(h, id)).toEqual({ running: true });

    await powerOn(h, id);
    await until(h, id, 'VmPoweredOn');
    expect(sim.vms()[0]).toMatchObject({ powerState: 'on' });

    await decommission(h, id, 'project over');
    const events = await until(h, id, 'VmDecommissioned');
    expect(sim.vms()).toEqual([]);
    expect(await stateOf(h, id)).toMatchObject({ status: 'DECOMMISSIONED', powerState: null, pendingOperation: null });
    expect(await hold(h, id)).toBeUndefined();
    expect(await loadJob(h.t.sql, id)).toMatchObject({ kind: 'DECOMMISSION', status: 'DONE', outcome: 'DECOMMISSIONED' });

    expect(afterReady(events)).toEqual([
      'VmPowerOffRequested',
      'VmPoweredOff',
      'VmPowerOnRequested',
      'VmPoweredOn',
      'VmDecommissionRequested',
      'VmDecommissioned',
    ]);
    // Who did what: alice asked; the provisioning process carried it out, under her command's correlation id.
    const requested = events.find((e) => e.type === 'VmDecommissionRequested')!;
    expect(requested.data).toEqual({ requestedBy: 'alice', reason: 'project over' });
    expect(requested.metadata.userId).toBe('alice');
    expect(events.at(-1)!.metadata).toMatchObject({
      userId: 'system:provisioning',
      correlationId: requested.metadata.correlationId,
      causationId: requested.position.toString(),
    });
    // Decommissioning a running VM powers it off first, then deletes it.
    expect(sim.calls().filter((c) => c.requestId === id).map((c) => c.operation).slice(-3)).toEqual(['inspect', 'powerOff', 'delete']);
  });

  processTest('a tenant admin may power off; someone else gets NOT_FOUND and nothing is written', async ({ h, start }) => {
    await start();
    const id = await readyRequest(h, 'life-02');
    const before = (await h.events(id)).length;
    const stranger = { ...alice, userId: 'mallory', email: 'mallory@acme.test' };
    const refused = await h.commands.requestPowerOff(stranger, { id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await h.events(id)).length).toBe(before);
    expect(await h.commands.requestPowerOff(bob, { id })).toMatchObject({ ok: true, value: { state: { pendingOperation: 'POWER_OFF' } } });
    const events = await until(h, id, 'VmPoweredOff');
    expect(events.find((e) => e.type === 'VmPowerOffRequested')!.data).toEqual({ requestedBy: 'bob' });
  });

  processTest('an admin of the request\'s project may act on it; a plain member may not', async ({ h, start }) => {
    await start();
    const id = await readyRequest(h, 'life-03');
    const { projectId } = await stateOf(h, id);
    const pat = { tenantId: 'acme', userId: 'pat', roles: ['user'] as const };
    const mo = { tenantId: 'acme', userId: 'mo', roles: ['user'] as const };
    const add = async (userId: string, role: 'MEMBER' | 'PROJECT_ADMIN') =>
      expect((await h.commands.addProjectMember(bob, { projectId, userId, role })).ok).toBe(true);
    await add('pat', 'PROJECT_ADMIN');
    await add('mo', 'MEMBER');
    expect(await h.commands.requestPowerOff({ ...mo, roles: ['user'] }, { id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await h.commands.requestPowerOff({ ...pat, roles: ['user'] }, { id })).toMatchObject({ ok: true });
    await until(h, id, 'VmPoweredOff');
  });

  processTest('a stale expectedVersion is CONCURRENCY_CONFLICT; the current one is accepted', async ({ h, start }) => {
    await start();
    const id = await readyRequest(h, 'life-04');
    const version = (await h.events(id)).length;
    expect(await h.commands.requestPowerOff(carol, { id, expectedVersion: version - 1 })).toMatchObject({
      ok: false,
      error: { code: 'CONCURRENCY_CONFLICT', expectedVersion: version - 1, actualVersion: version },
    });
    expect(await h.commands.requestPowerOff(carol, { id, expectedVersion: version })).toMatchObject({ ok: true });
    await until(h, id, 'VmPoweredOff');
  });
});

describe('failures', () => {
  processTest('a retryable failure is retried, then the power-off succeeds', async ({ h, start }) => {
    const sim = await start();
    const id = await readyRequest(h, 'fail-01');
    sim.inject({ operation: 'powerOff', code: 'CONNECTION_TIMEOUT', requestId: id, times: 1 });
    await powerOff(h, id);
    const events = await until(h, id, 'VmPoweredOff');
    expect(afterReady(events)).toEqual(['VmPowerOffRequested', 'VmPoweredOff']);
    const calls = sim.calls().filter((c) => c.requestId === id && c.operation === 'powerOff');
    expect(calls.map((c) => `${c.attempt}:${c.outcome}`)).toEqual(['1:CONNECTION_TIMEOUT', '2:ok']);
    expect(await loadJob(h.t.sql, id)).toMatchObject({ kind: 'POWER_OFF', outcome: 'DONE', attempt: 2 });
  });

  processTest('a non-retryable failure records VmOperationFailed at once; the request stays READY and ON', async ({ h, start }) => {
    const sim = await start();
    const id = await readyRequest(h, 'fail-02');
    sim.inject({ operation: 'powerOff', code: 'AUTHENTICATION_FAILED', requestId: id, message: 'session expired' });
    await powerOff(h, id);
    const events = await until(h, id, 'VmOperationFailed');
    expect(events.at(-1)!.data).toEqual({
      operation: 'POWER_OFF',
      errorCode: 'AUTHENTICATION_FAILED',
      errorMessage: 'session expired',
      attempts: 1,
    });
    expect(await stateOf(h, id)).toMatchObject({ status: 'READY', powerState: 'ON', pendingOperation: null });
    expect(await loadJob(h.t.sql, id)).toMatchObject({ outcome: 'OPERATION_FAILED' });
    expect(await hold(h, id)).toEqual({ running: true });
  });

  processTest('a retryable failure on every attempt fails the decommission after the last; the VM and the hold stay', async ({ h, start }) => {
    const sim = await start({}, { maxAttempts: 3 });
    const id = await readyRequest(h, 'fail-03');
    sim.inject({ operation: 'delete', code: 'CONNECTION_FAILED', requestId: id });
    await decommission(h, id);
    const events = await until(h, id, 'VmOperationFailed');
    expect(events.at(-1)!.data).toMatchObject({ operation: 'DECOMMISSION', errorCode: 'CONNECTION_FAILED', attempts: 3 });
    expect(sim.vms().map((vm) => vm.name)).toContain(hypervisorVmName(id));
    expect(await stateOf(h, id)).toMatchObject({ status: 'READY', pendingOperation: null });
    expect(await hold(h, id)).toEqual({ running: true });
  });

  processTest('a decommission the hypervisor refuses for good (credentials): VmOperationFailed at once, READY, no loop', async ({ h, start }) => {
    const sim = await start();
    const id = await readyRequest(h, 'fail-05');
    sim.inject({ operation: 'inspect', code: 'AUTHENTICATION_FAILED', requestId: id, message: 'InvalidLogin' });
    const asked = sim.calls().filter((c) => c.requestId === id && c.operation === 'inspect').length;
    await decommission(h, id);
    const events = await until(h, id, 'VmOperationFailed');
    expect(events.at(-1)!.data).toEqual({
      operation: 'DECOMMISSION',
      errorCode: 'AUTHENTICATION_FAILED',
      errorMessage: 'InvalidLogin',
      attempts: 1,
    });
    expect(await stateOf(h, id)).toMatchObject({ status: 'READY', pendingOperation: null });
    expect(await loadJob(h.t.sql, id)).toMatchObject({ kind: 'DECOMMISSION', status: 'DONE', outcome: 'OPERATION_FAILED' });
    // Asked once; nothing owed: the VM and its quota hold stay as they were.
    expect(sim.calls().filter((c) => c.requestId === id && c.operation === 'inspect')).toHaveLength(asked + 1);
    expect(sim.vms().map((vm) => vm.name)).toEqual([hypervisorVmName(id)]);
    expect(await hold(h, id)).toEqual({ running: true });
  });

  processTest('a power-off of a VM that is gone fails with VM_NOT_FOUND', async ({ h, start }) => {
    const sim = await start();
    const id = await readyRequest(h, 'fail-04');
    const [vm] = sim.vms();
    const spec = { requestId: id, name: vm!.name } as Parameters<SimulatedHypervisor['deleteVm']>[1];
    await sim.deleteVm({ id: vm!.id, name: vm!.name }, spec, { attempt: 1 });
    await powerOff(h, id);
    const events = await until(h, id, 'VmOperationFailed');
    expect(events.at(-1)!.data).toMatchObject({ operation: 'POWER_OFF', errorCode: 'VM_NOT_FOUND', attempts: 1 });
  });
});

describe('concurrency', () => {
  processTest('a decommission requested while a power-off waits for a process takes its place: the power-off never runs', async ({ h, start }) => {
    await start();
    const id = await readyRequest(h, 'race-00');
    await running!.stop();
    running = null;
    await powerOff(h, id);
    await decommission(h, id);
    const sim = await start();
    // This simulator never saw the VM: the decommission finds it gone and has nothing to delete.
    const events = await until(h, id, 'VmDecommissioned');
    expect(afterReady(events)).toEqual(['VmPowerOffRequested', 'VmDecommissionRequested', 'VmDecommissioned']);
    expect(sim.calls().filter((c) => c.requestId === id).map((c) => c.operation)).toEqual(['inspect']);
    expect(await hold(h, id)).toBeUndefined();
  });

  processTest('two power-offs at once: one event, the other INVALID_STATE; two power-ons on one version: one event, the other CONCURRENCY_CONFLICT', async ({ h, start }) => {
    await start();
    const id = await readyRequest(h, 'race-01');
    const codeOf = (results: Awaited<ReturnType<Harness['commands']['requestPowerOff']>>[]) => {
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const refused = results.find((r) => !r.ok);
      return refused && !refused.ok ? refused.error.code : null;
    };

    const offs = await Promise.all([h.commands.requestPowerOff(alice, { id }), h.commands.requestPowerOff(bob, { id })]);
    expect(codeOf(offs)).toBe('INVALID_STATE');
    await until(h, id, 'VmPoweredOff');

    const version = (await h.events(id)).length;
    const ons = await Promise.all([
      h.commands.requestPowerOn(alice, { id, expectedVersion: version }),
      h.commands.requestPowerOn(bob, { id, expectedVersion: version }),
    ]);
    expect(['CONCURRENCY_CONFLICT', 'INVALID_STATE']).toContain(codeOf(ons));
    const events = await until(h, id, 'VmPoweredOn');
    expect(afterReady(events)).toEqual(['VmPowerOffRequested', 'VmPoweredOff', 'VmPowerOnRequested', 'VmPoweredOn']);
  });

  processTest('a decommission supersedes a power-off under way: no VmPoweredOff, the VM deleted once', async ({ h, start }) => {
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inPowerOff = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    let gated = true;
    const sim = await start({}, {}, (inner) => ({
      ...inner,
      powerOff: async (vm, spec, ctx) => {
        if (gated) {
          gated = false;
          entered();
          await gate;
        }
        return inner.powerOff(vm, spec, ctx);
      },
    }));
    const id = await readyRequest(h, 'race-02');
    await powerOff(h, id);
    await inPowerOff;
    const superseding = await decommission(h, id);
    expect(superseding.state.pendingOperation).toBe('DECOMMISSION');
    release();
    const events = await until(h, id, 'VmDecommissioned');
    expect(afterReady(events)).toEqual(['VmPowerOffRequested', 'VmDecommissionRequested', 'VmDecommissioned']);
    expect(sim.vms()).toEqual([]);
    expect(sim.calls().filter((c) => c.requestId === id && c.operation === 'delete')).toHaveLength(1);
    expect(await loadJob(h.t.sql, id)).toMatchObject({ kind: 'DECOMMISSION', outcome: 'DECOMMISSIONED' });
  });
});
