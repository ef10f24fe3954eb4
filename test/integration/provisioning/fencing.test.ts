import postgres from 'postgres';
import { afterAll, expect } from 'vitest';
import {
  createSimulatedHypervisor,
  type Hypervisor,
  hypervisorVmName,
  type ProvisioningProcess,
  startProvisioning,
} from '../../../src/provisioning/index.ts';
import { JOB_LOCK_SPACE } from '../../../src/provisioning/job-locks.ts';
import { FAST, PROVISIONED_SEQUENCE, provisioningTest, sequence, settled } from './support/harness.ts';

// Fencing: a worker whose lock connection is cut (a Postgres restart, a terminated backend) has lost its job locks
// at that moment, and another worker may take its jobs as soon as it next looks. The first must stop driving them
// at once, not at its next step: otherwise both drive the same VM at the same time.

const processes: ProvisioningProcess[] = [];

/** provisioningTest with a connection of its own, to find and cut a worker's lock connection. */
const fencingTest = provisioningTest.extend('admin', { scope: 'file' }, ({ url }, { onCleanup }) => {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  onCleanup(() => admin.end({ timeout: 1 }));
  return admin;
});

afterAll(async () => {
  for (const process of processes) await process.stop();
});

interface Operation {
  worker: 'A' | 'B';
  operation: string;
  phase: 'start' | 'end';
}

/** The shared simulated hypervisor as each worker calls it, every call's start and end recorded in order. */
function recording(hypervisor: Hypervisor, worker: 'A' | 'B', log: Operation[]): Hypervisor {
  const wrap =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      log.push({ worker, operation, phase: 'start' });
      const result = await call(...args);
      log.push({ worker, operation, phase: 'end' });
      return result;
    };
  return {
    ...hypervisor,
    findVmByName: wrap('find', hypervisor.findVmByName.bind(hypervisor)),
    cloneFromTemplate: wrap('clone', hypervisor.cloneFromTemplate.bind(hypervisor)),
    configure: wrap('configure', hypervisor.configure.bind(hypervisor)),
    powerOn: wrap('powerOn', hypervisor.powerOn.bind(hypervisor)),
    waitForNetwork: wrap('waitForNetwork', hypervisor.waitForNetwork.bind(hypervisor)),
    deleteVm: wrap('delete', hypervisor.deleteVm.bind(hypervisor)),
  };
}

fencingTest('a worker that loses its lock connection stops its job at once, before another worker takes it over', async ({ h, admin }) => {
  // Long stages: worker A is in the middle of one when its connection is cut.
  const simulator = createSimulatedHypervisor({ stageMs: 1_500 });
  const log: Operation[] = [];
  const quiet = () => {};
  const options = { ...FAST, concurrency: 1, networkTimeoutMs: 10_000 };
  const a = await startProvisioning({ sql: h.t.sql, store: h.store, hypervisor: recording(simulator, 'A', log), options, log: quiet });
  processes.push(a);

  const request = await h.approvedRequest('fenced-01');
  await expect.poll(() => log.some((o) => o.worker === 'A' && o.operation === 'clone'), { timeout: 30_000, interval: 25 }).toBe(true);

  // Worker B, ready to take over; then A's lock backend (the one holding the job's lock) is terminated.
  const b = await startProvisioning({ sql: h.t.sql, store: h.store, hypervisor: recording(simulator, 'B', log), options, log: quiet });
  processes.push(b);
  const holders = await admin<{ pid: number }[]>`
    select pid from pg_locks
    where locktype = 'advisory' and granted and classid = ${JOB_LOCK_SPACE}::int::oid and objid = hashtext(${request.id})::oid`;
  expect(holders).toHaveLength(1);
  await admin`select pg_terminate_backend(${holders[0]!.pid})`;

  const events = await settled(h, request.id, 60_000);

  // Nothing of A's after B's first call: A stopped where it was (a 1.5 s step it never finished, as a rule), and B
  // carried the job on from the request's events.
  const firstOfB = log.findIndex((o) => o.worker === 'B');
  expect(firstOfB).toBeGreaterThan(0);
  expect(log.slice(firstOfB).filter((o) => o.worker === 'A')).toEqual([]);
  expect(a.status().worker).toMatchObject({ running: [], interruptions: 1 });
  expect(a.status().worker.lastError?.message).toContain('lost the lock');

  // The request went through once: every step recorded once, one VM.
  expect(sequence(events)).toEqual([...PROVISIONED_SEQUENCE, 'VmRequestReady']);
  expect(simulator.vms().map((vm) => vm.name)).toEqual([hypervisorVmName(request.id)]);
  expect(b.status().worker.finished.ready).toBe(1);
}, 90_000);
