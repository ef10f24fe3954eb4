import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { withFileLock } from './simulator-file-lock.ts';

export interface SimulatedVm {
  id: string;
  name: string;
  requestId: string;
  tenantId: string;
  hostname: string;
  vcpus: number | null;
  memoryGb: number | null;
  diskGb: number | null;
  powerState: 'off' | 'on';
  /** Set once the guest reported its address. */
  ipAddress: string | null;
  /** 'partial': left behind by a clone that failed halfway. */
  state: 'ready' | 'partial';
  createdAt: string;
}

export type SimulatedOperation = 'find' | 'clone' | 'configure' | 'powerOn' | 'waitForNetwork' | 'delete' | 'powerOff' | 'inspect';

/** One call the simulator answered, for tests to check what the process did (e.g. the compensating deletes). */
export interface SimulatedCall {
  operation: SimulatedOperation;
  requestId: string;
  vmName: string;
  vmId: string | null;
  attempt: number;
  /** 'ok', or the error code the call failed with. */
  outcome: string;
  /** Which process answered (pid), so a test across processes can tell them apart. */
  pid: number;
  at: string;
}

export interface SimulatorSnapshot {
  vms: SimulatedVm[];
  calls: SimulatedCall[];
}

/**
 * Where the simulated hypervisor keeps its inventory: in memory, or (with `file`) also in a JSON file written
 * after every change. The file plays the part of the real hypervisor outliving our process: a process killed
 * mid-provisioning and started again sees the VM it left behind, and a test can count the VMs. Several processes may
 * share one file, as instances share one real hypervisor: every read takes the file as it is now, and every change
 * reads, changes and rewrites it under a lock file (simulator-file-lock.ts). The file is rewritten whole, with a
 * rename so that a kill never leaves it half written.
 */
export interface SimulatorState {
  read(): SimulatorSnapshot;
  update(change: (state: SimulatorSnapshot) => void): void;
}

export function createSimulatorState(file?: string): SimulatorState {
  if (file) {
    return {
      read: () => readSimulatorFile(file),
      update(change) {
        withFileLock(`${file}.lock`, () => {
          const next = readSimulatorFile(file);
          change(next);
          writeSimulatorFile(file, next);
        });
      },
    };
  }
  let state: SimulatorSnapshot = { vms: [], calls: [] };
  return {
    read: () => state,
    update(change) {
      const next = structuredClone(state);
      change(next);
      state = next;
    },
  };
}

export function readSimulatorFile(file: string): SimulatorSnapshot {
  if (!existsSync(file)) return { vms: [], calls: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as SimulatorSnapshot;
}

function writeSimulatorFile(file: string, state: SimulatorSnapshot): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2));
  renameSync(temporary, file);
}
