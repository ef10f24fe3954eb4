import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FailureRule, ProvisioningOptions, WorkerStatus } from '../../../../src/provisioning/index.ts';

export interface ChildHandle {
  child: ChildProcess;
  /** Everything the child wrote to stderr (its log), for failure messages. */
  log(): string;
  /** SIGTERM, then the worker status the child printed on its way out. */
  stop(): Promise<WorkerStatus>;
  /** SIGKILL: no cleanup at all, as in a crash. */
  kill(): Promise<void>;
}

const script = fileURLToPath(new URL('./provisioning-child.ts', import.meta.url));
const children: ChildProcess[] = [];

/** Starts a provisioning process in a child and resolves once it runs. */
export function startChild(config: {
  url: string;
  stateFile: string;
  stageMs: number;
  options: Partial<ProvisioningOptions>;
  /** Failures the child's simulated hypervisor injects (the next child starts without them). */
  failures?: FailureRule[];
}): Promise<ChildHandle> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const handle: ChildHandle = {
    child,
    log: () => err,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      const match = /^STOPPED (.*)$/m.exec(out);
      if (!match?.[1]) throw new Error(`child ${child.pid} did not stop cleanly:\n${err}`);
      return JSON.parse(match[1]) as WorkerStatus;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (out.includes('STARTED\n')) {
        child.stdout?.off('data', onData);
        resolve(handle);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`child exited (${code ?? signal}) before it started:\n${err}`)),
    );
  });
}

/** For afterAll: no child outlives its test file. */
export async function killChildren(): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
