import { createHash, randomUUID } from 'node:crypto';
import {
  type Hypervisor,
  HypervisorError,
  type HypervisorErrorCode,
  type NetworkInfo,
  type OperationContext,
  type VmHandle,
  type VmObservation,
  type VmSpec,
} from './hypervisor.ts';
import {
  createSimulatorState,
  type SimulatedCall,
  type SimulatedOperation,
  type SimulatedVm,
  type SimulatorSnapshot,
} from './simulator-state.ts';
import { sleep } from './sleep.ts';

export type { SimulatedCall, SimulatedOperation, SimulatedVm } from './simulator-state.ts';

/** "Fail `operation` with `code`", optionally only on some attempts and only for one request. */
export interface FailureRule {
  /** find and inspect fail as a vCenter does that refuses every call (AUTHENTICATION_FAILED, an outage). */
  operation: SimulatedOperation;
  code: HypervisorErrorCode;
  /** 1-based attempts on which the call fails; omitted: every attempt. */
  attempts?: readonly number[];
  /** Only this request; omitted: every request. */
  requestId?: string;
  /** Fail only this many times (counted across attempts); omitted: every matching call. */
  times?: number;
  /** Let this many matching calls through first (e.g. the find before the clone, to fail the one that compensates). */
  after?: number;
  message?: string;
  /** clone only: the failed clone leaves a half-built VM behind (for compensation to remove). */
  leavesVm?: boolean;
}

export interface SimulatedHypervisorOptions {
  /** Duration of each simulated stage (clone, configure, power on, network); default 2000 ms. */
  stageMs?: number;
  /** Per-operation durations overriding stageMs. */
  durations?: Partial<Record<Exclude<SimulatedOperation, 'find' | 'inspect'>, number>>;
  failures?: readonly FailureRule[];
  /** The VM never reports an IP: true for every request, or the ids of the requests concerned. */
  noIp?: boolean | readonly string[];
  /** DNS domain appended to the hostname the guest reports; default "dvmm.internal". */
  domain?: string;
  /** Keep the inventory in this JSON file too, so it outlives the process (see simulator-state.ts). */
  stateFile?: string;
}

export interface SimulatedHypervisor extends Hypervisor {
  /** The VMs that exist now. */
  vms(): SimulatedVm[];
  /** Every call answered, oldest first. */
  calls(): SimulatedCall[];
  snapshot(): SimulatorSnapshot;
  inject(rule: FailureRule): void;
  clearFailures(): void;
}

const DEFAULT_STAGE_MS = 2000;

/**
 * The default adapter: an in-memory hypervisor that takes its time and fails when told to. VM ids look like
 * vSphere's managed object ids; the IP is derived from the VM name, so a resumed attempt sees the same address.
 */
