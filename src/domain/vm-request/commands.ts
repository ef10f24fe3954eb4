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

export type VmRequestCommand =
  | CreateVmRequest
  | CancelVmRequest
  | ApproveVmRequest
  | RejectVmRequest
  | StartProvisioning
  | ReportProvisioningProgress
  | CompleteProvisioning
  | ScheduleProvisioningRetry
  | FailProvisioning;

export type VmRequestCommandType = VmRequestCommand['type'];
