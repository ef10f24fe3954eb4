import type { Principal } from '../domain/index.ts';
import type { CommandContext } from './context.ts';
import type { HandleDeps } from './handle.ts';
import { runOnVmRequest } from './vm-request-commands.ts';

export interface VmRequestIdInput {
  id: string;
}
export interface ReportProvisioningProgressInput {
  id: string;
  stage: string;
}
export interface CompleteProvisioningInput {
  id: string;
  vmwareVmId: string;
  hostname: string;
  ipAddress?: string | null;
  warning?: string | null;
}
export interface ScheduleProvisioningRetryInput {
  id: string;
  failedAttempt: number;
  errorCode: string;
  errorMessage: string;
  /** When the next attempt starts (ISO 8601). */
  retryAt: string;
}
export interface FailProvisioningInput {
  id: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
}

export interface VmOperationInput {
  id: string;
  /** POWER_OFF, POWER_ON or DECOMMISSION: the operation pending on the request. */
  operation: string;
}
export interface FailVmOperationInput extends VmOperationInput {
  errorCode: string;
  errorMessage: string;
  attempts: number;
}
export interface ObserveVmPowerStateInput {
  id: string;
  /** ON, OFF or UNKNOWN, as the hypervisor reported it. */
  powerState: string;
  /** The version reconciliation read before looking: a request that changed meanwhile is CONCURRENCY_CONFLICT. */
  expectedVersion?: number;
}
export interface ObserveVmDeletedInput {
  id: string;
  expectedVersion?: number;
}

/**
 * The provisioning process's commands. Not exposed through the API: they act for the system (see
 * systemPrincipal), within the principal's tenant, and carry the approval's correlation id in `context`.
 * They retry on a concurrent write, since no caller promised a version.
 */
export const provisioningCommands = (deps: HandleDeps) => ({
  startProvisioning: (principal: Principal, input: VmRequestIdInput, context: CommandContext = {}) =>
    runOnVmRequest(deps, principal, input.id, { type: 'StartProvisioning', data: {} }, context),

  reportProvisioningProgress: (
    principal: Principal,
    input: ReportProvisioningProgressInput,
    context: CommandContext = {},
  ) =>
    runOnVmRequest(deps, principal, input.id, { type: 'ReportProvisioningProgress', data: { stage: input.stage } }, context),

  completeProvisioning: (principal: Principal, input: CompleteProvisioningInput, context: CommandContext = {}) => {
    const { vmwareVmId, hostname, ipAddress, warning } = input;
    const data = { vmwareVmId, hostname, ipAddress, warning };
    return runOnVmRequest(deps, principal, input.id, { type: 'CompleteProvisioning', data }, context);
  },

  scheduleProvisioningRetry: (principal: Principal, input: ScheduleProvisioningRetryInput, context: CommandContext = {}) => {
    const { failedAttempt, errorCode, errorMessage, retryAt } = input;
    const data = { failedAttempt, errorCode, errorMessage, retryAt };
    return runOnVmRequest(deps, principal, input.id, { type: 'ScheduleProvisioningRetry', data }, context);
  },

  failProvisioning: (principal: Principal, input: FailProvisioningInput, context: CommandContext = {}) => {
    const { errorCode, errorMessage, attempts } = input;
    const data = { errorCode, errorMessage, attempts };
    return runOnVmRequest(deps, principal, input.id, { type: 'FailProvisioning', data }, context);
  },

  /** The pending operation is done: VmPoweredOff, VmPoweredOn or VmDecommissioned (which releases the quota). */
  completeVmOperation: (principal: Principal, input: VmOperationInput, context: CommandContext = {}) =>
    runOnVmRequest(deps, principal, input.id, { type: 'CompleteVmOperation', data: { operation: input.operation } }, context),

  failVmOperation: (principal: Principal, input: FailVmOperationInput, context: CommandContext = {}) => {
    const { operation, errorCode, errorMessage, attempts } = input;
    const data = { operation, errorCode, errorMessage, attempts };
    return runOnVmRequest(deps, principal, input.id, { type: 'FailVmOperation', data }, context);
  },

  /**
   * Reconciliation's findings. With `expectedVersion` they are recorded only on the state they were made against
   * (never retried on a newer one: what was seen may be the doing of an operation that ran meanwhile).
   */
  observeVmPowerState: (principal: Principal, input: ObserveVmPowerStateInput, context: CommandContext = {}) => {
    const versioned = input.expectedVersion === undefined ? {} : { expectedVersion: input.expectedVersion };
    const data = { powerState: input.powerState, ...versioned };
    return runOnVmRequest(deps, principal, input.id, { type: 'ObserveVmPowerState', data }, context, versioned);
  },

  observeVmDeleted: (principal: Principal, input: ObserveVmDeletedInput, context: CommandContext = {}) => {
    const versioned = input.expectedVersion === undefined ? {} : { expectedVersion: input.expectedVersion };
    return runOnVmRequest(deps, principal, input.id, { type: 'ObserveVmDeleted', data: versioned }, context, versioned);
  },
});
