import { VM_REQUEST_STREAM } from '../commands/index.ts';
import type { RecordedEvent } from '../event-store/index.ts';
import type { Projection } from '../projections/types.ts';
import type { VmOperation } from '../domain/index.ts';
import { insertJob, markDeletionObserved, upsertOperationJob } from './jobs.ts';
import { provisioningJobs } from './provisioning-jobs.table.ts';

export const PROVISIONING_JOBS_PROJECTION = 'provisioning_jobs';

/**
 * The id of the event that caused provisioning (or a VM operation), as written into causationId: events have no id of their own, and
 * the global position names one event for good (the audit trail shows it).
 */
export const approvalEventId = (event: Pick<RecordedEvent, 'position'>): string => event.position.toString();

/** The request events that ask for a VM operation, and the operation each asks for. */
const OPERATION_REQUESTS: Readonly<Record<string, VmOperation>> = {
  VmPowerOffRequested: 'POWER_OFF',
  VmPowerOnRequested: 'POWER_ON',
  VmDecommissionRequested: 'DECOMMISSION',
};

/**
 * Turns every VmRequestApproved into a provisioning job, and every operation requested after READY into the job that
 * carries it out (it takes over the request's row: see upsertOperationJob); a deletion observed outside DVMM closes
 * the row for good. It runs in the projector runtime, so the job rows commit in the same transaction as the
 * projection's checkpoint: each event yields its job exactly once, and a process that dies mid-batch leaves neither
 * the rows nor the checkpoint behind.
 *
 * The rows are not a read model for clients: apply reports no changed rows, so nothing goes out on dvmm_changes.
 * `onJobs` hears, before the commit, that jobs are coming (the worker looks shortly after; its poll covers the rest).
 */
export function provisioningJobsProjection(onJobs: () => void = () => {}): Projection {
  return {
    name: PROVISIONING_JOBS_PROJECTION,
    tables: [provisioningJobs],
    async apply(tx, events) {
      let inserted = 0;
      for (const event of events) {
        if (event.streamType !== VM_REQUEST_STREAM) continue;
        const operation = OPERATION_REQUESTS[event.type];
        if (event.type === 'VmRequestApproved') {
          await insertJob(tx, {
            requestId: event.streamId,
            tenantId: event.tenantId,
            correlationId: event.metadata.correlationId,
            causationId: approvalEventId(event),
            approvedPosition: event.position,
          });
          inserted++;
        } else if (operation !== undefined) {
          await upsertOperationJob(tx, {
            requestId: event.streamId,
            tenantId: event.tenantId,
            operation,
            correlationId: event.metadata.correlationId,
            causationId: approvalEventId(event),
            position: event.position,
          });
          inserted++;
        } else if (event.type === 'VmDeletionObserved') {
          await markDeletionObserved(tx, event.streamId);
        }
      }
      if (inserted > 0) onJobs();
      return [];
    },
  };
}
