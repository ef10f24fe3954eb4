import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config-error.ts';
import { inspectPostmaster, isRunning, removeStalePidFile, stopPostmaster } from './postmaster.ts';

// What DVMM keeps in an embedded server's data folder besides the cluster itself.

// initdb sets the superuser password once; later starts read it back from here (mode 0600).
const PASSWORD_FILE = 'dvmm-password';
// Pid of the Node process that started the server, to tell an orphaned postmaster from one still in use.
const OWNER_FILE = 'dvmm-owner.pid';

export function writePassword(dataDir: string, password: string): void {
  writeFileSync(join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
}

export function writeOwner(dataDir: string): void {
  writeFileSync(join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

export function removeOwner(dataDir: string): void {
  rmSync(join(dataDir, OWNER_FILE), { force: true });
}

export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

export function assertEmptyOrMissing(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  if (readdirSync(dataDir).length > 0) {
    throw new ConfigError(`${dataDir} is neither empty nor a Postgres data folder; remove it or choose another folder`);
  }
}

export function readPassword(dataDir: string): string {
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
