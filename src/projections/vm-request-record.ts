import type { VmRequestEvent } from '../domain/vm-request/events.ts';
import { vmSizeSpec } from '../domain/vm-size.ts';
import type { RecordedEvent } from '../event-store/types.ts';
import { entityId, eventTime } from './event-facts.ts';

/** A `vm_requests` row as the projection builds it: column names as keys, so it round-trips through jsonb. */
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

/**
 * Folds one event into the request's row. Every event stamps version, updated_at and the change cursor; an event
 * for a request the read model has never seen is corrupt history and throws (the projection stalls on it).
 */
export function evolveVmRequestRecord(
  record: VmRequestRecord | undefined,
  event: RecordedEvent,
  domain: VmRequestEvent,
  projectName: (projectId: string) => string | null,
): VmRequestRecord {
  const at = eventTime(event);
  const stamp = {
    version: event.streamVersion,
    updated_at: at,
    changed_tx: event.transactionId.toString(),
    changed_position: event.position.toString(),
  };
  if (domain.type === 'VmRequestCreated') {
    const { data } = domain;
    const spec = vmSizeSpec(data.size);
    if (!spec) throw new Error(`unknown VM size ${JSON.stringify(data.size)}`);
    return {
      id: entityId(event),
      tenant_id: event.tenantId,
      project_id: data.projectId,
      project_name: projectName(data.projectId),
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
  if (!record) {
    throw new Error(`${domain.type} for VM request ${entityId(event)}, which has no VmRequestCreated before it`);
  }
  const next = { ...record, ...stamp };
  switch (domain.type) {
    case 'VmRequestCancelled':
      return { ...next, status: 'CANCELLED', cancellation_reason: domain.data.reason ?? null };
    case 'VmRequestApproved':
      return { ...next, status: 'APPROVED', decided_by: domain.data.approvedBy, decided_at: at };
    case 'VmRequestRejected':
      return { ...next, status: 'REJECTED', decided_by: domain.data.rejectedBy, decided_at: at, rejection_reason: domain.data.reason };
    case 'VmRequestProvisioningStarted':
      return { ...next, status: 'PROVISIONING' };
    case 'VmProvisioningProgressed':
      return { ...next, provisioning_stage: domain.data.stage };
    case 'VmRequestReady':
      return {
        ...next,
        status: 'READY',
        vmware_vm_id: domain.data.vmwareVmId,
        hostname: domain.data.hostname,
        ip_address: domain.data.ipAddress ?? null,
        provisioning_warning: domain.data.warning ?? null,
      };
    case 'VmRequestProvisioningFailed':
      return {
        ...next,
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
