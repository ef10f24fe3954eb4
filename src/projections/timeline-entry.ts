import type { VmRequestEvent } from '../domain/vm-request/events.ts';
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
    // The VM's life after READY: plain lines for now (read model to follow).
    case 'VmPowerOffRequested':
    case 'VmPowerOnRequested':
    case 'VmDecommissionRequested':
    case 'VmPoweredOff':
    case 'VmPoweredOn':
    case 'VmOperationFailed':
    case 'VmPowerStateObserved':
    case 'VmDecommissioned':
    case 'VmDeletionObserved':
      return domain.type;
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
