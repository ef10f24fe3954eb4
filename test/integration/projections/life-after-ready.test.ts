import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { VmRequestEvent } from '../../../src/domain/index.ts';
import type { Sql } from '../../../src/db/client.ts';
import {
  PROJECT_USAGE_PROJECTION,
  PROJECTIONS,
  startProjector,
  USAGE_REPORT_PROJECTION,
  vmRequestsProjection,
} from '../../../src/projections/index.ts';
import { dbTest as test } from '../../support/db-test.ts';
import { appendStep, createProject, VM_REQUEST_STREAM } from './events.ts';
import { expectReadModelsMatchFold, expectSameAsFreshRebuild } from './fold.ts';

const process = 'system:provisioning';
const reconciliation = 'system:reconciliation';

/** A request's version rows as `status power pending failure decommissioned`, oldest first. */
const versions = async (sql: Sql, id: string) =>
  (
    await sql<
      { version: number; status: string; power_state: string | null; pending_operation: string | null; failure: string | null; failed_ms: number | null; ended_ms: number | null }[]
    >`
      select version, status, power_state, pending_operation,
             failed_operation || ':' || failed_operation_code || ':' || failed_operation_message || ':' || failed_operation_attempts as failure,
             (extract(epoch from failed_operation_at) * 1000)::float8 as failed_ms,
             (extract(epoch from decommissioned_at) * 1000)::float8 as ended_ms
      from vm_request_versions where id = ${id} order by version`
  ).map(
    (r) =>
      `${r.version} ${r.status} ${r.power_state ?? '-'} ${r.pending_operation ?? '-'} ${r.failure ?? '-'}` +
      `${r.failed_ms === null ? '' : ` failed@${new Date(r.failed_ms).toISOString()}`}${r.ended_ms === null ? '' : ` ended@${new Date(r.ended_ms).toISOString()}`}`,
  );

const at = (day: number, hour = 12) => new Date(Date.UTC(2025, 2, day, hour));

/** Creates a request in `projectId` and plays it to READY, then `after` (actor, events, day), one append each. */
async function play(
  store: Parameters<typeof appendStep>[0],
  projectId: string,
  after: [actor: string, events: VmRequestEvent[], day: number][],
): Promise<string> {
  const id = randomUUID();
  const before: [string, VmRequestEvent[], number][] = [
    ['alice', [{ type: 'VmRequestCreated', data: { projectId, vmName: `vm-${id.slice(0, 8)}`, size: 'M', justification: 'Needed for testing', requester: { id: 'alice', email: null, name: null } } }], 1],
    ['admin', [{ type: 'VmRequestApproved', data: { approvedBy: 'admin' } }], 1],
    [process, [{ type: 'VmRequestProvisioningStarted', data: {} }], 1],
    [process, [{ type: 'VmRequestReady', data: { vmwareVmId: 'vm-1', hostname: 'web.acme.internal', ipAddress: '10.0.0.1' } }], 2],
  ];
  let version = 0;
  for (const [actor, events, day] of [...before, ...after]) {
    version = await appendStep(store, 'acme', VM_REQUEST_STREAM, id, version, { actor, events }, { occurredAt: at(day) });
  }
  return id;
}

