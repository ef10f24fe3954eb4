import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./projector-child.ts', import.meta.url));

export interface ProjectorChild {
  process: ChildProcess;
  pid: number;
  /** Resolves when the child printed "started". */
  started: Promise<void>;
  exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

/** Starts a projector process on the test database. */
export function spawnProjector(url: string, name: string, env: Record<string, string> = {}): ProjectorChild {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, url, name], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`projector ${name} exited (${code ?? signal}) before starting:\n${output}`)));
  });
  started.catch(() => {});
  return {
    process: child,
    pid: child.pid!,
    started,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    output: () => output,
  };
}
