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

export type VmRequestEvent =
  | VmRequestCreated
  | VmRequestCancelled
  | VmRequestApproved
  | VmRequestRejected
  | VmRequestProvisioningStarted
  | VmProvisioningProgressed
  | VmProvisioningRetryScheduled
  | VmRequestReady
  | VmRequestProvisioningFailed;

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
};
