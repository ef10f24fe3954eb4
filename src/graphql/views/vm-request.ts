import type { CommandResult } from '../../commands/index.ts';
import type { PowerState, ProvisioningStage, VmOperation, VmRequest, VmRequestStatus, VmSize } from '../../domain/index.ts';
import type { ProjectView } from './project.ts';

/**
 * What the VmRequest GraphQL type resolves from: a read-model row, or the state a command just left (which may
 * be ahead of the read model). Both map to this one shape, so every field resolves the same way from either.
 */
export interface VmRequestView {
  kind: 'VmRequest';
  id: string;
  tenantId: string;
  projectId: string;
  vmName: string;
  size: VmSize;
  justification: string;
  status: VmRequestStatus;
  version: number;
  requesterId: string;
  requesterEmail: string | null;
  requesterName: string | null;
  decidedBy: string | null;
  rejectionReason: string | null;
  cancellationReason: string | null;
  provisioningStage: ProvisioningStage | null;
  provisioningAttempt: number | null;
  nextRetryAt: Date | null;
  vmwareVmId: string | null;
  hostname: string | null;
  ipAddress: string | null;
  warning: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  powerState: PowerState | null;
  pendingOperation: VmOperation | null;
  decommissionedAt: Date | null;
  lastOperationFailure: VmOperationFailureView | null;
  createdAt: Date;
  updatedAt: Date;
  /** The read model's change cursor of this state; null for a state straight from a command. */
  cursor: string | null;
  /** The connection sort key (see read/page-cursor.ts), when the view came from a list query. */
  sortKey?: string;
  /** The project, when whoever built this view already had it (the live feed loads it once per batch). */
  project?: ProjectView;
}

/** A requested operation that failed for good: VmRequest.lastOperationFailure. */
export interface VmOperationFailureView {
  operation: VmOperation;
  code: string;
  message: string;
  attempts: number;
  /** When it was recorded; null in a command's answer, which knows the failure but not its event's time. */
  at: Date | null;
}

/** The request exactly as the command left it: status and version already advanced, no projector wait. */
export const vmRequestFromCommand = (
  tenantId: string,
  result: CommandResult<VmRequest, unknown>,
): VmRequestView => {
  const { state } = result;
  return {
    kind: 'VmRequest',
    id: result.id,
    tenantId,
    projectId: state.projectId,
    vmName: state.vmName,
    size: state.size,
    justification: state.justification,
    status: state.status,
    version: result.version,
    requesterId: state.requester.id,
    requesterEmail: state.requester.email,
    requesterName: state.requester.name,
    decidedBy: state.decidedBy,
    rejectionReason: state.rejectionReason,
    cancellationReason: state.cancellationReason,
    provisioningStage: state.provisioningStage,
    provisioningAttempt: state.provisioningAttempt,
    nextRetryAt: state.nextRetryAt === null ? null : new Date(state.nextRetryAt),
    vmwareVmId: state.vmwareVmId,
    hostname: state.hostname,
    ipAddress: state.ipAddress,
    warning: state.warning,
    failureCode: state.failure?.errorCode ?? null,
    failureMessage: state.failure?.errorMessage ?? null,
    powerState: state.powerState,
    pendingOperation: state.pendingOperation,
    // DECOMMISSIONED is final: no event follows the one that decommissioned, so it is the last one.
    decommissionedAt: state.status === 'DECOMMISSIONED' ? new Date(result.updatedAt) : null,
    lastOperationFailure: state.lastOperationError && {
      operation: state.lastOperationError.operation,
      code: state.lastOperationError.errorCode,
      message: state.lastOperationError.errorMessage,
      attempts: state.lastOperationError.attempts,
      at: failureTime(result),
    },
    createdAt: new Date(result.createdAt),
    updatedAt: new Date(result.updatedAt),
    cursor: null,
  };
};

/** When the failure the command's state holds was recorded, if the command's own events say (it wrote it). */
const failureTime = (result: CommandResult<VmRequest, unknown>): Date | null => {
  const failed = result.events.findLast((event) => (event as { type?: unknown }).type === 'VmOperationFailed');
  return failed ? new Date(failed.metadata.occurredAt) : null;
};
