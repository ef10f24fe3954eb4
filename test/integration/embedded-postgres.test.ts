import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSql } from '../../src/db/client.ts';
import { releaseDataFolder, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { isRunning } from '../../src/db/postmaster.ts';

// Real servers in temporary folders; each start picks its own free port, so this file never meets the test server.
const base = mkdtempSync(join(tmpdir(), 'dvmm-embedded-test-'));
chmodSync(base, 0o755); // as root, the server runs as the postgres user, which must be able to enter the folder
const quiet = () => {};
const servers: EmbeddedServer[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const server of servers) await server.stop().catch(() => {});
  for (const dir of ['fresh', 'killed', 'stale']) await releaseDataFolder(join(base, dir), quiet).catch(() => {});
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
function startInChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL('../support/embedded-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
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
