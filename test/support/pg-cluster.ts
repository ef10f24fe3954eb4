import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../src/db/free-port.ts';
import { ensurePostgresUser, type UserIds } from '../../src/db/postgres-user.ts';

/**
 * A Postgres cluster of the test's own, made from the machine's binaries (initdb, pg_ctl) in a folder under the
 * temporary directory, on a free port, so a test may stop and start it at will. It never touches any other server:
 * every command names this cluster's data folder. As root the server runs as the system user `postgres`.
 */
export interface PgCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:port/database (trust authentication, local only). */
  url(database?: string): string;
  /** `pg_ctl stop -m fast`: every session is ended at once, as an operator's restart does. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running) and removes the folder. */
  destroy(): Promise<void>;
  /** The server's log so far. */
  log(): string;
}

/** The folder holding initdb and pg_ctl: /usr/lib/postgresql/<newest>/bin, or null when there is none. */
export function findPgBinaries(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(base, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

export async function createPgCluster(bin: string): Promise<PgCluster> {
  const asUser: UserIds | undefined = process.getuid?.() === 0 ? ensurePostgresUser('postgres') : undefined;
  const folder = mkdtempSync(join(tmpdir(), 'dvmm-pg-cluster-'));
  if (asUser) chownSync(folder, asUser.uid, asUser.gid);
  const data = join(folder, 'data');
  const logFile = join(folder, 'server.log');
  const port = await findFreePort();

  const run = (command: string, args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(join(bin, command), args, { ...(asUser ?? {}), cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
    });

  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Local TCP only, on our port; the socket in our folder; durability off, since the data is thrown away.
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${folder}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 200',
      '',
    ].join('\n'),
  );

  let running = false;
  const cluster: PgCluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop() {
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => {});
      rmSync(folder, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
  try {
    await cluster.start();
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
