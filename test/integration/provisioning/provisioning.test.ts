import { afterEach, describe, expect, vi } from 'vitest';
import { createCommandHandlers } from '../../../src/commands/index.ts';
import { NO_IP_WARNING } from '../../../src/domain/index.ts';
import { CHANGES_CHANNEL, parseChanges, startProjector, vmRequestsProjection } from '../../../src/projections/index.ts';
import {
  createSimulatedHypervisor,
  hypervisorVmName,
  loadJob,
  type ProvisioningOptions,
  type ProvisioningProcess,
  type SimulatedHypervisor,
  type SimulatedHypervisorOptions,
  startProvisioning,
} from '../../../src/provisioning/index.ts';
import { describeProvisioningJobs } from '../../../src/provisioning/jobs-status-text.ts';
import { readProvisioningJobsStatus } from '../../../src/provisioning/jobs-status.ts';
import { FAST, type Harness, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from './support/harness.ts';
import { bob } from '../../support/personas.ts';

let running: ProvisioningProcess | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

const quiet = process.env.PROVISIONING_TEST_LOG ? (line: string) => console.log(line) : () => {};

/** provisioningTest with `start`: a provisioning process on a simulated hypervisor, stopped after the test. */
const processTest = provisioningTest.extend(
  'start',
  ({ h }) =>
    async (simulator: SimulatedHypervisorOptions = {}, options: Partial<ProvisioningOptions> = {}): Promise<SimulatedHypervisor> => {
      const hypervisor = createSimulatedHypervisor({ stageMs: 10, ...simulator });
      running = await startProvisioning({ sql: h.t.sql, store: h.store, hypervisor, options: { ...FAST, ...options }, log: quiet });
      return hypervisor;
    },
);

describe('provisioning an approved request', () => {
  processTest('happy path: stages in order, READY with VM id, hostname and IP; every event under the approval correlation id', async ({ h, start }) => {
    const sim = await start();
    const request = await h.approvedRequest('web-01');
    const events = await settled(h, request.id);

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
    const [vm, ...others] = sim.vms();
    expect(others).toEqual([]);
    expect(vm).toMatchObject({ name: hypervisorVmName(request.id), powerState: 'on', vcpus: 4, memoryGb: 8, diskGb: 100 });
    const ready = events[events.length - 1]!;
    expect(ready.data).toEqual({ vmwareVmId: vm!.id, hostname: 'web-01.dvmm.internal', ipAddress: vm!.ipAddress });
    expect(vm!.ipAddress).toMatch(/^10\.\d+\.\d+\.\d+$/);

    for (const event of events.slice(2)) {
      expect(event.metadata).toMatchObject({
        tenantId: 'acme',
        userId: 'system:provisioning',
        correlationId: request.correlationId,
        causationId: request.approvalPosition.toString(),
      });
    }
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({ status: 'DONE', outcome: 'READY', attempt: 1 });
  });

  processTest('the read model follows: the request row ends READY with the VM, and its changes are published live', async ({ h, start }) => {
    const projector = await startProjector({ sql: h.t.sql, projections: [vmRequestsProjection], pollIntervalMs: 50, log: quiet });
    const changed: string[] = [];
    const listener = await h.t.sql.listen(CHANGES_CHANNEL, (payload) =>
      changed.push(...parseChanges(payload).map((change) => change.id)),
    );
    try {
      const sim = await start();
      const request = await h.approvedRequest('app-01');
      await settled(h, request.id);
      await projector.caughtUp();
      const [row] = await h.t.sql<Record<string, unknown>[]>`
        select status, provisioning_stage, vmware_vm_id, hostname, ip_address from vm_requests where id = ${request.id}`;
      const vm = sim.vms()[0]!;
      expect(row).toEqual({
        status: 'READY',
        // A stage belongs to a running attempt: none once READY.
        provisioning_stage: null,
        vmware_vm_id: vm.id,
        hostname: 'app-01.dvmm.internal',
        ip_address: vm.ipAddress,
      });
      expect(changed).toContain(request.id);
    } finally {
      await listener.unlisten();
      await projector.stop();
    }
  });

  processTest('no IP after the network wait: READY with a warning and without an address', async ({ h, start }) => {
    const sim = await start({ noIp: true });
    const request = await h.approvedRequest('db-01');
    const events = await settled(h, request.id);

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
    expect(events[events.length - 1]!.data).toEqual({
      vmwareVmId: sim.vms()[0]!.id,
      hostname: 'db-01.dvmm.internal',
      warning: NO_IP_WARNING,
    });
  });

  processTest('retryable failures twice, then success: three attempts, the VM of each failed one deleted before the next', async ({ h, start }) => {
    const sim = await start();
    const request = await h.approvedRequest('web-02', (id) => {
      // Attempt 1: the clone fails halfway and leaves a half-built VM. Attempt 2: power-on fails.
      sim.inject({ operation: 'clone', code: 'DATASTORE_NOT_AVAILABLE', attempts: [1], requestId: id, leavesVm: true });
      sim.inject({ operation: 'powerOn', code: 'CONNECTION_FAILED', attempts: [2], requestId: id });
    });
    const events = await settled(h, request.id);

    // Each failed attempt is recorded with its error and the time of the next; each attempt reports its own stages.
    expect(sequence(events)).toEqual([
      ...PROVISIONED_SEQUENCE.slice(0, 4),
      'VmProvisioningRetryScheduled:1',
      ...PROVISIONED_SEQUENCE.slice(3, 6),
      'VmProvisioningRetryScheduled:2',
      ...PROVISIONED_SEQUENCE.slice(3),
      'VmRequestReady',
    ]);
    const retries = events.filter((e) => e.type === 'VmProvisioningRetryScheduled').map((e) => e.data);
    expect(retries).toEqual([
      { failedAttempt: 1, errorCode: 'DATASTORE_NOT_AVAILABLE', errorMessage: expect.stringContaining('clone'), retryAt: expect.any(String) },
      { failedAttempt: 2, errorCode: 'CONNECTION_FAILED', errorMessage: expect.stringContaining('powerOn'), retryAt: expect.any(String) },
    ]);
    // The job ran its last attempt at the time the request announced for it.
    expect((await loadJob(h.t.sql, request.id))!.nextAttemptAt.toISOString()).toBe(retries[1]!.retryAt);
    const calls = sim.calls().filter((c) => c.requestId === request.id && c.operation !== 'find');
    expect(calls.map((c) => `${c.attempt}:${c.operation}:${c.outcome}`)).toEqual([
      '1:clone:DATASTORE_NOT_AVAILABLE',
      '1:delete:ok',
      '2:clone:ok',
      '2:configure:ok',
      '2:powerOn:CONNECTION_FAILED',
      '2:delete:ok',
      '3:clone:ok',
      '3:configure:ok',
      '3:powerOn:ok',
      '3:waitForNetwork:ok',
    ]);
    // Each delete removed the VM its attempt had made; exactly the last one survives and is the one reported.
    const cloned = calls.filter((c) => c.operation === 'clone').map((c) => c.vmId);
    const deleted = calls.filter((c) => c.operation === 'delete').map((c) => c.vmId);
    expect(deleted).toEqual(cloned.slice(0, 2));
    expect(sim.vms().map((vm) => vm.id)).toEqual([cloned[2]]);
    expect(events[events.length - 1]!.data).toMatchObject({ vmwareVmId: cloned[2] });
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({
      status: 'DONE',
      outcome: 'READY',
      attempt: 3,
      lastErrorCode: 'CONNECTION_FAILED',
    });
  });

  processTest('a non-retryable error fails the request at once with its code and message, after deleting the VM', async ({ h, start }) => {
    const sim = await start();
    const request = await h.approvedRequest('web-03', (id) =>
      sim.inject({ operation: 'configure', code: 'VM_CONFIG_INVALID', requestId: id, message: 'disk exceeds datastore limit' }),
    );
    const events = await settled(h, request.id);

    expect(sequence(events)).toEqual([
      ...PROVISIONED_SEQUENCE.slice(0, 5),
      'VmRequestProvisioningFailed',
    ]);
    expect(events[events.length - 1]!.data).toEqual({
      errorCode: 'VM_CONFIG_INVALID',
      errorMessage: 'disk exceeds datastore limit',
      attempts: 1,
    });
    expect(events[events.length - 1]!.metadata.correlationId).toBe(request.correlationId);
    const calls = sim.calls().filter((c) => c.requestId === request.id && c.operation !== 'find');
    expect(calls.map((c) => `${c.attempt}:${c.operation}:${c.outcome}`)).toEqual([
      '1:clone:ok',
      '1:configure:VM_CONFIG_INVALID',
      '1:delete:ok',
    ]);
    expect(sim.vms()).toEqual([]);
  });

  processTest('retries exhausted: FAILED with the attempt count, nothing left on the hypervisor', async ({ h, start }) => {
    const sim = await start({}, { maxAttempts: 3 });
    const request = await h.approvedRequest('web-04', (id) =>
      sim.inject({ operation: 'powerOn', code: 'INSUFFICIENT_RESOURCES', requestId: id }),
    );
    const events = await settled(h, request.id);

    expect(sequence(events)).toEqual([
      ...PROVISIONED_SEQUENCE.slice(0, 6),
      'VmProvisioningRetryScheduled:1',
      ...PROVISIONED_SEQUENCE.slice(3, 6),
      'VmProvisioningRetryScheduled:2',
      ...PROVISIONED_SEQUENCE.slice(3, 6),
      'VmRequestProvisioningFailed',
    ]);
    expect(events[events.length - 1]!.data).toMatchObject({ errorCode: 'INSUFFICIENT_RESOURCES', attempts: 3 });
    const calls = sim.calls().filter((c) => c.requestId === request.id);
    expect(calls.filter((c) => c.operation === 'clone').map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(calls.filter((c) => c.operation === 'delete').map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(sim.vms()).toEqual([]);
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({ status: 'DONE', outcome: 'FAILED', attempt: 3 });
  });

  processTest('a compensation that fails: FAILED at once with the attempt\'s error, the deletion tried again until it works', async ({ h, start }) => {
    const sim = await start();
    const request = await h.approvedRequest('web-05', (id) => {
      sim.inject({ operation: 'configure', code: 'TEMPLATE_NOT_FOUND', requestId: id });
      sim.inject({ operation: 'delete', code: 'CONNECTION_TIMEOUT', times: 2, requestId: id });
    });
    const events = await settled(h, request.id);

    // The failed deletes are the same attempt's compensation, tried again; no new attempt, no second clone.
    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 5), 'VmRequestProvisioningFailed']);
    expect(events[events.length - 1]!.data).toMatchObject({ errorCode: 'TEMPLATE_NOT_FOUND', attempts: 1 });
    const calls = sim.calls().filter((c) => c.requestId === request.id && c.operation !== 'find');
    expect(calls.map((c) => `${c.attempt}:${c.operation}:${c.outcome}`)).toEqual([
      '1:clone:ok',
      '1:configure:TEMPLATE_NOT_FOUND',
      '1:delete:CONNECTION_TIMEOUT',
      '1:delete:CONNECTION_TIMEOUT',
      '1:delete:ok',
    ]);
    expect(sim.vms()).toEqual([]);
  });

  processTest('a job whose lock connection dies stops at its next step and is taken up again, still building one VM', async ({ h, start }) => {
    const sim = await start({ stageMs: 150 });
    const request = await h.approvedRequest('web-10');
    await expect
      .poll(
        async () =>
          (await h.status(request.id)) === 'VmProvisioningProgressed' &&
          (await h.events(request.id)).some((e) => e.data.stage === 'CONFIGURING'),
        { timeout: 30_000, interval: 25 },
      )
      .toBe(true);
    // The session holding the job locks ends, as when the network drops: its locks are gone.
    const killed = await h.t.sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name like 'dvmm-provisioning %'
        and application_name not like 'dvmm-provisioning-projector%'`;
    expect(killed.length).toBe(1);
    const events = await settled(h, request.id);

    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
    expect(sim.vms()).toHaveLength(1);
    expect(sim.calls().filter((c) => c.operation === 'clone')).toHaveLength(1);
    expect(running!.status().worker.interruptions).toBeGreaterThanOrEqual(1);
  });

  processTest('approvals made while no process runs are provisioned when one starts', async ({ h, start }) => {
    const request = await h.approvedRequest('web-06');
    expect(await h.status(request.id)).toBe('VmRequestApproved');
    await start();
    const events = await settled(h, request.id);
    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
  });

  processTest('a request that is rejected or never approved gets no job and no provisioning events', async ({ h, start }) => {
    await start();
    const pending = await h.createRequest('web-07');
    const rejected = await h.createRequest('web-08');
    const decision = await h.commands.rejectVmRequest(bob, { id: rejected, expectedVersion: 1, reason: 'Not in this quarter' });
    expect(decision.ok).toBe(true);
    // Another approval after them: once it is provisioned, the projection has seen the earlier events too.
    const later = await h.approvedRequest('web-09');
    await settled(h, later.id);
    expect(sequence(await h.events(pending))).toEqual(['VmRequestCreated']);
    expect(sequence(await h.events(rejected))).toEqual(['VmRequestCreated', 'VmRequestRejected']);
    expect(await loadJob(h.t.sql, pending)).toBeNull();
    expect(await loadJob(h.t.sql, rejected)).toBeNull();
  });
});

/** Waits for the request's FAILED event (not for its job: that may still owe the VM's deletion). */
const failedEvent = (h: Harness, id: string) =>
  vi.waitFor(
    async () => {
      const last = (await h.events(id)).at(-1);
      expect(last?.type, `request ${id}`).toBe('VmRequestProvisioningFailed');
      return last!;
    },
    { timeout: 30_000, interval: 25 },
  );

const REFUSED = 'Cannot complete login due to an incorrect user name or password.';

describe('the hypervisor refuses compensation too (credentials rejected, connection removed)', () => {
  processTest('FAILED at once with the real error; the job keeps the VM\'s deletion (CLEANUP) until the hypervisor allows it', async ({ h }) => {
    const sim = createSimulatedHypervisor({ stageMs: 10 });
    const lines: string[] = [];
    running = await startProvisioning({ sql: h.t.sql, store: h.store, hypervisor: sim, options: FAST, log: (line) => lines.push(line) });
    // vCenter stops accepting the credentials once the VM is cloned: configure fails, and so does every later find
    // and delete (the find before the clone goes through).
    const request = await h.approvedRequest('web-20', (id) => {
      sim.inject({ operation: 'configure', code: 'AUTHENTICATION_FAILED', requestId: id, message: REFUSED });
      sim.inject({ operation: 'find', code: 'AUTHENTICATION_FAILED', requestId: id, after: 1, message: REFUSED });
      sim.inject({ operation: 'delete', code: 'AUTHENTICATION_FAILED', requestId: id, message: REFUSED });
    });

    const failed = await failedEvent(h, request.id);
    expect(failed.data).toEqual({ errorCode: 'AUTHENTICATION_FAILED', errorMessage: REFUSED, attempts: 1 });
    expect(sim.vms().map((vm) => vm.name)).toEqual([hypervisorVmName(request.id)]);
    // The deletion is owed, and tried again (with backoff) while the hypervisor still refuses.
    await expect
      .poll(async () => (await loadJob(h.t.sql, request.id))?.cleanupFailures, { timeout: 30_000, interval: 25 })
      .toBeGreaterThanOrEqual(3);
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({
      status: 'CLEANUP',
      outcome: null,
      attempt: 1,
      lastErrorCode: 'AUTHENTICATION_FAILED',
    });
    const [row] = await h.t.sql<{ cleanup_error: string }[]>`
      select cleanup_error from provisioning_jobs where request_id = ${request.id}`;
    expect(row?.cleanup_error).toBe(`AUTHENTICATION_FAILED: ${REFUSED}`);
    const cleanups = describeProvisioningJobs(await readProvisioningJobsStatus(h.t.sql)).find((line) => line.startsWith('  cleanups'));
    expect(cleanups).toMatch(new RegExp(`^  cleanups {4}1 FAILED request\\(s\\) whose VM is still to be deleted: ${request.id} \\(\\d+ failed tries, next .*: AUTHENTICATION_FAILED: `));
    // One line for the outage, however often it is tried.
    expect(lines.filter((line) => line.includes(request.id) && line.includes('logged once'))).toHaveLength(1);

    sim.clearFailures();
    const events = await settled(h, request.id);
    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 5), 'VmRequestProvisioningFailed']);
    expect(sim.vms()).toEqual([]);
    expect(sim.calls().filter((c) => c.requestId === request.id && c.operation === 'delete').map((c) => c.outcome).at(-1)).toBe('ok');
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({ status: 'DONE', outcome: 'FAILED', attempt: 1 });
    expect(lines.filter((line) => line.includes(request.id) && line.includes('works again'))).toHaveLength(1);
    expect(describeProvisioningJobs(await readProvisioningJobsStatus(h.t.sql))).toContain('  cleanups    none pending');
  });

  processTest('a retry whose compensation is refused for good: FAILED with that refusal instead of waiting for ever', async ({ h, start }) => {
    const sim = await start();
    const request = await h.approvedRequest('web-21', (id) => {
      sim.inject({ operation: 'powerOn', code: 'CONNECTION_FAILED', requestId: id });
      sim.inject({ operation: 'delete', code: 'HYPERVISOR_NOT_CONFIGURED', requestId: id, message: 'connection removed' });
    });
    const failed = await failedEvent(h, request.id);
    expect(failed.data).toEqual({ errorCode: 'HYPERVISOR_NOT_CONFIGURED', errorMessage: 'connection removed', attempts: 1 });
    await expect.poll(async () => (await loadJob(h.t.sql, request.id))?.status, { timeout: 30_000, interval: 25 }).toBe('CLEANUP');
    expect(sim.vms()).toHaveLength(1);

    sim.clearFailures();
    const events = await settled(h, request.id);
    expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE.slice(0, 6), 'VmRequestProvisioningFailed']);
    expect(sim.vms()).toEqual([]);
    expect(sim.calls().filter((c) => c.requestId === request.id && c.operation === 'clone')).toHaveLength(1);
  });

  processTest('stopped after deciding and before recording FAILED: the next run records it, then deletes the VM', async ({ h }) => {
    const sim = createSimulatedHypervisor({ stageMs: 10 });
    const commands = createCommandHandlers(h.store);
    let outages = 0;
    running = await startProvisioning({
      sql: h.t.sql,
      store: h.store,
      hypervisor: sim,
      options: FAST,
      log: quiet,
      commands: {
        ...commands,
        // The first FAILED the process tries to record meets an outage of our own (the run stops there).
        failProvisioning: async (...args) => {
          if (outages++ === 0) throw new Error('connection to the database lost');
          return commands.failProvisioning(...args);
        },
      },
    });
    const request = await h.approvedRequest('web-22', (id) => {
      sim.inject({ operation: 'configure', code: 'AUTHENTICATION_FAILED', requestId: id, message: REFUSED });
      sim.inject({ operation: 'find', code: 'AUTHENTICATION_FAILED', requestId: id, after: 1, message: REFUSED });
    });

    const failed = await failedEvent(h, request.id);
    expect(failed.data).toEqual({ errorCode: 'AUTHENTICATION_FAILED', errorMessage: REFUSED, attempts: 1 });
    expect(outages).toBeGreaterThanOrEqual(2);
    expect(running.status().worker.interruptions).toBeGreaterThanOrEqual(1);
    sim.clearFailures();
    const events = await settled(h, request.id);
    expect(events.filter((e) => e.type === 'VmRequestProvisioningFailed')).toHaveLength(1);
    expect(sim.vms()).toEqual([]);
    expect(await loadJob(h.t.sql, request.id)).toMatchObject({ status: 'DONE', outcome: 'FAILED' });
  });
});
