import type { EventStore } from '../event-store/index.ts';
import type { HandleDeps } from './handle.ts';
import { projectCommands } from './project-commands.ts';
import { provisioningCommands } from './provisioning-commands.ts';
import { vmLifecycleCommands } from './vm-lifecycle-commands.ts';
import { vmRequestCommands } from './vm-request-commands.ts';
import { requireVmwareConnection } from './provisioning-available.ts';
import { type VmwareConnectionCommandOptions, vmwareConnectionCommands } from './vmware-connection-commands.ts';

export type { CommandContext } from './context.ts';
export { parseIdempotencyKey } from './context.ts';
export { checkExpectedVersion } from './vm-request-commands.ts';
export type { CommandResult, StoredEvent } from './result.ts';
export type {
  AddProjectMemberInput,
  CreateProjectInput,
  ProjectIdInput,
  ProjectResult,
  RemoveProjectMemberInput,
  SetProjectQuotaInput,
} from './project-commands.ts';
export type {
  ApproveVmRequestInput,
  CancelVmRequestInput,
  CreateVmRequestInput,
  RejectVmRequestInput,
  VmRequestResult,
} from './vm-request-commands.ts';
export type {
  CompleteProvisioningInput,
  FailProvisioningInput,
  ReportProvisioningProgressInput,
  ScheduleProvisioningRetryInput,
  VmRequestIdInput,
  VmOperationInput,
  FailVmOperationInput,
  ObserveVmPowerStateInput,
  ObserveVmDeletedInput,
} from './provisioning-commands.ts';
export type { DecommissionVmInput, VmPowerInput } from './vm-lifecycle-commands.ts';
export { PROJECT_STREAM, VM_REQUEST_STREAM } from './aggregates.ts';
export { commandIdFor, aggregateIdFor } from './ids.ts';
export { projectNames } from './project-names.table.ts';
export { vmwareConnections } from './vmware-connections.table.ts';
export {
  type RemoveVmwareConnectionInput,
  type SetVmwareConnectionInput,
  VMWARE_CONNECTION_STREAM,
  type VmwareConnectionResult,
  vmwareConnectionStreamId,
} from './vmware-connection-commands.ts';
export { readVmwareConnection, type StoredVmwareConnection } from './vmware-connection-store.ts';
export { projectQuotaHolds, projectQuotas } from './project-quotas.table.ts';
export { readProject, readVmRequest, type AggregateSnapshot } from './read-aggregate.ts';

export interface CommandHandlerOptions extends VmwareConnectionCommandOptions {
  /** Clock for occurredAt (tests pin it). */
  now?: () => Date;
  /** Attempts for commands without a caller-supplied version when concurrent writers collide. Default 5. */
  maxAttempts?: number;
  /**
   * A tenant without a vCenter connection provisions on the simulated hypervisor (PROVISIONING_SIMULATE_UNCONFIGURED).
   * false: its approvals are refused (PROVISIONING_NOT_CONFIGURED). Default true.
   */
  simulateUnconfigured?: boolean;
}

/**
 * Every command of DVMM, each `(principal, input, context?) => Promise<Result<CommandResult, DomainError>>`.
 * User-caused refusals come back as values; exceptions mean outages or bugs.
 */
export const createCommandHandlers = (store: EventStore, options: CommandHandlerOptions = {}) => {
  const deps: HandleDeps = { store, now: options.now ?? (() => new Date()), maxAttempts: options.maxAttempts ?? 5 };
  return {
    ...projectCommands(deps),
    ...vmRequestCommands(deps, options.simulateUnconfigured === false ? { provisioningAvailable: requireVmwareConnection } : {}),
    ...vmwareConnectionCommands(deps, options),
    ...vmLifecycleCommands(deps),
    ...provisioningCommands(deps),
  };
};

export type CommandHandlers = ReturnType<typeof createCommandHandlers>;
