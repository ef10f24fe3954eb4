import type { VmSize } from '../vm-size.ts';
import type { ProvisioningStage } from './stages.ts';

/** Who asked for the VM, copied from the token at request time (the audit trail must not depend on a later lookup). */
export type Requester = { id: string; email: string | null; name: string | null };

export type VmRequestCreated = {
  type: 'VmRequestCreated';
  data: { projectId: string; vmName: string; size: VmSize; justification: string; requester: Requester };
};
export type VmRequestCancelled = { type: 'VmRequestCancelled'; data: { reason?: string } };
export type VmRequestApproved = { type: 'VmRequestApproved'; data: { approvedBy: string } };
export type VmRequestRejected = { type: 'VmRequestRejected'; data: { rejectedBy: string; reason: string } };
export type VmRequestProvisioningStarted = { type: 'VmRequestProvisioningStarted'; data: Record<string, never> };
export type VmProvisioningProgressed = { type: 'VmProvisioningProgressed'; data: { stage: ProvisioningStage } };
/**
 * An attempt failed with a retryable error, its VM is gone, and attempt `failedAttempt + 1` starts at `retryAt`
 * (ISO 8601). The next attempt reports its stages again from the first.
 */
export type VmProvisioningRetryScheduled = {
  type: 'VmProvisioningRetryScheduled';
  data: { failedAttempt: number; errorCode: string; errorMessage: string; retryAt: string };
};
export type VmRequestReady = {
  type: 'VmRequestReady';
  data: { vmwareVmId: string; hostname: string; ipAddress?: string; warning?: string };
};
export type VmRequestProvisioningFailed = {
  type: 'VmRequestProvisioningFailed';
  data: { errorCode: string; errorMessage: string; attempts: number };
};

/** The VM's life after READY (docs/domain.md, "After READY"). */
export const VM_OPERATIONS = ['POWER_OFF', 'POWER_ON', 'DECOMMISSION'] as const;
export type VmOperation = (typeof VM_OPERATIONS)[number];
export const POWER_STATES = ['ON', 'OFF', 'UNKNOWN'] as const;
export type PowerState = (typeof POWER_STATES)[number];

export type VmPowerOffRequested = { type: 'VmPowerOffRequested'; data: { requestedBy: string } };
export type VmPowerOnRequested = { type: 'VmPowerOnRequested'; data: { requestedBy: string } };
/** Supersedes a pending power operation. */
export type VmDecommissionRequested = {
  type: 'VmDecommissionRequested';
  data: { requestedBy: string; reason?: string };
};
export type VmPoweredOff = { type: 'VmPoweredOff'; data: Record<string, never> };
export type VmPoweredOn = { type: 'VmPoweredOn'; data: Record<string, never> };
/** A requested operation gave up after its retries: nothing pending any more, the VM as it was. */
export type VmOperationFailed = {
  type: 'VmOperationFailed';
  data: { operation: VmOperation; errorCode: string; errorMessage: string; attempts: number };
};
/** The VM is deleted: the request is DECOMMISSIONED and its quota released. */
export type VmDecommissioned = { type: 'VmDecommissioned'; data: Record<string, never> };
/** Reconciliation found the VM in another power state than recorded: changed outside DVMM. */
export type VmPowerStateObserved = { type: 'VmPowerStateObserved'; data: { powerState: PowerState } };
/** Reconciliation found the VM gone from the hypervisor: deleted outside DVMM; DECOMMISSIONED, quota released. */
export type VmDeletionObserved = { type: 'VmDeletionObserved'; data: Record<string, never> };

export type VmRequestEvent =
  | VmRequestCreated
  | VmRequestCancelled
  | VmRequestApproved
  | VmRequestRejected
  | VmRequestProvisioningStarted
  | VmProvisioningProgressed
  | VmProvisioningRetryScheduled
  | VmRequestReady
  | VmRequestProvisioningFailed
  | VmPowerOffRequested
  | VmPowerOnRequested
  | VmDecommissionRequested
  | VmPoweredOff
  | VmPoweredOn
  | VmOperationFailed
  | VmDecommissioned
  | VmPowerStateObserved
  | VmDeletionObserved;

export type VmRequestEventType = VmRequestEvent['type'];

/** Current schema version of each event's payload; bump one when its shape changes and teach `upcast` the old one. */
export const vmRequestEventSchemaVersions: Readonly<Record<VmRequestEventType, number>> = {
  VmRequestCreated: 1,
  VmRequestCancelled: 1,
  VmRequestApproved: 1,
  VmRequestRejected: 1,
  VmRequestProvisioningStarted: 1,
  VmProvisioningProgressed: 1,
  VmProvisioningRetryScheduled: 1,
  VmRequestReady: 1,
  VmRequestProvisioningFailed: 1,
  VmPowerOffRequested: 1,
  VmPowerOnRequested: 1,
  VmDecommissionRequested: 1,
  VmPoweredOff: 1,
  VmPoweredOn: 1,
  VmOperationFailed: 1,
  VmDecommissioned: 1,
  VmPowerStateObserved: 1,
  VmDeletionObserved: 1,
};
