import { type ChildProcess, spawn } from 'node:child_process';
import { repositoryRoot, cleanEnv } from './run-process.ts';

// Real `npm start` processes (src/main.ts) as API instances on one database: architecture decision 11 (stateless
// instances sharing one Postgres), driven by tests that stop or kill them.

export interface Instance {
  name: string;
  process: ChildProcess;
  /** The server's own pid: what its connections' application_name ends with (`dvmm-projector <host>:<pid>`). */
  pid: number;
  /** Its /graphql URL; /ready and /metrics are beside it. */
  url: string;
  wsUrl: string;
  /** Everything printed so far (stdout and stderr), line by line, each prefixed with `[name] `. */
  output: string[];
  exited: Promise<number | null>;
}

/** Starts `node --import tsx src/main.ts` with `env` on a clean environment; resolves once it listens. */
export function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repositoryRoot,
    env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n')) {
        output.push(`[${name}] ${line}`);
        const match = /listening on (http:\/\/\S+\/graphql)/.exec(line);
        if (match) {
          const url = match[1]!;
          resolve({ name, process: child, pid: child.pid!, url, wsUrl: url.replace('http:', 'ws:'), output, exited });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${name} exited with ${code}:\n${output.join('\n')}`)));
  });
}

/** SIGTERM, and its exit code once it has shut down in order. */
export async function stopInstance(instance: Instance | undefined): Promise<number | null> {
  if (!instance || instance.process.exitCode !== null || instance.process.signalCode !== null) return instance?.process.exitCode ?? null;
  instance.process.kill('SIGTERM');
  return instance.exited;
}

/** SIGKILL, as in a crash: no shutdown, its connections drop with it. Resolves once it is gone. */
export async function killInstance(instance: Instance): Promise<void> {
  if (instance.process.exitCode !== null || instance.process.signalCode !== null) return;
  instance.process.kill('SIGKILL');
  await instance.exited;
}

/** Live subscribers the instance counts (its /metrics). */
export async function activeSubscriptions(instance: Instance): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', instance.url))).text();
  return Number(/^dvmm_subscriptions_active (\d+)/m.exec(metrics)?.[1] ?? 0);
}

/** The instance whose server pid ends `applicationName` (`dvmm-projector <host>:<pid>`, `dvmm-provisioning ...`). */
export function instanceOf(instances: readonly Instance[], applicationName: string): Instance | undefined {
  const pid = Number(/:(\d+)$/.exec(applicationName)?.[1]);
  return instances.find((instance) => instance.pid === pid);
}