export function createSimulatedHypervisor(options: SimulatedHypervisorOptions = {}): SimulatedHypervisor {
  const state = createSimulatorState(options.stateFile);
  const failures: { rule: FailureRule; used: number; passed: number }[] = (options.failures ?? []).map((rule) => ({
    rule,
    used: 0,
    passed: 0,
  }));
  const stageMs = options.stageMs ?? DEFAULT_STAGE_MS;
  const domain = options.domain ?? 'dvmm.internal';
  const duration = (operation: Exclude<SimulatedOperation, 'find' | 'inspect'>) => options.durations?.[operation] ?? stageMs;

  const record = (operation: SimulatedOperation, spec: VmSpec, vmId: string | null, attempt: number, outcome: string) =>
    state.update((s) => {
      const at = new Date().toISOString();
      s.calls.push({ operation, requestId: spec.requestId, vmName: spec.name, vmId, attempt, outcome, pid: process.pid, at });
    });

  /** Throws the injected failure for this call, if any (recording it). */
  const maybeFail = (operation: SimulatedOperation, spec: VmSpec, vmId: string | null, attempt: number) => {
    const match = failures.find(
      ({ rule: r, used }) =>
        r.operation === operation &&
        (r.requestId === undefined || r.requestId === spec.requestId) &&
        (r.attempts === undefined || r.attempts.includes(attempt)) &&
        (r.times === undefined || used < r.times),
    );
    if (!match) return;
    if (match.passed < (match.rule.after ?? 0)) {
      match.passed++;
      return;
    }
    match.used++;
    const { rule } = match;
    let leftId = vmId;
    if (rule.leavesVm && operation === 'clone') {
      const vm = newVm(spec, 'partial');
      leftId = vm.id;
      state.update((s) => void s.vms.push(vm));
    }
    record(operation, spec, leftId, attempt, rule.code);
    throw new HypervisorError(rule.code, rule.message ?? `simulated ${rule.code} during ${operation} (attempt ${attempt})`);
  };

  const existing = (vm: VmHandle, spec: VmSpec, operation: SimulatedOperation, attempt: number): SimulatedVm => {
    const found = state.read().vms.find((v) => v.id === vm.id);
    if (found) return found;
    record(operation, spec, vm.id, attempt, 'UNKNOWN');
    throw new HypervisorError('UNKNOWN', `VM ${vm.id} (${vm.name}) does not exist`);
  };

  const change = (vmId: string, patch: Partial<SimulatedVm>) =>
    state.update((s) => {
      const vm = s.vms.find((v) => v.id === vmId);
      if (vm) Object.assign(vm, patch);
    });

  const hasNoIp = (spec: VmSpec) =>
    options.noIp === true || (Array.isArray(options.noIp) && options.noIp.includes(spec.requestId));

  return {
    kind: 'simulated',

    async findVmByName(spec: VmSpec, { attempt }: OperationContext) {
      maybeFail('find', spec, null, attempt);
      const vm = state.read().vms.find((v) => v.name === spec.name);
      record('find', spec, vm?.id ?? null, attempt, 'ok');
      return vm ? { id: vm.id, name: vm.name } : null;
    },

    async cloneFromTemplate(spec: VmSpec, { attempt, signal }: OperationContext) {
      await sleep(duration('clone'), signal);
      maybeFail('clone', spec, null, attempt);
      // Like vSphere, names are unique (per folder): a second clone with the same name is refused.
      if (state.read().vms.some((v) => v.name === spec.name)) {
        record('clone', spec, null, attempt, 'VM_CONFIG_INVALID');
        throw new HypervisorError('VM_CONFIG_INVALID', `a VM named ${spec.name} already exists`);
      }
      const vm = newVm(spec, 'ready');
      state.update((s) => void s.vms.push(vm));
      record('clone', spec, vm.id, attempt, 'ok');
      return { id: vm.id, name: vm.name };
    },

    async configure(vm: VmHandle, spec: VmSpec, { attempt, signal }: OperationContext) {
      await sleep(duration('configure'), signal);
      existing(vm, spec, 'configure', attempt);
      maybeFail('configure', spec, vm.id, attempt);
      change(vm.id, { vcpus: spec.vcpus, memoryGb: spec.memoryGb, diskGb: spec.diskGb });
      record('configure', spec, vm.id, attempt, 'ok');
    },

    async powerOn(vm: VmHandle, spec: VmSpec, { attempt, signal }: OperationContext) {
      await sleep(duration('powerOn'), signal);
      existing(vm, spec, 'powerOn', attempt);
      maybeFail('powerOn', spec, vm.id, attempt);
      change(vm.id, { powerState: 'on' });
      record('powerOn', spec, vm.id, attempt, 'ok');
    },

    async waitForNetwork(vm: VmHandle, spec: VmSpec, { attempt, signal, timeoutMs }): Promise<NetworkInfo> {
      const current = existing(vm, spec, 'waitForNetwork', attempt);
      const arrivesAfter = duration('waitForNetwork');
      const noIp = hasNoIp(spec) || current.powerState !== 'on' || arrivesAfter > timeoutMs;
      await sleep(noIp ? timeoutMs : arrivesAfter, signal);
      maybeFail('waitForNetwork', spec, vm.id, attempt);
      const ipAddress = noIp ? null : ipFor(spec.name);
      change(vm.id, { ipAddress });
      record('waitForNetwork', spec, vm.id, attempt, 'ok');
      return { ipAddress, hostname: `${spec.hostname}.${domain}` };
    },

    async deleteVm(vm: VmHandle, spec: VmSpec, { attempt, signal }: OperationContext) {
      await sleep(duration('delete'), signal);
      maybeFail('delete', spec, vm.id, attempt);
      state.update((s) => {
        s.vms = s.vms.filter((v) => v.id !== vm.id);
      });
      record('delete', spec, vm.id, attempt, 'ok');
    },

    async powerOff(vm: VmHandle, spec: VmSpec, { attempt, signal }: OperationContext) {
      await sleep(duration('powerOff'), signal);
      existing(vm, spec, 'powerOff', attempt);
      maybeFail('powerOff', spec, vm.id, attempt);
      change(vm.id, { powerState: 'off', ipAddress: null });
      record('powerOff', spec, vm.id, attempt, 'ok');
    },

    async inspectVm(spec: VmSpec, { attempt }: OperationContext): Promise<VmObservation | null> {
      maybeFail('inspect', spec, null, attempt);
      const vm = state.read().vms.find((v) => v.name === spec.name);
      record('inspect', spec, vm?.id ?? null, attempt, 'ok');
      return vm ? { id: vm.id, name: vm.name, powerState: vm.powerState === 'on' ? 'ON' : 'OFF' } : null;
    },

    vms: () => structuredClone(state.read().vms),
    calls: () => structuredClone(state.read().calls),
    snapshot: () => structuredClone(state.read()),
    inject: (rule) => void failures.push({ rule, used: 0, passed: 0 }),
    clearFailures: () => void failures.splice(0),
  };
}

function newVm(spec: VmSpec, vmState: SimulatedVm['state']): SimulatedVm {
  return {
    id: `vm-${randomUUID().slice(0, 8)}`,
    name: spec.name,
    requestId: spec.requestId,
    tenantId: spec.tenantId,
    hostname: spec.hostname,
    vcpus: null,
    memoryGb: null,
    diskGb: null,
    powerState: 'off',
    ipAddress: null,
    state: vmState,
    createdAt: new Date().toISOString(),
  };
}

/** A stable private address per VM name (10.x.y.z, z in 2..254). */
function ipFor(name: string): string {
  const [a = 0, b = 0, c = 0] = createHash('sha256').update(name).digest();
  return `10.${a}.${b}.${2 + (c % 253)}`;
}
