import type { VmRequestEvent } from './events.ts';
import type { VmRequestState } from './state.ts';

export const evolveVmRequest = (state: VmRequestState, event: VmRequestEvent): VmRequestState => {
  const version = state.version + 1;
  if (event.type === 'VmRequestCreated') {
    const { data } = event;
    return {
      status: 'PENDING',
      version,
      projectId: data.projectId,
      vmName: data.vmName,
      size: data.size,
      justification: data.justification,
      requester: data.requester,
      decidedBy: null,
      rejectionReason: null,
      cancellationReason: null,
      provisioningStage: null,
      provisioningAttempt: null,
      nextRetryAt: null,
      vmwareVmId: null,
      hostname: null,
      ipAddress: null,
      warning: null,
      failure: null,
      powerState: null,
      pendingOperation: null,
      lastOperationError: null,
    };
  }
  // Only a creation can start a stream; anything else before it is a corrupt history, counted but not applied.
  if (state.status === 'NONE') return { ...state, version };

  switch (event.type) {
    case 'VmRequestCancelled':
      return { ...state, version, status: 'CANCELLED', cancellationReason: event.data.reason ?? null };
    case 'VmRequestApproved':
      return { ...state, version, status: 'APPROVED', decidedBy: event.data.approvedBy };
    case 'VmRequestRejected':
      return {
        ...state,
        version,
        status: 'REJECTED',
        decidedBy: event.data.rejectedBy,
        rejectionReason: event.data.reason,
      };
    case 'VmRequestProvisioningStarted':
      return { ...state, version, status: 'PROVISIONING', provisioningAttempt: 1, nextRetryAt: null };
    case 'VmProvisioningProgressed':
      // The first stage of a retried attempt ends its backoff.
      return { ...state, version, provisioningStage: event.data.stage, nextRetryAt: null };
    case 'VmProvisioningRetryScheduled':
      return {
        ...state,
        version,
        provisioningStage: null,
        provisioningAttempt: event.data.failedAttempt + 1,
        nextRetryAt: event.data.retryAt,
      };
    case 'VmRequestReady':
      // A stage describes a running attempt: once provisioning is over there is none.
      return {
        ...state,
        version,
        status: 'READY',
        provisioningStage: null,
        nextRetryAt: null,
        vmwareVmId: event.data.vmwareVmId,
        hostname: event.data.hostname,
        ipAddress: event.data.ipAddress ?? null,
        warning: event.data.warning ?? null,
        powerState: 'ON',
      };
    case 'VmRequestProvisioningFailed':
      return {
        ...state,
        version,
        status: 'FAILED',
        provisioningStage: null,
        provisioningAttempt: event.data.attempts,
        nextRetryAt: null,
        failure: {
          errorCode: event.data.errorCode,
          errorMessage: event.data.errorMessage,
          attempts: event.data.attempts,
        },
      };
    case 'VmPowerOffRequested':
      return { ...state, version, pendingOperation: 'POWER_OFF' };
    case 'VmPowerOnRequested':
      return { ...state, version, pendingOperation: 'POWER_ON' };
    case 'VmDecommissionRequested':
      return { ...state, version, pendingOperation: 'DECOMMISSION' };
    case 'VmPoweredOff':
      return { ...state, version, pendingOperation: null, powerState: 'OFF', lastOperationError: null };
    case 'VmPoweredOn':
      return { ...state, version, pendingOperation: null, powerState: 'ON', lastOperationError: null };
    case 'VmOperationFailed':
      return { ...state, version, pendingOperation: null, lastOperationError: { ...event.data } };
    case 'VmPowerStateObserved':
      return { ...state, version, powerState: event.data.powerState };
    case 'VmDecommissioned':
      return { ...state, version, status: 'DECOMMISSIONED', powerState: null, pendingOperation: null, lastOperationError: null };
    case 'VmDeletionObserved':
      // Whatever was pending cannot happen to a VM that is gone.
      return { ...state, version, status: 'DECOMMISSIONED', powerState: null, pendingOperation: null };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled VmRequest event ${JSON.stringify(unhandled)}`);
    }
  }
};
