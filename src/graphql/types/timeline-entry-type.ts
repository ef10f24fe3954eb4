import type { VmRequestEventType } from '../../domain/index.ts';
import { builder } from '../builder.ts';

/** Each event a request's timeline shows, with its enum name; a Record, so a new event type cannot be forgotten. */
const ENTRY_TYPES: Record<VmRequestEventType, { name: string; description: string }> = {
  VmRequestCreated: { name: 'CREATED', description: 'The request was made.' },
  VmRequestCancelled: { name: 'CANCELLED', description: 'The requester cancelled it.' },
  VmRequestApproved: { name: 'APPROVED', description: 'An admin approved it; provisioning follows.' },
  VmRequestRejected: { name: 'REJECTED', description: 'An admin rejected it (details carry the reason).' },
  VmRequestProvisioningStarted: { name: 'PROVISIONING_STARTED', description: 'Provisioning began its first attempt.' },
  VmProvisioningProgressed: {
    name: 'PROVISIONING_PROGRESSED',
    description: 'The current attempt reached a stage (details name it). Each attempt reports its stages.',
  },
  VmProvisioningRetryScheduled: {
    name: 'PROVISIONING_RETRY_SCHEDULED',
    description: 'An attempt failed with a retryable error; details give the error and when the next attempt starts.',
  },
  VmRequestReady: { name: 'READY', description: 'The VM is ready (details give hostname, address and VM id).' },
  VmRequestProvisioningFailed: {
    name: 'PROVISIONING_FAILED',
    description: 'Provisioning failed for good (details give the attempts made and the error).',
  },
  VmPowerOffRequested: { name: 'POWER_OFF_REQUESTED', description: 'Someone asked for the VM to be powered off.' },
  VmPowerOnRequested: { name: 'POWER_ON_REQUESTED', description: 'Someone asked for the VM to be powered on.' },
  VmDecommissionRequested: { name: 'DECOMMISSION_REQUESTED', description: 'Someone asked for the VM to be deleted.' },
  VmPoweredOff: { name: 'POWERED_OFF', description: 'The VM was powered off as requested.' },
  VmPoweredOn: { name: 'POWERED_ON', description: 'The VM was powered on as requested.' },
  VmOperationFailed: { name: 'OPERATION_FAILED', description: 'A requested power or decommission operation failed for good.' },
  VmDecommissioned: { name: 'DECOMMISSIONED', description: 'The VM was deleted as requested; its quota is released.' },
  VmPowerStateObserved: {
    name: 'POWER_STATE_OBSERVED',
    description: 'The VM was found in another power state than recorded: changed outside DVMM.',
  },
  VmDeletionObserved: { name: 'DELETION_OBSERVED', description: 'The VM was found deleted outside DVMM; its quota is released.' },
};

export const TimelineEntryTypeEnum = builder.enumType('TimelineEntryType', {
  description: 'What happened to the request at a timeline entry.',
  values: Object.fromEntries(
    Object.entries(ENTRY_TYPES).map(([type, { name, description }]) => [name, { value: type, description }]),
  ) as Record<string, { value: VmRequestEventType; description: string }>,
});
