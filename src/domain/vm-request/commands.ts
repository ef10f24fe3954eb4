import type { Principal } from '../principal.ts';
import type { ProjectFacts } from '../project/facts.ts';

/**
 * Commands carry raw caller input (validated by the decider) and every fact from outside the stream that a
 * rule needs: the actor, and for creation the project as the handler found it (null when it does not exist).
 */
export type CreateVmRequest = {
  type: 'CreateVmRequest';
  data: {
    actor: Principal;
    projectId: string;
    project: ProjectFacts | null;
    vmName: string;
    size: string;
    justification: string;
  };
};
export type CancelVmRequest = { type: 'CancelVmRequest'; data: { actor: Principal; reason?: string | null } };
export type ApproveVmRequest = { type: 'ApproveVmRequest'; data: { actor: Principal; expectedVersion: number } };
export type RejectVmRequest = {
  type: 'RejectVmRequest';
  data: { actor: Principal; expectedVersion: number; reason: string };
};
export type StartProvisioning = { type: 'StartProvisioning'; data: Record<string, never> };
export type ReportProvisioningProgress = { type: 'ReportProvisioningProgress'; data: { stage: string } };
export type CompleteProvisioning = {
  type: 'CompleteProvisioning';
  data: { vmwareVmId: string; hostname: string; ipAddress?: string | null; warning?: string | null };
};
export type FailProvisioning = {
  type: 'FailProvisioning';
  data: { errorCode: string; errorMessage: string; attempts: number };
};

export type ScheduleProvisioningRetry = {
  type: 'ScheduleProvisioningRetry';
  data: { failedAttempt: number; errorCode: string; errorMessage: string; retryAt: string };
};

/**
 * The VM's life after READY. `actorIsProjectAdmin`: the actor is an admin of the request's project, looked up by the
 * handler (one of those who may act on the VM). `expectedVersion`: the version the caller saw, when it says.
 */
export type LifecycleActorFacts = { actor: Principal; actorIsProjectAdmin: boolean; expectedVersion?: number };
export type RequestPowerOff = { type: 'RequestPowerOff'; data: LifecycleActorFacts };
export type RequestPowerOn = { type: 'RequestPowerOn'; data: LifecycleActorFacts };
export type RequestDecommission = {
  type: 'RequestDecommission';
  data: LifecycleActorFacts & { reason?: string | null };
};
/** The provisioning process's commands after READY (raw input: the operation is checked by the decider). */
export type CompleteVmOperation = { type: 'CompleteVmOperation'; data: { operation: string } };
export type FailVmOperation = {
  type: 'FailVmOperation';
  data: { operation: string; errorCode: string; errorMessage: string; attempts: number };
};
/** Reconciliation's: what it found on the hypervisor, on the version it read before looking (when it says). */
export type ObserveVmPowerState = { type: 'ObserveVmPowerState'; data: { powerState: string; expectedVersion?: number } };
export type ObserveVmDeleted = { type: 'ObserveVmDeleted'; data: { expectedVersion?: number } };

export type LifecycleCommand =
  | RequestPowerOff
  | RequestPowerOn
  | RequestDecommission
  | CompleteVmOperation
  | FailVmOperation
  | ObserveVmPowerState
  | ObserveVmDeleted;

export type VmRequestCommand =
  | CreateVmRequest
  | CancelVmRequest
  | ApproveVmRequest
  | RejectVmRequest
  | StartProvisioning
  | ReportProvisioningProgress
  | CompleteProvisioning
  | ScheduleProvisioningRetry
  | FailProvisioning
  | LifecycleCommand;

export type VmRequestCommandType = VmRequestCommand['type'];
