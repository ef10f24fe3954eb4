import { fail, isAdmin, memberOf, type Principal, type VmRequestCommand } from '../domain/index.ts';
import type { AppendCondition } from '../event-store/index.ts';
import { projectAggregate, vmRequestAggregate } from './aggregates.ts';
import type { CommandContext } from './context.ts';
import type { HandleDeps } from './handle.ts';
import { loadStream } from './load-stream.ts';
import { projectUnchanged } from './project-guard.ts';
import { checkExpectedVersion, runOnVmRequest, type VmRequestResult } from './vm-request-commands.ts';

export interface VmPowerInput {
  id: string;
  /** The version the caller saw; a stale one is CONCURRENCY_CONFLICT. Without it, the current state decides. */
  expectedVersion?: number | null;
}
export interface DecommissionVmInput extends VmPowerInput {
  /** Optional, at most 500 characters; blank means none. */
  reason?: string | null;
}

type Build = (facts: { actorIsProjectAdmin: boolean; expectedVersion?: number }) => VmRequestCommand;

/**
 * Power off, power on and decommission a READY request's VM (docs/domain.md, "After READY"). They may be asked for by
 * whoever asked for the VM, a tenant admin, or an admin of the request's project; anyone else gets NOT_FOUND, as
 * for a request they cannot see.
 */
export const vmLifecycleCommands = (deps: HandleDeps) => {
  /**
   * The project admin's right needs the project: looked up only when the request is not visible to the actor
   * otherwise (the requester and tenant admins, the common case, pay nothing). The command is then appended only
   * while the project is at the version whose membership granted it (project-guard.ts).
   */
  const projectAdminGrant = async (principal: Principal, requestId: string): Promise<AppendCondition | null> => {
    const request = await loadStream(deps.store, vmRequestAggregate, requestId, principal.tenantId);
    if (!request.ok || request.value.state.status === 'NONE') return null;
    const { projectId } = request.value.state;
    const project = await loadStream(deps.store, projectAggregate, projectId, principal.tenantId);
    if (!project.ok || project.value.state.status === 'NONE') return null;
    const member = memberOf(project.value.state, principal.userId);
    return member?.role === 'PROJECT_ADMIN' ? projectUnchanged(projectId, project.value.version) : null;
  };

  const run = async (
    principal: Principal,
    input: VmPowerInput,
    build: Build,
    context: CommandContext,
  ): Promise<VmRequestResult> => {
    const expectedVersion = input.expectedVersion ?? undefined;
    if (expectedVersion !== undefined) {
      const invalid = checkExpectedVersion(expectedVersion);
      if (invalid) return fail(invalid);
    }
    const versioned = expectedVersion === undefined ? {} : { expectedVersion };
    const asSeen = await runOnVmRequest(
      deps,
      principal,
      input.id,
      build({ actorIsProjectAdmin: false, ...versioned }),
      context,
      { visibleTo: principal, ...versioned },
    );
    if (asSeen.ok || asSeen.error.code !== 'NOT_FOUND' || isAdmin(principal)) return asSeen;
    const grant = await projectAdminGrant(principal, input.id);
    if (grant === null) return asSeen;
    return runOnVmRequest(deps, principal, input.id, build({ actorIsProjectAdmin: true, ...versioned }), context, {
      ...versioned,
      condition: grant,
    });
  };

  return {
    requestPowerOff: (principal: Principal, input: VmPowerInput, context: CommandContext = {}) =>
      run(principal, input, (facts) => ({ type: 'RequestPowerOff', data: { actor: principal, ...facts } }), context),

    requestPowerOn: (principal: Principal, input: VmPowerInput, context: CommandContext = {}) =>
      run(principal, input, (facts) => ({ type: 'RequestPowerOn', data: { actor: principal, ...facts } }), context),

    requestDecommission: (principal: Principal, input: DecommissionVmInput, context: CommandContext = {}) =>
      run(
        principal,
        input,
        (facts) => ({ type: 'RequestDecommission', data: { actor: principal, reason: input.reason, ...facts } }),
        context,
      ),
  };
};
