import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = fileURLToPath(new URL('../../../web', import.meta.url));
const STAMP = '.source-hash';

/**
 * Builds the portal into web/dist when its sources changed since the last build (a hash of web/ is kept in the
 * build), so `npm start` serves the current app with no build step of its own. Development only: vite is a dev
 * dependency, and a production image ships the build `npm run build` made.
 */
export async function ensurePortalBuilt(log: (line: string) => void = () => {}): Promise<'fresh' | 'built'> {
  const dist = join(WEB_DIR, 'dist');
  const hash = await sourceHash();
  const stamp = await readFile(join(dist, STAMP), 'utf8').catch(() => null);
  if (stamp === hash) return 'fresh';
  log('[portal] building web/ (its sources changed since the last build)');
  const started = performance.now();
  const { build } = await import('vite');
  // Vite builds React's development bundle when NODE_ENV says so, and vitest sets it to `test`: the served app must be
  // the production build whoever starts the server (React's StrictMode double effects run only in development).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await writeFile(join(dist, STAMP), hash);
  log(`[portal] built in ${Math.round(performance.now() - started)} ms`);
  return 'built';
}

async function sourceHash(): Promise<string> {
  const entries = await readdir(WEB_DIR, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !/^(dist|node_modules)(\/|$)/.test(relative(WEB_DIR, file).split(sep).join('/')))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(relative(WEB_DIR, file)).update('\0').update(await readFile(file)).update('\0');
  return hash.digest('hex');
}
