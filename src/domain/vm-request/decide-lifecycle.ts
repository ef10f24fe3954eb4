import {
  concurrencyConflict,
  type DomainError,
  type DomainResult,
  forbidden,
  invalidState,
  validationError,
} from '../errors.ts';
import { isAdmin } from '../principal.ts';
import { requireText } from '../required-text.ts';
import { fail, ok } from '../result.ts';
import { parseOptionalText } from '../text.ts';
import type {
  CompleteVmOperation,
  FailVmOperation,
  LifecycleActorFacts,
  LifecycleCommand,
  ObserveVmDeleted,
  ObserveVmPowerState,
  RequestDecommission,
} from './commands.ts';
import { parseFailureReport } from './failure-report.ts';
import { POWER_STATES, type PowerState, VM_OPERATIONS, type VmOperation, type VmRequestEvent } from './events.ts';
import type { VmRequest } from './state.ts';

type Decision = DomainResult<VmRequestEvent[]>;

export const DECOMMISSION_REASON_MAX = 500;

/** Optional: absent or blank means no reason. */
export const parseDecommissionReason = (
  input: string | null | undefined,
  field = 'reason',
): DomainResult<string | undefined> =>
  parseOptionalText(input, field, { label: 'Decommission reason', max: DECOMMISSION_REASON_MAX, multiline: true });

export const isVmOperation = (value: string): value is VmOperation => (VM_OPERATIONS as readonly string[]).includes(value);
export const isPowerState = (value: string): value is PowerState => (POWER_STATES as readonly string[]).includes(value);

/** How refusals name an operation in progress. */
const IN_PROGRESS: Record<VmOperation, string> = {
  POWER_OFF: 'a power-off is in progress',
  POWER_ON: 'a power-on is in progress',
  DECOMMISSION: 'the VM is being decommissioned',
};

const ACTION: Record<VmOperation, string> = {
  POWER_OFF: 'power off',
  POWER_ON: 'power on',
  DECOMMISSION: 'decommission',
};

/**
 * The VM's life after READY (docs/domain.md, "After READY"). Users ask (power off, power on, decommission); the
 * provisioning process reports what it did; reconciliation reports what it found. Every one needs a READY request.
 */
