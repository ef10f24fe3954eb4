import {
  type DomainResult,
  fail,
  type Principal,
  type Project,
  type ProjectCommand,
  type ProjectEvent,
  type ProjectName,
  projectNameKey,
  type QuotaLimitsInput,
  validationError,
} from '../domain/index.ts';
import { projectAggregate } from './aggregates.ts';
import { type CommandContext, identifyCommand } from './context.ts';
import { handle, type HandleDeps } from './handle.ts';
import { aggregateIdFor, newId } from './ids.ts';
import { lockProjectForChange } from './project-guard.ts';
import { setQuotaLimits } from './quota-ledger.ts';
import { reserveProjectName } from './reserve-project-name.ts';
import { checkExpectedVersion } from './vm-request-commands.ts';
import type { CommandResult } from './result.ts';

export type ProjectResult = DomainResult<CommandResult<Project, ProjectEvent>>;

export interface CreateProjectInput {
  name: string;
  description?: string | null;
}
export interface AddProjectMemberInput {
  projectId: string;
  userId: string;
  role: string;
}
export interface RemoveProjectMemberInput {
  projectId: string;
  userId: string;
}
export interface ProjectIdInput {
  projectId: string;
}
/** All four limits at once; an absent or null one is unlimited. */
export interface SetProjectQuotaInput extends QuotaLimitsInput {
  projectId: string;
  expectedVersion: number;
}

const run = async (
  deps: HandleDeps,
  principal: Principal,
  projectId: string | null,
  command: ProjectCommand,
  context: CommandContext,
  expectedVersion?: number,
): Promise<ProjectResult> => {
  const identity = identifyCommand(principal, command.type, context);
  if (!identity.ok) return identity;
  const { commandId, idempotent } = identity.value;
  // A new project's id: from the idempotency key when there is one, so a retry finds the first run's stream.
  const streamId = projectId ?? (idempotent ? aggregateIdFor(commandId) : newId());
  return handle(deps, {
    aggregate: projectAggregate,
    principal,
    streamId,
    fresh: projectId === null && !idempotent,
    command,
    identity: identity.value,
    context,
    expectedVersion,
    inTransaction:
      command.type === 'CreateProject' ? reserveName(principal.tenantId) : changeProject(principal.tenantId),
  });
};

/**
 * Every change of a project takes its lock exclusively (project-guard.ts); a new quota also goes into the ledger the
 * quota checks read (quota-ledger.ts), in the same transaction as ProjectQuotaSet.
 */
const changeProject =
  (tenantId: string) =>
  async (tx: Parameters<typeof lockProjectForChange>[0], streamId: string, events: ProjectEvent[]) => {
    await lockProjectForChange(tx, streamId);
    for (const event of events) {
      if (event.type === 'ProjectQuotaSet') await setQuotaLimits(tx, tenantId, streamId, event.data);
    }
    return null;
  };

/** Name uniqueness is decided by the reservation row, in the append's transaction, never by reading a projection. */
const reserveName = (tenantId: string) => async (tx: Parameters<typeof reserveProjectName>[0], streamId: string, events: ProjectEvent[]) => {
  const created = events.find((event) => event.type === 'ProjectCreated');
  if (!created) return null;
  // The decider has validated and trimmed the name, so it is a ProjectName.
  const name = created.data.name as ProjectName;
  const reserved = await reserveProjectName(tx, tenantId, projectNameKey(name), streamId);
  return reserved ? null : validationError('name', `A project named "${name}" already exists`);
};

export const projectCommands = (deps: HandleDeps) => ({
  createProject: (principal: Principal, input: CreateProjectInput, context: CommandContext = {}) =>
    run(deps, principal, null, {
        type: 'CreateProject',
        data: { actor: principal, name: input.name, description: input.description },
      }, context),

  addProjectMember: (principal: Principal, input: AddProjectMemberInput, context: CommandContext = {}) =>
    run(
      deps,
      principal,
      input.projectId,
      { type: 'AddProjectMember', data: { actor: principal, userId: input.userId, role: input.role } },
      context,
    ),

  removeProjectMember: (principal: Principal, input: RemoveProjectMemberInput, context: CommandContext = {}) =>
    run(
      deps,
      principal,
      input.projectId,
      { type: 'RemoveProjectMember', data: { actor: principal, userId: input.userId } },
      context,
    ),

  archiveProject: (principal: Principal, input: ProjectIdInput, context: CommandContext = {}) =>
    run(deps, principal, input.projectId, { type: 'ArchiveProject', data: { actor: principal } }, context),

  unarchiveProject: (principal: Principal, input: ProjectIdInput, context: CommandContext = {}) =>
    run(deps, principal, input.projectId, { type: 'UnarchiveProject', data: { actor: principal } }, context),

  setProjectQuota: (principal: Principal, input: SetProjectQuotaInput, context: CommandContext = {}) => {
    const invalid = checkExpectedVersion(input.expectedVersion);
    if (invalid) return Promise.resolve(fail(invalid));
    const { projectId, expectedVersion, maxVms, maxVCpus, maxRamGb, maxStorageGb } = input;
    const limits = { maxVms, maxVCpus, maxRamGb, maxStorageGb };
    return run(
      deps,
      principal,
      projectId,
      { type: 'SetProjectQuota', data: { actor: principal, expectedVersion, limits } },
      context,
      expectedVersion,
    );
  },
});
