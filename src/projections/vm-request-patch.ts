import type { VmRequestEvent } from '../domain/vm-request/events.ts';
import { vmSizeSpec } from '../domain/vm-size.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { entityId, eventTime } from './event-facts.ts';
import type { VmRequestRow } from './vm-requests.table.ts';

/** `camelCase` as `snake_case`: the table's column names are its keys in snake case (a unit test checks it). */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;
/** A value as JSON carries it: timestamps and bigints as text. */
type JsonValue<T> = T extends Date | bigint ? string : T;

/**
 * A `vm_requests` row keyed by column name, so it goes to Postgres as json and back as the table's row type.
 * Derived from the table's row type, so the two cannot drift apart.
 */
export type VmRequestRecord = { [K in keyof VmRequestRow as SnakeCase<K & string>]: JsonValue<VmRequestRow[K]> };

/** The columns one event sets. */
export type VmRequestPatch = Partial<VmRequestRecord>;

/** Clears the columns of the last failed operation (by a later operation that succeeded, or a decommission). */
function clearOperationFailure(patch: VmRequestPatch): VmRequestPatch {
  patch.failed_operation = null;
  patch.failed_operation_code = null;
  patch.failed_operation_message = null;
  patch.failed_operation_attempts = null;
  patch.failed_operation_at = null;
  return patch;
}

/**
 * What an event writes into its request's row. Every event only overwrites columns with values it carries (as the
 * domain's evolve does), so the row after several events is the row before with their patches applied in order:
 * the projection merges a batch's patches per row and lets Postgres apply them to the stored row, without reading
 * it first. VmRequestCreated sets every column but project_name (known only if the batch holds the project's
 * creation; otherwise filled from the projection's own lookup table).
 */
export function vmRequestPatch(
  event: LogEvent,
  domain: VmRequestEvent,
  id: string = entityId(event),
  at: string = eventTime(event),
): VmRequestPatch {
  // Every patch is built from one literal and then extended, not spread: replay builds one per event, and spreading
  // copies key by key into a fresh dictionary-shaped object.
  const patch: VmRequestPatch = {
    version: event.streamVersion,
    updated_at: at,
    changed_tx: event.transactionId.toString(),
    changed_position: event.position.toString(),
  };
  switch (domain.type) {
    case 'VmRequestCreated': {
      const { data } = domain;
      const spec = vmSizeSpec(data.size);
      if (!spec) throw new Error(`unknown VM size ${JSON.stringify(data.size)}`);
      return {
        version: patch.version,
        updated_at: at,
        changed_tx: patch.changed_tx,
        changed_position: patch.changed_position,
        id,
        tenant_id: event.tenantId,
        project_id: data.projectId,
        vm_name: data.vmName,
        size: data.size,
        vcpus: spec.vcpus,
        memory_gb: spec.memoryGb,
        disk_gb: spec.diskGb,
        monthly_cost_eur: spec.monthlyCostEur,
        justification: data.justification,
        status: 'PENDING',
        requester_id: data.requester.id,
        requester_email: data.requester.email ?? null,
        requester_name: data.requester.name ?? null,
        decided_by: null,
        decided_at: null,
        rejection_reason: null,
        cancellation_reason: null,
        provisioning_stage: null,
        provisioning_attempts: null,
        next_retry_at: null,
        vmware_vm_id: null,
        hostname: null,
        ip_address: null,
        provisioning_warning: null,
        failure_code: null,
        failure_message: null,
        power_state: null,
        pending_operation: null,
        decommissioned_at: null,
        failed_operation: null,
        failed_operation_code: null,
        failed_operation_message: null,
        failed_operation_attempts: null,
        failed_operation_at: null,
        created_at: at,
      };
    }
    case 'VmRequestCancelled':
      return Object.assign(patch, { status: 'CANCELLED', cancellation_reason: domain.data.reason ?? null });
    case 'VmRequestApproved':
      return Object.assign(patch, { status: 'APPROVED', decided_by: domain.data.approvedBy, decided_at: at });
    case 'VmRequestRejected':
      return Object.assign(patch, { status: 'REJECTED', decided_by: domain.data.rejectedBy, decided_at: at, rejection_reason: domain.data.reason });
    case 'VmRequestProvisioningStarted':
      return Object.assign(patch, { status: 'PROVISIONING', provisioning_attempts: 1 });
    case 'VmProvisioningProgressed':
      return Object.assign(patch, { provisioning_stage: domain.data.stage, next_retry_at: null });
    case 'VmProvisioningRetryScheduled':
      return Object.assign(patch, {
        provisioning_stage: null,
        provisioning_attempts: domain.data.failedAttempt + 1,
        next_retry_at: domain.data.retryAt,
      });
    case 'VmRequestReady':
      return Object.assign(patch, {
        status: 'READY',
        provisioning_stage: null,
        next_retry_at: null,
        vmware_vm_id: domain.data.vmwareVmId,
        hostname: domain.data.hostname,
        ip_address: domain.data.ipAddress ?? null,
        provisioning_warning: domain.data.warning ?? null,
        power_state: 'ON',
      });
    case 'VmRequestProvisioningFailed':
      return Object.assign(patch, {
        status: 'FAILED',
        provisioning_stage: null,
        next_retry_at: null,
        failure_code: domain.data.errorCode,
        failure_message: domain.data.errorMessage,
        provisioning_attempts: domain.data.attempts,
      });
    case 'VmPowerOffRequested':
      return Object.assign(patch, { pending_operation: 'POWER_OFF' });
    case 'VmPowerOnRequested':
      return Object.assign(patch, { pending_operation: 'POWER_ON' });
    case 'VmDecommissionRequested':
      // A pending power operation is superseded: its job is dropped.
      return Object.assign(patch, { pending_operation: 'DECOMMISSION' });
    case 'VmPoweredOff':
      return clearOperationFailure(Object.assign(patch, { pending_operation: null, power_state: 'OFF' }));
    case 'VmPoweredOn':
      return clearOperationFailure(Object.assign(patch, { pending_operation: null, power_state: 'ON' }));
    case 'VmOperationFailed': {
      const { data } = domain;
      return Object.assign(patch, {
        pending_operation: null,
        failed_operation: data.operation,
        failed_operation_code: data.errorCode,
        failed_operation_message: data.errorMessage,
        failed_operation_attempts: data.attempts,
        failed_operation_at: at,
      });
    }
    case 'VmPowerStateObserved':
      return Object.assign(patch, { power_state: domain.data.powerState });
    case 'VmDecommissioned':
      return clearOperationFailure(Object.assign(patch, { status: 'DECOMMISSIONED', power_state: null, pending_operation: null, decommissioned_at: at }));
    case 'VmDeletionObserved':
      // Whatever was pending cannot happen to a VM that is gone; a failure recorded before stays (as in the domain).
      return Object.assign(patch, { status: 'DECOMMISSIONED', power_state: null, pending_operation: null, decommissioned_at: at });
    default: {
      const unhandled: never = domain;
      throw new Error(`unhandled VM request event ${JSON.stringify(unhandled)}`);
    }
  }
}