export const decideLifecycle = (command: LifecycleCommand, request: VmRequest): Decision => {
  switch (command.type) {
    case 'RequestPowerOff':
      return requestPower(command.data, request, 'POWER_OFF');
    case 'RequestPowerOn':
      return requestPower(command.data, request, 'POWER_ON');
    case 'RequestDecommission':
      return requestDecommission(command, request);
    case 'CompleteVmOperation':
      return complete(command, request);
    case 'FailVmOperation':
      return failOperation(command, request);
    case 'ObserveVmPowerState':
      return observePowerState(command, request);
    case 'ObserveVmDeleted':
      return observeDeleted(command, request);
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled lifecycle command ${JSON.stringify(unhandled)}`);
    }
  }
};

/** Who may act on the VM: whoever asked for it, a tenant admin, or an admin of its project. */
const checkActor = (data: LifecycleActorFacts, request: VmRequest, operation: VmOperation): DomainError | null =>
  data.actor.userId === request.requester.id || isAdmin(data.actor) || data.actorIsProjectAdmin
    ? null
    : forbidden(`Only the requester, a tenant admin or an admin of the project can ${ACTION[operation]} this VM`);

/** A stale view is a conflict even where the request has moved on, so the client knows to reload. */
const checkVersion = (expectedVersion: number | undefined, request: VmRequest): DomainError | null =>
  expectedVersion !== undefined && expectedVersion !== request.version
    ? concurrencyConflict(expectedVersion, request.version)
    : null;

const notReady = (request: VmRequest, operation: VmOperation): DomainError =>
  invalidState(
    request.status,
    request.status === 'DECOMMISSIONED'
      ? `Cannot ${ACTION[operation]}: the VM was decommissioned`
      : `Cannot ${ACTION[operation]} a VM request in status ${request.status}: it has no VM until it is READY`,
  );

const requestPower = (data: LifecycleActorFacts, request: VmRequest, operation: 'POWER_OFF' | 'POWER_ON'): Decision => {
  const refusal = checkActor(data, request, operation) ?? checkVersion(data.expectedVersion, request);
  if (refusal) return fail(refusal);
  if (request.status !== 'READY') return fail(notReady(request, operation));
  if (request.pendingOperation !== null) {
    return fail(invalidState(request.status, `Cannot ${ACTION[operation]}: ${IN_PROGRESS[request.pendingOperation]}`));
  }
  const already = operation === 'POWER_OFF' ? 'OFF' : 'ON';
  if (request.powerState === already) {
    return fail(invalidState(request.status, `Cannot ${ACTION[operation]}: the VM is already ${already.toLowerCase()}`));
  }
  const requestedBy = data.actor.userId;
  return ok([
    operation === 'POWER_OFF'
      ? { type: 'VmPowerOffRequested', data: { requestedBy } }
      : { type: 'VmPowerOnRequested', data: { requestedBy } },
  ]);
};

/** A pending power operation does not stand in the way: the decommission supersedes it. */
const requestDecommission = ({ data }: RequestDecommission, request: VmRequest): Decision => {
  const notAllowed = checkActor(data, request, 'DECOMMISSION');
  if (notAllowed) return fail(notAllowed);
  const reason = parseDecommissionReason(data.reason);
  if (!reason.ok) return reason;
  const refusal = checkVersion(data.expectedVersion, request);
  if (refusal) return fail(refusal);
  if (request.status !== 'READY') return fail(notReady(request, 'DECOMMISSION'));
  if (request.pendingOperation === 'DECOMMISSION') {
    return fail(invalidState(request.status, 'Cannot decommission: the VM is already being decommissioned'));
  }
  return ok([
    {
      type: 'VmDecommissionRequested',
      data: { requestedBy: data.actor.userId, ...(reason.value === undefined ? {} : { reason: reason.value }) },
    },
  ]);
};

/** The operation the process reports on must be the one pending (a superseded one is over). */
const checkPending = (operation: string, request: VmRequest): DomainResult<VmOperation> => {
  if (!isVmOperation(operation)) {
    return fail(validationError('operation', `Operation must be one of ${VM_OPERATIONS.join(', ')}`));
  }
  if (request.status !== 'READY') return fail(notReady(request, operation));
  if (request.pendingOperation !== operation) {
    const pending = request.pendingOperation === null ? 'nothing is pending' : IN_PROGRESS[request.pendingOperation];
    return fail(invalidState(request.status, `No ${ACTION[operation]} to report: ${pending}`));
  }
  return ok(operation);
};

const complete = ({ data }: CompleteVmOperation, request: VmRequest): Decision => {
  const operation = checkPending(data.operation, request);
  if (!operation.ok) return operation;
  switch (operation.value) {
    case 'POWER_OFF':
      return ok([{ type: 'VmPoweredOff', data: {} }]);
    case 'POWER_ON':
      return ok([{ type: 'VmPoweredOn', data: {} }]);
    case 'DECOMMISSION':
      return ok([{ type: 'VmDecommissioned', data: {} }]);
  }
};

const failOperation = ({ data }: FailVmOperation, request: VmRequest): Decision => {
  const operation = checkPending(data.operation, request);
  if (!operation.ok) return operation;
  const report = parseFailureReport(data);
  if (!report.ok) return report;
  return ok([{ type: 'VmOperationFailed', data: { operation: operation.value, ...report.value } }]);
};

/**
 * What reconciliation found counts only for an idle READY request: while an operation runs, the VM is expected to
 * change, and its job reports the outcome.
 */
const checkObservable = (expectedVersion: number | undefined, request: VmRequest, what: string): DomainError | null => {
  const stale = checkVersion(expectedVersion, request);
  if (stale) return stale;
  if (request.status !== 'READY') return invalidState(request.status, `Cannot record ${what} for a VM request in status ${request.status}`);
  if (request.pendingOperation !== null) {
    return invalidState(request.status, `Cannot record ${what} while ${IN_PROGRESS[request.pendingOperation]}`);
  }
  return null;
};

const observePowerState = ({ data }: ObserveVmPowerState, request: VmRequest): Decision => {
  if (!isPowerState(data.powerState)) {
    return fail(validationError('powerState', `Power state must be one of ${POWER_STATES.join(', ')}`));
  }
  const refusal = checkObservable(data.expectedVersion, request, 'an observed power state');
  if (refusal) return fail(refusal);
  // Only a change is news: the same state again records nothing.
  if (request.powerState === data.powerState) return ok([]);
  return ok([{ type: 'VmPowerStateObserved', data: { powerState: data.powerState } }]);
};

const observeDeleted = ({ data }: ObserveVmDeleted, request: VmRequest): Decision => {
  // Seen gone again after it was recorded (or deleted by DVMM meanwhile): nothing new.
  if (request.status === 'DECOMMISSIONED') return ok([]);
  const refusal = checkObservable(data.expectedVersion, request, 'a deletion');
  if (refusal) return fail(refusal);
  return ok([{ type: 'VmDeletionObserved', data: {} }]);
};
