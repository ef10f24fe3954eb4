import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Development secrets of a data folder (the JWT secret, the seal key) live next to the folder, never in it: the
 * embedded Postgres needs an empty folder to initialise. `<dataDir><suffix>`, e.g. `.data.jwt-secret`.
 */
export const besideDataFolder = (dataDir: string, suffix: string): string => {
  const folder = resolve(dataDir);
  return join(dirname(folder), `${basename(folder)}${suffix}`);
};

/**
 * The text of `file`, created first (mode 0600) with `create()` when missing. Written aside, then linked into place:
 * link() is atomic and fails when another process got there first, in which case its content wins. Nobody ever
 * reads a half-written file, and every process of one data folder ends up with the same secret.
 */
export function readOrCreateOnce(file: string, create: () => string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, create(), { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  return readFileSync(file, 'utf8');
}
