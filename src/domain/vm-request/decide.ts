import {
  type DomainError,
  type DomainResult,
  concurrencyConflict,
  forbidden,
  invalidState,
  notFound,
} from '../errors.ts';
import { allValid } from '../all-valid.ts';
import { isAdmin, type Principal } from '../principal.ts';
import { parseJustification } from '../justification.ts';
import { parseCancellationReason, parseRejectionReason } from '../reasons.ts';
import { fail, ok } from '../result.ts';
import { parseVmName } from '../vm-name.ts';
import { parseVmSize } from '../vm-size.ts';
import type {
  ApproveVmRequest,
  CancelVmRequest,
  CreateVmRequest,
  RejectVmRequest,
  VmRequestCommand,
} from './commands.ts';
import { decideLifecycle } from './decide-lifecycle.ts';
import { decideProvisioning } from './decide-provisioning.ts';
import type { VmRequestEvent } from './events.ts';
import type { VmRequest, VmRequestState } from './state.ts';

export type VmRequestDecision = DomainResult<VmRequestEvent[]>;

export const decideVmRequest = (command: VmRequestCommand, state: VmRequestState): VmRequestDecision => {
  switch (command.type) {
    case 'CreateVmRequest':
      return create(command, state);
    case 'CancelVmRequest':
      return whenExists(state, (request) => cancel(command, request));
    case 'ApproveVmRequest':
      return whenExists(state, (request) => approve(command, request));
    case 'RejectVmRequest':
      return whenExists(state, (request) => reject(command, request));
    case 'StartProvisioning':
    case 'ReportProvisioningProgress':
    case 'CompleteProvisioning':
    case 'ScheduleProvisioningRetry':
    case 'FailProvisioning':
      return whenExists(state, (request) => decideProvisioning(command, request));
    case 'RequestPowerOff':
    case 'RequestPowerOn':
    case 'RequestDecommission':
    case 'CompleteVmOperation':
    case 'FailVmOperation':
    case 'ObserveVmPowerState':
    case 'ObserveVmDeleted':
      return whenExists(state, (request) => decideLifecycle(command, request));
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled VmRequest command ${JSON.stringify(unhandled)}`);
    }
  }
};

const whenExists = (state: VmRequestState, decide: (request: VmRequest) => VmRequestDecision): VmRequestDecision =>
  state.status === 'NONE' ? fail(notFound('VM request not found')) : decide(state);

export const notInStatus = (request: VmRequest, action: string): DomainError =>
  invalidState(request.status, `Cannot ${action} a VM request in status ${request.status}`);

const create = ({ data }: CreateVmRequest, state: VmRequestState): VmRequestDecision => {
  if (state.status !== 'NONE') return fail(invalidState(state.status, 'This VM request already exists'));
  const { actor, project } = data;
  if (project === null) return fail(notFound('Project not found'));
  if (!project.isMember && !isAdmin(actor)) {
    return fail(forbidden('Only members of the project (or admins) can request VMs in it'));
  }
  if (project.status !== 'ACTIVE') {
    return fail(invalidState(project.status, `VMs can be requested only in ACTIVE projects; this one is ${project.status}`));
  }
  const values = allValid({
    vmName: parseVmName(data.vmName),
    size: parseVmSize(data.size),
    justification: parseJustification(data.justification),
  });
  if (!values.ok) return values;
  const { vmName, size, justification } = values.value;
  return ok([
    {
      type: 'VmRequestCreated',
      data: {
        projectId: data.projectId,
        vmName,
        size,
        justification,
        requester: { id: actor.userId, email: actor.email ?? null, name: actor.name ?? null },
      },
    },
  ]);
};

const cancel = ({ data }: CancelVmRequest, request: VmRequest): VmRequestDecision => {
  if (data.actor.userId !== request.requester.id) return fail(forbidden('Only the requester can cancel a VM request'));
  const reason = parseCancellationReason(data.reason);
  if (!reason.ok) return reason;
  // Cancelling twice is what a user retrying a click means: it succeeds and changes nothing.
  if (request.status === 'CANCELLED') return ok([]);
  if (request.status !== 'PENDING') return fail(notInStatus(request, 'cancel'));
  return ok([{ type: 'VmRequestCancelled', data: reason.value === undefined ? {} : { reason: reason.value } }]);
};

/** Who may decide: an admin other than the requester (separation of duties). */
const checkDecider = (actor: Principal, request: VmRequest, action: 'approve' | 'reject'): DomainError | null => {
  if (!isAdmin(actor)) return forbidden(`Only admins can ${action} VM requests`);
  if (actor.userId === request.requester.id) {
    return forbidden(`You cannot ${action} your own VM request (separation of duties)`);
  }
  return null;
};

/** When they may decide: on the version they saw, while the request is PENDING. */
const checkDecidable = (expectedVersion: number, request: VmRequest, action: 'approve' | 'reject'): DomainError | null => {
  // A stale view is reported as a conflict even when the request has moved on, so the client knows to reload.
  if (expectedVersion !== request.version) return concurrencyConflict(expectedVersion, request.version);
  if (request.status !== 'PENDING') return notInStatus(request, action);
  return null;
};

const approve = ({ data }: ApproveVmRequest, request: VmRequest): VmRequestDecision => {
  const refusal =
    checkDecider(data.actor, request, 'approve') ?? checkDecidable(data.expectedVersion, request, 'approve');
  if (refusal) return fail(refusal);
  return ok([{ type: 'VmRequestApproved', data: { approvedBy: data.actor.userId } }]);
};

const reject = ({ data }: RejectVmRequest, request: VmRequest): VmRequestDecision => {
  const notAllowed = checkDecider(data.actor, request, 'reject');
  if (notAllowed) return fail(notAllowed);
  const reason = parseRejectionReason(data.reason);
  if (!reason.ok) return reason;
  const refusal = checkDecidable(data.expectedVersion, request, 'reject');
  if (refusal) return fail(refusal);
  return ok([{ type: 'VmRequestRejected', data: { rejectedBy: data.actor.userId, reason: reason.value } }]);
};
