import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProvisioningOptions } from '../../../src/provisioning/index.ts';
import type { VsphereConnectionSettings } from '../../../src/provisioning/vsphere/index.ts';

const script = fileURLToPath(new URL('./vsphere-child.ts', import.meta.url));
const children: ChildProcess[] = [];

export interface VsphereChild {
  child: ChildProcess;
  /** What the child logged (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
  /** SIGKILL: no cleanup at all, as in a crash. */
  kill(): Promise<void>;
}

/** A provisioning process on the vSphere adapter in a child process; resolves once it runs. */
export function startVsphereChild(config: {
  url: string;
  settings: VsphereConnectionSettings;
  options: Partial<ProvisioningOptions>;
}): Promise<VsphereChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: VsphereChild = {
    child,
    log: () => err,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      if (!out.includes('STOPPED\n')) throw new Error(`child ${child.pid} did not stop cleanly:\n${err}`);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (!out.includes('STARTED\n')) return;
      child.stdout?.off('data', onData);
      resolve(handle);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before it started:\n${err}`)));
  });
}

/** For afterAll: no child outlives its test file. */
export function killVsphereChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
