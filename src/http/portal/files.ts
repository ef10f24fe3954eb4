import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { type StaticBody, staticBody } from '../graphiql-http.ts';

/** The built portal (web/dist), each file compressed once, by URL path (e.g. /assets/index-1a2b3c.js). */
export type PortalFiles = ReadonlyMap<string, StaticBody>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Reads every file under `dir`; null when there is no build there (no index.html). */
export async function loadPortalFiles(dir: string): Promise<PortalFiles | null> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const files = new Map<string, StaticBody>();
  await Promise.all(
    names
      .filter((file) => !relative(dir, file).startsWith('.'))
      .map(async (file) => {
        const path = `/${relative(dir, file).split(sep).join('/')}`;
        files.set(path, await staticBody(TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file)));
      }),
  );
  return files.has('/index.html') ? files : null;
}
