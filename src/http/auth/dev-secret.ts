import { randomBytes } from 'node:crypto';
import { besideDataFolder, readOrCreateOnce } from '../../dev-files.ts';

/**
 * The development signing secret of a data folder: read from `<dataDir>.jwt-secret` (next to the folder, never in
 * it: the embedded Postgres needs an empty folder to initialise), created on first use. The server and
 * `npm run token` both come here, so printed tokens work without any configuration, and no two checkouts share
 * a secret that anyone could read in the source.
 */
export function devSecret(dataDir: string): { secret: string; file: string } {
  const file = besideDataFolder(dataDir, '.jwt-secret');
  const secret = readOrCreateOnce(file, () => `${randomBytes(32).toString('base64url')}\n`).trim();
  if (!secret) throw new Error(`could not read the development JWT secret from ${file}`);
  return { secret, file };
}
