import type { VmSize } from '../domain/index.ts';

export * from './hypervisor-error.ts';

/**
 * Everything an adapter needs to build one VM. `name` is derived from the request id alone, so every attempt and
 * every process names the same VM the same way: a retried or resumed attempt finds what an earlier one left
 * behind (findVmByName) instead of building a second VM.
 */
export interface VmSpec {
  requestId: string;
  tenantId: string;
  projectId: string;
  /** The VM's name on the hypervisor (inventory name): deterministic, unique per request. */
  name: string;
  /** The guest hostname: the VM name the user requested. */
  hostname: string;
  size: VmSize;
  vcpus: number;
  memoryGb: number;
  diskGb: number;
}

/** A VM as the hypervisor knows it: its own id (vSphere: the managed object id, e.g. vm-1042) and its name. */
export interface VmHandle {
  id: string;
  name: string;
}

export interface OperationContext {
  /** 1-based attempt number of this request's provisioning (adapters may log it; the simulator injects by it). */
  attempt: number;
  /** Aborted when the process stops: long waits end early, nothing is left half-recorded. */
  signal?: AbortSignal;
}

/** What the hypervisor reports of a VM's power; UNKNOWN when it cannot tell (vSphere: suspended, or no answer). */
export type PowerState = 'ON' | 'OFF' | 'UNKNOWN';

/** A VM as found on the hypervisor now, by its deterministic name. */
export interface VmObservation extends VmHandle {
  powerState: PowerState;
}

export interface NetworkInfo {
  /** null: no address was reported before the timeout (READY with a warning, not a failure). */
  ipAddress: string | null;
  /** The guest's reported hostname (FQDN when known); null to keep the requested one. */
  hostname: string | null;
}

/**
 * The operations provisioning needs, in the order it calls them. Every operation may throw a HypervisorError;
 * any other exception is treated as an outage of our own (retried later, never failing the request).
 * Operations on an existing VM must be idempotent (configure twice, power on a running VM), because a resumed
 * attempt repeats the stage it was in.
 */
export interface Hypervisor {
  /** For logs and status: "simulated", "vsphere". */
  readonly kind: string;
  findVmByName(spec: VmSpec, context: OperationContext): Promise<VmHandle | null>;
  cloneFromTemplate(spec: VmSpec, context: OperationContext): Promise<VmHandle>;
  configure(vm: VmHandle, spec: VmSpec, context: OperationContext): Promise<void>;
  powerOn(vm: VmHandle, spec: VmSpec, context: OperationContext): Promise<void>;
  waitForNetwork(vm: VmHandle, spec: VmSpec, context: OperationContext & { timeoutMs: number }): Promise<NetworkInfo>;
  /** Removes the VM (powering it off first when needed). Deleting a VM that is already gone succeeds. */
  deleteVm(vm: VmHandle, spec: VmSpec, context: OperationContext): Promise<void>;
  /** Hard power-off (what a user's "power off" does after READY). Powering off a VM that is off succeeds. */
  powerOff(vm: VmHandle, spec: VmSpec, context: OperationContext): Promise<void>;
  /** The request's VM as the hypervisor sees it now, found by spec.name; null when it does not exist (reconciliation). */
  inspectVm(spec: VmSpec, context: OperationContext): Promise<VmObservation | null>;
}