test('each event after READY: power state, pending operation, failure and decommission in every version; timeline; usage; a replay gives the same', async ({ sql, store }) => {
  const projector = await startProjector({ sql, projections: PROJECTIONS, pollIntervalMs: 50, log: () => {} });
  try {
    const projectId = await createProject(store, 'acme', 'Lifecycle', 'admin');
    const operated = await play(store, projectId, [
      ['alice', [{ type: 'VmPowerOffRequested', data: { requestedBy: 'alice' } }], 3],
      [process, [{ type: 'VmPoweredOff', data: {} }], 3],
      ['admin', [{ type: 'VmPowerOnRequested', data: { requestedBy: 'admin' } }], 4],
      [process, [{ type: 'VmOperationFailed', data: { operation: 'POWER_ON', errorCode: 'CONNECTION_TIMEOUT', errorMessage: 'no answer', attempts: 3 } }], 5],
      [reconciliation, [{ type: 'VmPowerStateObserved', data: { powerState: 'ON' } }], 6],
      ['alice', [{ type: 'VmPowerOffRequested', data: { requestedBy: 'alice' } }], 7],
      // The decommission supersedes the pending power off.
      ['alice', [{ type: 'VmDecommissionRequested', data: { requestedBy: 'alice', reason: 'Project over' } }], 8],
      [process, [{ type: 'VmDecommissioned', data: {} }], 9],
    ]);
    const vanished = await play(store, projectId, [
      ['alice', [{ type: 'VmPowerOffRequested', data: { requestedBy: 'alice' } }], 3],
      [process, [{ type: 'VmOperationFailed', data: { operation: 'POWER_OFF', errorCode: 'VM_CONFIG_INVALID', errorMessage: 'refused', attempts: 1 } }], 4],
      [reconciliation, [{ type: 'VmDeletionObserved', data: {} }], 5],
    ]);
    const running = await play(store, projectId, [[reconciliation, [{ type: 'VmPowerStateObserved', data: { powerState: 'OFF' } }], 3]]);
    await projector.caughtUp();

    const failedOn = 'POWER_ON:CONNECTION_TIMEOUT:no answer:3 failed@2025-03-05T12:00:00.000Z';
    expect(await versions(sql, operated)).toEqual([
      '1 PENDING - - -',
      '2 APPROVED - - -',
      '3 PROVISIONING - - -',
      '4 READY ON - -',
      '5 READY ON POWER_OFF -',
      '6 READY OFF - -',
      '7 READY OFF POWER_ON -',
      `8 READY OFF - ${failedOn}`,
      `9 READY ON - ${failedOn}`,
      `10 READY ON POWER_OFF ${failedOn}`,
      `11 READY ON DECOMMISSION ${failedOn}`,
      '12 DECOMMISSIONED - - - ended@2025-03-09T12:00:00.000Z',
    ]);
    expect(await versions(sql, vanished)).toEqual([
      '1 PENDING - - -',
      '2 APPROVED - - -',
      '3 PROVISIONING - - -',
      '4 READY ON - -',
      '5 READY ON POWER_OFF -',
      '6 READY ON - POWER_OFF:VM_CONFIG_INVALID:refused:1 failed@2025-03-04T12:00:00.000Z',
      '7 DECOMMISSIONED - - POWER_OFF:VM_CONFIG_INVALID:refused:1 failed@2025-03-04T12:00:00.000Z ended@2025-03-05T12:00:00.000Z',
    ]);
    expect((await versions(sql, running)).at(-1)).toBe('5 READY OFF - -');

    const timeline = await sql<{ type: string; actor_id: string; details: string }[]>`
      select type, actor_id, details from vm_request_timeline where request_id in ${sql([operated, vanished])} and stream_version > 4
      order by request_id = ${operated} desc, stream_version`;
    expect(timeline.map((t) => `${t.type} | ${t.actor_id} | ${t.details}`)).toEqual([
      'VmPowerOffRequested | alice | Power off requested by alice',
      'VmPoweredOff | system:provisioning | Powered off by the system, as requested',
      'VmPowerOnRequested | admin | Power on requested by admin',
      'VmOperationFailed | system:provisioning | Power on failed after 3 attempt(s): CONNECTION_TIMEOUT: no answer',
      'VmPowerStateObserved | system:reconciliation | Powered on in vCenter, outside DVMM',
      'VmPowerOffRequested | alice | Power off requested by alice',
      'VmDecommissionRequested | alice | Decommission requested by alice: Project over',
      'VmDecommissioned | system:provisioning | Decommissioned by the system, as requested: the VM was deleted and its quota released',
      'VmPowerOffRequested | alice | Power off requested by alice',
      'VmOperationFailed | system:provisioning | Power off failed after 1 attempt(s): VM_CONFIG_INVALID: refused',
      'VmDeletionObserved | system:reconciliation | Observed in vCenter, outside DVMM: the VM was deleted; its quota is released',
    ]);

    // Three M VMs became READY in March; two are gone: the month's row keeps the one still running.
    const usage = await sql<{ month: string; vms: number; vcpus: number; monthly_cost_eur: number }[]>`
      select month, vms, vcpus, monthly_cost_eur from project_usage where project_id = ${projectId}`;
    expect(usage).toEqual([{ month: '2025-03', vms: 1, vcpus: 4, monthly_cost_eur: 50 }]);
    const open = await sql<{ id: string; ready_month: string }[]>`select id, ready_month from project_usage_open_requests where project_id = ${projectId}`;
    expect(open).toEqual([{ id: running, ready_month: '2025-03' }]);
    // The usage report's intervals close on the day of the decommission.
    const intervals = await sql<{ id: string; ended_ms: number | null }[]>`
      select id, (extract(epoch from ended_at) * 1000)::float8 as ended_ms from usage_report_vms where project_id = ${projectId}`;
    expect(Object.fromEntries(intervals.map((r) => [r.id, r.ended_ms === null ? null : new Date(r.ended_ms).toISOString()]))).toEqual({
      [operated]: '2025-03-09T12:00:00.000Z',
      [vanished]: '2025-03-05T12:00:00.000Z',
      [running]: null,
    });

    // The rows and every version are the domain's fold, and a replay of each projection gives the same.
    await expectReadModelsMatchFold(sql);
    for (const projection of PROJECTIONS.filter((p) => [vmRequestsProjection.name, PROJECT_USAGE_PROJECTION, USAGE_REPORT_PROJECTION].includes(p.name))) {
      await expectSameAsFreshRebuild(sql, projection);
    }
  } finally {
    await projector.stop();
  }
});
