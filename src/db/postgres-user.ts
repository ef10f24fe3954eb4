import { chownSync, existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

// Postgres refuses to run as root. As root, the embedded server runs as the system user `postgres` instead, and that
// user must exist, be able to reach the binaries and the data folder, and own the data folder.

export type UserIds = { uid: number; gid: number };

/** The system user the server runs as when we are root, created when missing (a fresh container image lacks it). */
export function ensurePostgresUser(user: string): UserIds {
  try {
    execFileSync('id', ['-u', user], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('groupadd', ['--force', user], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '--gid', user, '--no-create-home', user], { stdio: 'ignore' });
    } catch (error) {
      throw new Error(`running as root, and could not create the system user ${user} for Postgres: ${String(error)}`);
    }
  }
  return {
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()),
  };
}

/**
 * Whether `user` can run the postgres binary: asked by running `postgres --version` as that user, which is exactly
 * the test that matters (every parent folder searchable, the file executable, its libraries readable).
 */
export function canRunAs(user: UserIds, postgres: string): boolean {
  const result = spawnSync(postgres, ['--version'], { ...user, cwd: '/', stdio: 'ignore', timeout: 10_000 });
  return result.error === undefined && result.status === 0;
}

/**
 * Whether `user` could enter `dataDir` once we (root) have created it and given it to that user: the nearest folder
 * above it that exists must be reachable and searchable for that user (folders we create in between are 0755).
 */
export function canReachFolder(user: UserIds, dataDir: string): boolean {
  let dir = dirname(dataDir);
  while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
  const result = spawnSync('test', ['-x', dir], { ...user, cwd: '/', stdio: 'ignore', timeout: 10_000 });
  return result.error === undefined && result.status === 0;
}

/**
 * Gives the folder to the user: Postgres checks the folder's owner, and files root wrote into it (DVMM's own) must not
 * stay root's. Only the top level is looked at, unless the folder itself has the wrong owner (copied or restored as
 * root); then the whole tree is changed.
 */
export function chownToUser(dataDir: string, user: UserIds): void {
  const deep = statSync(dataDir).uid !== user.uid;
  const give = (path: string, recurse: boolean): void => {
    const stat = statSync(path);
    if (stat.uid !== user.uid) chownSync(path, user.uid, user.gid);
    if (!stat.isDirectory() || !recurse) return;
    for (const entry of readdirSync(path)) give(join(path, entry), deep);
  };
  give(dataDir, true);
}
