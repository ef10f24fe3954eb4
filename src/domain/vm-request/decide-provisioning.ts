import { type DomainResult, invalidState, validationError } from '../errors.ts';
import { optionalText, requireText } from '../required-text.ts';
import { fail, ok } from '../result.ts';
import type {
  CompleteProvisioning,
  FailProvisioning,
  ReportProvisioningProgress,
  ScheduleProvisioningRetry,
  StartProvisioning,
} from './commands.ts';
import type { VmRequestEvent } from './events.ts';
import { parseFailureReport } from './failure-report.ts';
import { isProvisioningStage, nextProvisioningStage, PROVISIONING_STAGES } from './stages.ts';
import type { VmRequest } from './state.ts';

type ProvisioningCommand =
  | StartProvisioning
  | ReportProvisioningProgress
  | CompleteProvisioning
  | ScheduleProvisioningRetry
  | FailProvisioning;
type Decision = DomainResult<VmRequestEvent[]>;

export const NO_IP_WARNING = 'No IP address was reported after waiting for the network';

/** The system's commands: they act on the request's behalf, so they check state, never the actor. */
export const decideProvisioning = (command: ProvisioningCommand, request: VmRequest): Decision => {
  switch (command.type) {
    case 'StartProvisioning':
      if (request.status !== 'APPROVED') return fail(refused(request, 'start provisioning'));
      return ok([{ type: 'VmRequestProvisioningStarted', data: {} }]);
    case 'ReportProvisioningProgress':
      return progress(command, request);
    case 'CompleteProvisioning':
      return complete(command, request);
    case 'ScheduleProvisioningRetry':
      return scheduleRetry(command, request);
    case 'FailProvisioning':
      return failProvisioning(command, request);
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled provisioning command ${JSON.stringify(unhandled)}`);
    }
  }
};

const refused = (request: VmRequest, action: string) =>
  invalidState(request.status, `Cannot ${action} for a VM request in status ${request.status}`);

const progress = ({ data }: ReportProvisioningProgress, request: VmRequest): Decision => {
  if (request.status !== 'PROVISIONING') return fail(refused(request, 'report provisioning progress'));
  if (!isProvisioningStage(data.stage)) {
    return fail(validationError('stage', `Stage must be one of ${PROVISIONING_STAGES.join(', ')}`));
  }
  const expected = nextProvisioningStage(request.provisioningStage);
  if (data.stage !== expected) {
    const after = request.provisioningStage ?? 'the start';
    return fail(
      invalidState(
        request.status,
        `Stage ${data.stage} is out of order: after ${after} the next stage is ${expected ?? 'none (all stages reported)'}`,
      ),
    );
  }
  return ok([{ type: 'VmProvisioningProgressed', data: { stage: data.stage } }]);
};

const complete = ({ data }: CompleteProvisioning, request: VmRequest): Decision => {
  if (request.status !== 'PROVISIONING') return fail(refused(request, 'complete provisioning'));
  const vmwareVmId = requireText(data.vmwareVmId, 'vmwareVmId');
  if (!vmwareVmId.ok) return vmwareVmId;
  const hostname = requireText(data.hostname, 'hostname');
  if (!hostname.ok) return hostname;
  const ipAddress = optionalText(data.ipAddress);
  // A VM without an IP after the network wait is still usable: it becomes READY with a warning, not FAILED.
  const warning = optionalText(data.warning) ?? (ipAddress === undefined ? NO_IP_WARNING : undefined);
  return ok([
    {
      type: 'VmRequestReady',
      data: {
        vmwareVmId: vmwareVmId.value,
        hostname: hostname.value,
        ...(ipAddress === undefined ? {} : { ipAddress }),
        ...(warning === undefined ? {} : { warning }),
      },
    },
  ]);
};

const failProvisioning = ({ data }: FailProvisioning, request: VmRequest): Decision => {
  if (request.status !== 'PROVISIONING') return fail(refused(request, 'fail provisioning'));
  const report = parseFailureReport(data);
  if (!report.ok) return report;
  return ok([{ type: 'VmRequestProvisioningFailed', data: report.value }]);
};

const scheduleRetry = ({ data }: ScheduleProvisioningRetry, request: VmRequest): Decision => {
  if (request.status !== 'PROVISIONING') return fail(refused(request, 'schedule a provisioning retry'));
  const errorCode = requireText(data.errorCode, 'errorCode');
  if (!errorCode.ok) return errorCode;
  const errorMessage = requireText(data.errorMessage, 'errorMessage');
  if (!errorMessage.ok) return errorMessage;
  if (!Number.isInteger(data.failedAttempt) || data.failedAttempt < 1) {
    return fail(validationError('failedAttempt', 'failedAttempt must be a whole number of at least 1'));
  }
  // A request provisioned before retries were recorded counts its attempt as 1 while the job may be further on:
  // the job's count wins. Only an attempt the stream has already moved past is stale.
  if (request.provisioningAttempt !== null && data.failedAttempt < request.provisioningAttempt) {
    return fail(
      invalidState(
        request.status,
        `Attempt ${data.failedAttempt} is over: the request is at attempt ${request.provisioningAttempt}`,
      ),
    );
  }
  const retryAt = new Date(data.retryAt);
  if (Number.isNaN(retryAt.getTime())) return fail(validationError('retryAt', 'retryAt must be a date and time'));
  return ok([
    {
      type: 'VmProvisioningRetryScheduled',
      data: {
        failedAttempt: data.failedAttempt,
        errorCode: errorCode.value,
        errorMessage: errorMessage.value,
        retryAt: retryAt.toISOString(),
      },
    },
  ]);
};
