import type { VmRequestEvent } from '../domain/vm-request/events.ts';
import { vmSizeSpec } from '../domain/vm-size.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { entityId, eventTime } from './event-facts.ts';

/** A `vm_requests` row keyed by column name, so it goes to Postgres as json and back as the table's row type. */
export interface VmRequestRecord {
  id: string;
  tenant_id: string;
  project_id: string;
  project_name: string | null;
  vm_name: string;
  size: string;
  vcpus: number;
  memory_gb: number;
  disk_gb: number;
  monthly_cost_eur: number;
  justification: string;
  status: string;
  version: number;
  requester_id: string;
  requester_email: string | null;
  requester_name: string | null;
  decided_by: string | null;
  decided_at: string | null;
  rejection_reason: string | null;
  cancellation_reason: string | null;
  provisioning_stage: string | null;
  provisioning_attempts: number | null;
  vmware_vm_id: string | null;
  hostname: string | null;
  ip_address: string | null;
  provisioning_warning: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: string;
  updated_at: string;
  changed_tx: string;
  changed_position: string;
}

/** The columns one event sets. */
export type VmRequestPatch = Partial<VmRequestRecord>;

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
  const stamp = {
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
        vmware_vm_id: null,
        hostname: null,
        ip_address: null,
        provisioning_warning: null,
        failure_code: null,
        failure_message: null,
        created_at: at,
        ...stamp,
      };
    }
    case 'VmRequestCancelled':
      return { ...stamp, status: 'CANCELLED', cancellation_reason: domain.data.reason ?? null };
    case 'VmRequestApproved':
      return { ...stamp, status: 'APPROVED', decided_by: domain.data.approvedBy, decided_at: at };
    case 'VmRequestRejected':
      return { ...stamp, status: 'REJECTED', decided_by: domain.data.rejectedBy, decided_at: at, rejection_reason: domain.data.reason };
    case 'VmRequestProvisioningStarted':
      return { ...stamp, status: 'PROVISIONING' };
    case 'VmProvisioningProgressed':
      return { ...stamp, provisioning_stage: domain.data.stage };
    case 'VmRequestReady':
      return {
        ...stamp,
        status: 'READY',
        vmware_vm_id: domain.data.vmwareVmId,
        hostname: domain.data.hostname,
        ip_address: domain.data.ipAddress ?? null,
        provisioning_warning: domain.data.warning ?? null,
      };
    case 'VmRequestProvisioningFailed':
      return {
        ...stamp,
        status: 'FAILED',
        failure_code: domain.data.errorCode,
        failure_message: domain.data.errorMessage,
        provisioning_attempts: domain.data.attempts,
      };
    default: {
      const unhandled: never = domain;
      throw new Error(`unhandled VM request event ${JSON.stringify(unhandled)}`);
    }
  }
}
