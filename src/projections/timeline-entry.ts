import type { PowerState, VmOperation, VmRequestEvent } from '../domain/vm-request/events.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { actorOf, entityId, eventTime } from './event-facts.ts';

/** A `vm_request_timeline` row, keyed by column name. */
export interface TimelineRecord {
  position: string;
  request_id: string;
  tenant_id: string;
  stream_version: number;
  type: string;
  actor_id: string | null;
  details: string | null;
  occurred_at: string;
}

const OPERATION_TEXT: Record<VmOperation, string> = { POWER_OFF: 'Power off', POWER_ON: 'Power on', DECOMMISSION: 'Decommission' };

/** Reconciliation records a power state only when it differs from DVMM's: someone changed it in vCenter. */
const OBSERVED_POWER_TEXT: Record<PowerState, string> = {
  OFF: 'Powered off',
  ON: 'Powered on',
  UNKNOWN: 'Power state unknown',
};

/** The one line a person reads on the request's timeline. */
export function timelineDetails(domain: VmRequestEvent, actorId: string | null): string {
  switch (domain.type) {
    case 'VmRequestCreated': {
      const { data } = domain;
      const who = data.requester.name ?? data.requester.email ?? data.requester.id;
      return `Requested ${data.vmName} (size ${data.size}) by ${who}`;
    }
    case 'VmRequestCancelled':
      return domain.data.reason ? `Cancelled by ${actorId ?? 'unknown'}: ${domain.data.reason}` : `Cancelled by ${actorId ?? 'unknown'}`;
    case 'VmRequestApproved':
      return `Approved by ${domain.data.approvedBy}`;
    case 'VmRequestRejected':
      return `Rejected by ${domain.data.rejectedBy}: ${domain.data.reason}`;
    case 'VmRequestProvisioningStarted':
      return 'Provisioning started';
    case 'VmProvisioningProgressed':
      return `Stage ${domain.data.stage}`;
    case 'VmProvisioningRetryScheduled': {
      const { data } = domain;
      return `Attempt ${data.failedAttempt} failed: ${data.errorCode}: ${data.errorMessage}; attempt ${data.failedAttempt + 1} starts at ${data.retryAt}`;
    }
    case 'VmRequestReady': {
      const { data } = domain;
      const address = data.ipAddress ? ` (${data.ipAddress})` : '';
      return `Ready: ${data.hostname}${address}, VM ${data.vmwareVmId}${data.warning ? `; warning: ${data.warning}` : ''}`;
    }
    case 'VmRequestProvisioningFailed': {
      const { data } = domain;
      return `Failed after ${data.attempts} attempt(s): ${data.errorCode}: ${data.errorMessage}`;
    }
    case 'VmPowerOffRequested':
      return `Power off requested by ${domain.data.requestedBy}`;
    case 'VmPowerOnRequested':
      return `Power on requested by ${domain.data.requestedBy}`;
    case 'VmDecommissionRequested': {
      const { data } = domain;
      return data.reason ? `Decommission requested by ${data.requestedBy}: ${data.reason}` : `Decommission requested by ${data.requestedBy}`;
    }
    case 'VmPoweredOff':
      return 'Powered off by the system, as requested';
    case 'VmPoweredOn':
      return 'Powered on by the system, as requested';
    case 'VmOperationFailed': {
      const { data } = domain;
      return `${OPERATION_TEXT[data.operation]} failed after ${data.attempts} attempt(s): ${data.errorCode}: ${data.errorMessage}`;
    }
    case 'VmDecommissioned':
      return 'Decommissioned by the system, as requested: the VM was deleted and its quota released';
    case 'VmPowerStateObserved':
      return `${OBSERVED_POWER_TEXT[domain.data.powerState]} in vCenter, outside DVMM`;
    case 'VmDeletionObserved':
      return 'Observed in vCenter, outside DVMM: the VM was deleted; its quota is released';
    default: {
      const unhandled: never = domain;
      throw new Error(`unhandled VM request event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** `requestId` and `occurredAt` as the caller already worked them out (entityId, eventTime). */
export function timelineEntry(
  event: LogEvent,
  domain: VmRequestEvent,
  requestId: string = entityId(event),
  occurredAt: string = eventTime(event),
): TimelineRecord {
  const actorId = actorOf(event);
  return {
    position: event.position.toString(),
    request_id: requestId,
    tenant_id: event.tenantId,
    stream_version: event.streamVersion,
    type: event.type,
    actor_id: actorId,
    details: timelineDetails(domain, actorId),
    occurred_at: occurredAt,
  };
}
