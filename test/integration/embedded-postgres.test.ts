import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.ts';
import { createSql } from '../../src/db/client.ts';
import { releaseDataFolder, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { isRunning } from '../../src/db/postmaster.ts';
import { importPostgresBinaries } from '../../src/db/load-embedded-postgres.ts';
import { runInitdb, startPostgres } from '../../src/db/postgres-process.ts';

// Real servers in temporary folders; each start picks its own free port, so this file never meets the test server.
const base = mkdtempSync(join(tmpdir(), 'dvmm-embedded-test-'));
chmodSync(base, 0o755); // as root, the server runs as the postgres user, which must be able to enter the folder
const quiet = () => {};
const servers: EmbeddedServer[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const server of servers) await server.stop().catch(() => {});
  for (const dir of ['fresh', 'killed', 'stale', 'exited', 'taken']) await releaseDataFolder(join(base, dir), quiet).catch(() => {});
  rmSync(base, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<EmbeddedServer> {
  const server = await startEmbeddedPostgres({ dataDir, log: quiet });
  servers.push(server);
  return server;
}

async function query<T extends object>(url: string, text: string): Promise<T[]> {
  const sql = createSql(url, { max: 1 });
  try {
    return [...(await sql.unsafe<T[]>(text))];
  } finally {
    await sql.end();
  }
}

function postmasterPid(dataDir: string): number | undefined {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return undefined;
  return Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
}

/** Starts the server in a child process and resolves with the URL the child prints. */
function startInChild(dataDir: string, ...args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL('../support/embedded-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^URL (\S+)$/m.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing a URL: ${err}`)));
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('embedded Postgres', () => {
  const fresh = join(base, 'fresh');

  it('starts from an empty folder and serves queries', async () => {
    const server = await start(fresh);
    expect(existsSync(join(fresh, 'PG_VERSION'))).toBe(true);
    await query(server.url, `create table survivor (note text); insert into survivor values ('before stop')`);
    const [row] = await query<{ v: string }>(server.url, `select current_setting('server_version_num') as v`);
    expect(Number(row?.v)).toBeGreaterThanOrEqual(160000);
    await server.stop();
    expect(postmasterPid(fresh)).toBeUndefined();
  });

  it('starts again on the same folder after a clean stop, with the data still there', async () => {
    const server = await start(fresh);
    const rows = await query<{ note: string }>(server.url, 'select note from survivor');
    expect(rows.map((r) => r.note)).toEqual(['before stop']);
  });

  it('refuses a folder whose server is still owned by a live process', async () => {
    await expect(startEmbeddedPostgres({ dataDir: fresh, log: quiet })).rejects.toThrow(/in use/);
  });

  it("joins that server with whenInUse 'connect' (port from postmaster.pid, password from the folder) and leaves it running", async () => {
    const running = servers.at(-1)!;
    const lines: string[] = [];
    const joined = await startEmbeddedPostgres({ dataDir: fresh, log: (line) => lines.push(line), whenInUse: 'connect' });
    expect(joined.owned).toBe(false);
    expect(joined.port).toBe(running.port);
    expect(lines.join('\n')).toMatch(/using the embedded Postgres already running in/);
    const rows = await query<{ note: string }>(joined.url, 'select note from survivor');
    expect(rows.map((r) => r.note)).toEqual(['before stop']);
    await joined.stop();
    expect(isRunning(postmasterPid(fresh)!)).toBe(true);
  });

  it("says why when postgres exits before it is ready (here: the given port is another server's)", async () => {
    const port = servers.at(-1)!.port;
    await expect(startEmbeddedPostgres({ dataDir: join(base, 'taken'), port, log: quiet })).rejects.toThrow(
      /embedded Postgres in .*taken failed to start: postgres exited \(exit code 1\): .*already in use/,
    );
    expect(postmasterPid(join(base, 'taken'))).toBeUndefined();
  });

  it.skipIf(process.platform !== 'linux')('runs the server in a session of its own, outside our process group (a Ctrl-C to the terminal misses it)', () => {
    const pid = postmasterPid(fresh)!;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [group, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(2, 4).map(Number);
    expect(session).toBe(pid);
    expect(group).not.toBe(process.pid);
  });

  it('starts after the owning process was SIGKILLed: the orphaned server is stopped and the data survives', async () => {
    const dir = join(base, 'killed');
    const { child, url } = await startInChild(dir);
    await query(url, `create table survivor (note text); insert into survivor values ('committed before the kill')`);
    const orphan = postmasterPid(dir);

    await killAndWait(child);
    // The scenario is real: the server outlived its owner and still holds the folder.
    expect(orphan).toBeDefined();
    expect(isRunning(orphan!)).toBe(true);

    const server = await start(dir);
    expect(isRunning(orphan!)).toBe(false);
    expect(postmasterPid(dir)).not.toBe(orphan);
    const rows = await query<{ note: string }>(server.url, 'select note from survivor');
    expect(rows.map((r) => r.note)).toEqual(['committed before the kill']);
  });

  it.each([
    ['exits without stop() (process.exit)', 'exit-on-sigterm', 0],
    ['dies of a signal it does not handle', 'unhandled', 'SIGTERM'],
  ])('stops the server when its owner %s', async (_, mode, ending) => {
    const dir = join(base, 'exited');
    const { child } = await startInChild(dir, mode);
    const pid = postmasterPid(dir)!;
    expect(isRunning(pid)).toBe(true);
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once('exit', (c, s) => resolve([c, s])),
    );
    expect(typeof ending === 'number' ? code : signal).toBe(ending);
    await expect.poll(() => isRunning(pid), { timeout: 15_000, interval: 50 }).toBe(false);
  });

  it('is not blocked by a stale postmaster.pid naming a live process that is not postgres', async () => {
    const dir = join(base, 'stale');
    const first = await start(dir);
    await query(first.url, `create table survivor (note text); insert into survivor values ('kept')`);
    await first.stop();
    // What a server killed with the machine leaves behind, once its pid has gone to another process.
    writeFileSync(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n`);

    const server = await start(dir);
    const rows = await query<{ note: string }>(server.url, 'select note from survivor');
    expect(rows.map((r) => r.note)).toEqual(['kept']);
  });
});

describe('Postgres binaries that cannot be run', () => {
  const notExecutable = join(base, 'not-executable');

  it('without the binaries package (a production install), the error says to set DATABASE_URL', async () => {
    const error = await importPostgresBinaries('@embedded-postgres/no-such-platform').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/DATABASE_URL is not set and the embedded Postgres .* is not installed .*: set DATABASE_URL/);
    expect(error).toBeInstanceOf(ConfigError);
  });

  it('a missing binary is a one-line error naming it and the cause, not an unhandled error event', async () => {
    const error = await startPostgres(join(base, 'missing', 'postgres'), { dataDir: base, port: 1, runAs: undefined }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(`could not run postgres (${join(base, 'missing', 'postgres')}): ENOENT (no such file)`);
    expect(error).toBeInstanceOf(ConfigError); // printed without a stack
  });

  it('so is one without permission to run it', async () => {
    writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
    // Root may run any file with an execute bit, so the file has none.
    await expect(
      runInitdb(notExecutable, { dataDir: join(base, 'never'), user: 'postgres', passwordFile: notExecutable, runAs: undefined }),
    ).rejects.toThrow(`could not run not-executable (${notExecutable}): EACCES (permission denied)`);
  });
});
