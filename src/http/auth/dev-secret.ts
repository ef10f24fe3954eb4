import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The development signing secret of a data folder: read from `<dataDir>.jwt-secret` (next to the folder, never in
 * it: the embedded Postgres needs an empty folder to initialise), created on first use. The server and
 * `npm run token` both come here, so printed tokens work without any configuration, and no two checkouts share
 * a secret that anyone could read in the source.
 */
export function devSecret(dataDir: string): { secret: string; file: string } {
  const folder = resolve(dataDir);
  const file = join(dirname(folder), `${basename(folder)}.jwt-secret`);
  const existing = read(file);
  if (existing) return { secret: existing, file };
  // Written aside, then linked into place: link() is atomic and fails when another process got there first, in
  // which case its secret wins. Nobody ever reads a half-written file.
  mkdirSync(dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const secret = read(file);
  if (!secret) throw new Error(`could not read the development JWT secret from ${file}`);
  return { secret, file };
}

function read(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? null : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
