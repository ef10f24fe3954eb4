import {
  type DomainError,
  type DomainResult,
  fail,
  isAdmin,
  notFound,
  type Principal,
  projectFactsFor,
  validationError,
  type VmRequest,
  type VmRequestCommand,
  type VmRequestEvent,
} from '../domain/index.ts';
import { projectAggregate, vmRequestAggregate } from './aggregates.ts';
import { type CommandContext, identifyCommand } from './context.ts';
import { type CommandSpec, handle, type HandleDeps } from './handle.ts';
import { aggregateIdFor, newId } from './ids.ts';
import { loadStream } from './load-stream.ts';
import { checkProjectUnchanged } from './project-guard.ts';
import type { CommandResult } from './result.ts';

export type VmRequestResult = DomainResult<CommandResult<VmRequest, VmRequestEvent>>;

export interface CreateVmRequestInput {
  projectId: string;
  vmName: string;
  size: string;
  justification: string;
}
export interface ApproveVmRequestInput {
  id: string;
  expectedVersion: number;
}
export interface RejectVmRequestInput {
  id: string;
  expectedVersion: number;
  reason: string;
}
export interface CancelVmRequestInput {
  id: string;
  reason?: string | null;
}

/**
 * Runs a command on a VM request stream. `visibleTo` limits who may see the request at all: a user sees only their
 * own, an admin every request of the tenant; the rest get NOT_FOUND, the same answer as for a missing id.
 */
export const runOnVmRequest = async (
  deps: HandleDeps,
  principal: Principal,
  streamId: string | null,
  command: VmRequestCommand,
  context: CommandContext,
  options: {
    visibleTo?: Principal;
    expectedVersion?: number;
    inTransaction?: CommandSpec<VmRequestCommand, VmRequestEvent, unknown, VmRequest>['inTransaction'];
  } = {},
): Promise<VmRequestResult> => {
  const identity = identifyCommand(principal, command.type, context);
  if (!identity.ok) return identity;
  const { commandId, idempotent } = identity.value;
  const { visibleTo, expectedVersion, inTransaction } = options;
  return handle(deps, {
    aggregate: vmRequestAggregate,
    principal,
    streamId: streamId ?? (idempotent ? aggregateIdFor(commandId) : newId()),
    fresh: streamId === null && !idempotent,
    command,
    identity: identity.value,
    context,
    expectedVersion,
    authorize: visibleTo ? (request) => visibility(visibleTo, request) : undefined,
    inTransaction,
  });
};

const visibility = (principal: Principal, request: VmRequest): DomainError | null =>
  isAdmin(principal) || request.requester.id === principal.userId ? null : notFound('VM request not found');

const checkExpectedVersion = (expectedVersion: number): DomainError | null =>
  Number.isSafeInteger(expectedVersion) && expectedVersion >= 0
    ? null
    : validationError('expectedVersion', 'expectedVersion must be a whole number of at least 0');

export const vmRequestCommands = (deps: HandleDeps) => ({
  createVmRequest: async (principal: Principal, input: CreateVmRequestInput, context: CommandContext = {}) => {
    // The project's facts come from its own stream (never a projection), checked in the caller's tenant, and are
    // confirmed unchanged in the append's transaction (see project-guard.ts); a project that changed meanwhile is
    // read again and the request decided anew.
    let result: VmRequestResult | undefined;
    for (let attempt = 1; attempt <= deps.maxAttempts; attempt++) {
      const project = await loadStream(deps.store, projectAggregate, input.projectId, principal.tenantId);
      const facts = project.ok ? projectFactsFor(project.value.state, principal.userId) : null;
      const projectVersion = project.ok ? project.value.version : 0;
      result = await runOnVmRequest(
        deps,
        principal,
        null,
        {
          type: 'CreateVmRequest',
          data: {
            actor: principal,
            projectId: input.projectId,
            project: facts,
            vmName: input.vmName,
            size: input.size,
            justification: input.justification,
          },
        },
        context,
        { inTransaction: (tx) => checkProjectUnchanged(tx, input.projectId, projectVersion) },
      );
      if (result.ok || result.error.code !== 'CONCURRENCY_CONFLICT') return result;
    }
    return result!;
  },

  approveVmRequest: (principal: Principal, input: ApproveVmRequestInput, context: CommandContext = {}) => {
    const invalid = checkExpectedVersion(input.expectedVersion);
    if (invalid) return Promise.resolve(fail(invalid));
    return runOnVmRequest(
      deps,
      principal,
      input.id,
      { type: 'ApproveVmRequest', data: { actor: principal, expectedVersion: input.expectedVersion } },
      context,
      { visibleTo: principal, expectedVersion: input.expectedVersion },
    );
  },

  rejectVmRequest: (principal: Principal, input: RejectVmRequestInput, context: CommandContext = {}) => {
    const invalid = checkExpectedVersion(input.expectedVersion);
    if (invalid) return Promise.resolve(fail(invalid));
    return runOnVmRequest(
      deps,
      principal,
      input.id,
      {
        type: 'RejectVmRequest',
        data: { actor: principal, expectedVersion: input.expectedVersion, reason: input.reason },
      },
      context,
      { visibleTo: principal, expectedVersion: input.expectedVersion },
    );
  },

  cancelVmRequest: (principal: Principal, input: CancelVmRequestInput, context: CommandContext = {}) =>
    runOnVmRequest(
      deps,
      principal,
      input.id,
      { type: 'CancelVmRequest', data: { actor: principal, reason: input.reason } },
      context,
      { visibleTo: principal },
    ),
});
