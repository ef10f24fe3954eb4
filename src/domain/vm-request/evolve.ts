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
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled VmRequest event ${JSON.stringify(unhandled)}`);
    }
  }
};
