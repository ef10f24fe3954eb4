import type postgres from 'postgres';
import {
  canSeeVmRequest,
  type DomainError,
  type DomainResult,
  fail,
  notFound,
  ok,
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
import { createProjectCache, type ProjectSnapshot } from './project-cache.ts';
import { projectUnchanged } from './project-guard.ts';
import { applyToQuotaLedger, attachToQuotaLedger, touchesQuotaLedger } from './quota-ledger.ts';
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
 * Runs a command on a VM request stream. `visibleTo`: the principal who must be able to see the request
 * (canSeeVmRequest); anyone else gets NOT_FOUND, the same answer as for a missing id.
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
    condition?: CommandSpec<VmRequestCommand, VmRequestEvent, unknown, VmRequest>['condition'];
    /** A further check in the append's transaction, before the quota ledger's; a refusal rolls the append back. */
    alsoInTransaction?: (tx: postgres.TransactionSql) => Promise<DomainError | null>;
  } = {},
): Promise<VmRequestResult> => {
  const identity = identifyCommand(principal, command.type, context);
  if (!identity.ok) return identity;
  const { commandId, idempotent } = identity.value;
  const { visibleTo, expectedVersion, condition, alsoInTransaction } = options;
  return handle(deps, {
    aggregate: vmRequestAggregate,
    principal,
    streamId: streamId ?? (idempotent ? aggregateIdFor(commandId) : newId()),
    fresh: streamId === null && !idempotent,
    command,
    identity: identity.value,
    context,
    expectedVersion,
    authorize: visibleTo ? (request) => visibility(visibleTo, principal.tenantId, request) : undefined,
    condition,
    // Quotas span a project's requests: they are held, checked and released in the append's own transaction.
    inTransaction: touchesQuotaLedger(command)
      ? async (tx, requestId, events, before) =>
          (events.length > 0 ? await alsoInTransaction?.(tx) : null) ??
          applyToQuotaLedger(tx, principal.tenantId, requestId, before, events)
      : undefined,
    attached: (sql, requestId, events) => attachToQuotaLedger(sql, principal.tenantId, requestId, events),
  });
};

/** `tenantId`: the tenant handle() read the stream under; it answers NOT_FOUND for a stream of another tenant. */
const visibility = (principal: Principal, tenantId: string, request: VmRequest): DomainError | null =>
  canSeeVmRequest(principal, { tenantId, requesterId: request.requester.id })
    ? null
    : notFound(vmRequestAggregate.notFoundMessage);

export const checkExpectedVersion = (expectedVersion: number): DomainError | null =>
  Number.isSafeInteger(expectedVersion) && expectedVersion >= 0
    ? null
    : validationError('expectedVersion', 'expectedVersion must be a whole number of at least 0');

export interface VmRequestCommandOptions {
  /**
   * Checked in an approval's transaction, after the decision: null when the tenant's approved requests can be
   * provisioned, else the refusal (PROVISIONING_NOT_CONFIGURED). Absent: every tenant can.
   */
  provisioningAvailable?: (tx: postgres.TransactionSql, tenantId: string) => Promise<DomainError | null>;
}

export const vmRequestCommands = (deps: HandleDeps, commandOptions: VmRequestCommandOptions = {}) => {
  const projects = createProjectCache();
  const { provisioningAvailable } = commandOptions;

  /**
   * The project as its stream says (never a projection), in the caller's tenant: from the cache when this process
   * decided on it before (`cached`), else read and folded. Another tenant's project is NOT_FOUND, like a missing one
   * (a stream never changes tenant, so the cache can answer that).
   */
  const loadProject = async (
    projectId: string,
    tenantId: string,
    fresh: boolean,
  ): Promise<DomainResult<ProjectSnapshot & { cached: boolean }>> => {
    const cached = fresh ? undefined : projects.get(projectId);
    if (cached) return cached.tenantId === tenantId ? ok({ ...cached, cached: true }) : fail(notFound(projectAggregate.notFoundMessage));
    const loaded = await loadStream(deps.store, projectAggregate, projectId, tenantId);
    if (!loaded.ok) return loaded;
    const snapshot = { tenantId, state: loaded.value.state, version: loaded.value.version };
    if (snapshot.version > 0) projects.set(projectId, snapshot);
    return ok({ ...snapshot, cached: false });
  };

  return {
    createVmRequest: async (principal: Principal, input: CreateVmRequestInput, context: CommandContext = {}) => {
      // Decided on the project's facts, cached or read. An acceptance is appended only if the project is still at
      // that version (see project-guard.ts); a refusal made on cached facts is made again on a fresh read, since
      // the project may have changed in the caller's favour. Either way, a decision that stands was made on facts
      // that were current.
      let result: VmRequestResult | undefined;
      let fresh = false;
      for (let attempt = 1; attempt <= deps.maxAttempts; attempt++) {
        const project = await loadProject(input.projectId, principal.tenantId, fresh);
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
          { condition: projectUnchanged(input.projectId, projectVersion) },
        );
        if (result.ok) return result;
        const decidedOnCache = project.ok && project.value.cached;
        if (result.error.code !== 'CONCURRENCY_CONFLICT' && !decidedOnCache) return result;
        projects.delete(input.projectId);
        fresh = true;
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
        {
          visibleTo: principal,
          expectedVersion: input.expectedVersion,
          ...(provisioningAvailable ? { alsoInTransaction: (tx) => provisioningAvailable(tx, principal.tenantId) } : {}),
        },
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
  };
};
