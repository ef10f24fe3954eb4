import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: scripts run from there, as `npm start` and `npm run cli` do. */
export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Variables of the test runner that would change what src/main.ts or src/cli.ts do; each test sets its own. */
const INHERITED_CONFIG = /^(DATABASE_URL|DATABASE_POOL_MAX|DVMM_|JWT_|PROVISIONING_|PORT$|HOST$|NODE_ENV$)/;

export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_CONFIG.test(name)));
  return { ...base, ...env };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Everything written so far, both streams in arrival order. */
  output(): string;
  /** Resolves once a line of either stream matches. */
  waitFor(pattern: RegExp): Promise<string>;
  finished: Promise<Finished>;
}

/** `node --import tsx <script> ...args` from the repository root, with `env` on top of a clean environment. */
export function runScript(script: string, args: readonly string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repositoryRoot,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let all = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const line = all.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += String(chunk);
    all += String(chunk);
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += String(chunk);
    all += String(chunk);
    check();
  });
  const finished = new Promise<Finished>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    output: () => all,
    finished,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void finished.then(({ code }) => reject(new Error(`exited with ${code} before printing ${pattern}:\n${all}`)));
      });
    },
  };
}

/** Runs a script to its end (killed after `timeoutMs`, so a test never hangs on a process that should have exited). */
export async function runToEnd(script: string, args: readonly string[], env: Record<string, string>, timeoutMs = 150_000): Promise<Finished> {
  const running = runScript(script, args, env);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.finished;
  } finally {
    clearTimeout(timer);
  }
}
