import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findFreePort } from '../../src/db/free-port.ts';
import { ensurePostgresUser, type UserIds } from '../../src/db/postgres-user.ts';
import { findReplicationBinaries } from '../support/pg-replica.ts';
import { repositoryRoot } from '../support/run-process.ts';

// docker-compose.scale.yml's Postgres scripts (deploy/postgres/) run with the machine's Postgres binaries, as the
// postgres image runs them: primary-init.sh on a fresh primary whose pg_hba.conf is the image's (trust on the local
// socket, scram-sha-256 for every host, no replication line), then replica-entrypoint.sh as root on an empty folder.
// Only what the image itself provides is stood in for: `gosu` and its docker-entrypoint.sh, both of which just run
// the command as the postgres user (setpriv here). As in the container, the scripts need root.
const bin = findReplicationBinaries();
const skip = bin === null || process.getuid?.() !== 0;
if (skip) console.warn('[compose replication scripts] skipped: needs root and the Postgres binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql');

const PASSWORD = 'dvmm';
const REPLICATION_PASSWORD = 'replication-secret';

let user: UserIds;
let folder: string;
let primaryPort: number;
let primaryData: string;
const replicas: ChildProcess[] = [];

function run(command: string, args: string[], env: Record<string, string> = {}, as: UserIds | null = user): string {
  return execFileSync(command, args, { ...(as ?? {}), cwd: folder, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs deploy/postgres/replica-entrypoint.sh as the container would (as root), serving on `port` once it has a copy. */
function startReplica(data: string, port: number, password = REPLICATION_PASSWORD): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const stubs = join(folder, 'image-bin');
  const child = spawn(
    join(repositoryRoot, 'deploy/postgres/replica-entrypoint.sh'),
    ['postgres', '-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${folder}`, '-c', 'hot_standby=on', '-c', 'max_connections=200'],
    {
      cwd: folder,
      env: { ...process.env, PATH: `${stubs}:${bin}:${process.env.PATH}`, PGDATA: data, PGPORT: String(primaryPort), DVMM_PRIMARY_HOST: '127.0.0.1', DVMM_REPLICATION_PASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  replicas.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Fast shutdown of a replica started above (postgres is the entrypoint's exec'd process). */
async function stopReplica(replica: { child: ChildProcess; exited: Promise<number | null> }): Promise<void> {
  if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGINT');
  await replica.exited;
}

const connect = (port: number, username: string, password: string) =>
  postgres({ host: '127.0.0.1', port, database: 'postgres', username, password, max: 1, onnotice: () => {}, connect_timeout: 5 });

describe.skipIf(skip)('deploy/postgres: the primary and the streaming replica of docker-compose.scale.yml', () => {
  beforeAll(async () => {
    user = ensurePostgresUser('postgres');
    folder = mkdtempSync(join(tmpdir(), 'dvmm-compose-pg-'));
    chownSync(folder, user.uid, user.gid);
    primaryData = join(folder, 'primary');
    primaryPort = await findFreePort();
    const pwfile = join(folder, 'pwfile');
    writeFileSync(pwfile, PASSWORD);
    chownSync(pwfile, user.uid, user.gid);
    run(join(bin!, 'initdb'), ['-D', primaryData, '-U', 'dvmm', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
    // What the image leaves: the local socket trusted, every host with a password, replication for nobody.
    writeFileSync(join(primaryData, 'pg_hba.conf'), 'local all all trust\nhost all all all scram-sha-256\n');
    appendFileSync(
      join(primaryData, 'postgresql.conf'),
      `port = ${primaryPort}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${folder}'\nfsync = off\nmax_connections = 200\nwal_level = replica\n`,
    );
    run(join(bin!, 'pg_ctl'), ['-D', primaryData, '-l', join(folder, 'primary.log'), '-w', '-t', '60', 'start']);
    // The image runs its init scripts as postgres, against its socket, with these variables.
    run(join(repositoryRoot, 'deploy/postgres/primary-init.sh'), [], {
      POSTGRES_USER: 'dvmm',
      POSTGRES_DB: 'postgres',
      PGDATA: primaryData,
      PGHOST: folder,
      PGPORT: String(primaryPort),
      DVMM_REPLICATION_PASSWORD: REPLICATION_PASSWORD,
    });
    run(join(bin!, 'pg_ctl'), ['-D', primaryData, 'reload']);

    const stubs = join(folder, 'image-bin');
    run('mkdir', [stubs], {}, null);
    // setpriv, like gosu, execs the command (no parent left between the signal and postgres).
    writeFileSync(join(stubs, 'gosu'), '#!/bin/sh\nuser="$1"; shift\nexec setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"\n');
    writeFileSync(join(stubs, 'docker-entrypoint.sh'), '#!/bin/sh\nexec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"\n');
    for (const stub of ['gosu', 'docker-entrypoint.sh']) chmodSync(join(stubs, stub), 0o755);
  });

  afterAll(async () => {
    for (const child of replicas) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (primaryData) run(join(bin!, 'pg_ctl'), ['-D', primaryData, '-m', 'immediate', '-w', 'stop']);
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('copies the primary on the first start, then streams: the app role reads there with its password what the primary writes', async () => {
    const port = await findFreePort();
    const data = join(folder, 'replica');
    const replica = startReplica(data, port);
    const primary = connect(primaryPort, 'dvmm', PASSWORD);
    const reader = connect(port, 'dvmm', PASSWORD);
    try {
      await vi.waitFor(async () => {
        expect(replica.child.exitCode, replica.output()).toBeNull();
        expect(await reader`select pg_is_in_recovery() as standby`).toEqual([{ standby: true }]);
      }, { timeout: 60_000, interval: 200 });
      expect(replica.output()).toContain('replica: copying the primary');

      await primary`create table compose_check (value text)`;
      await primary`insert into compose_check values ('written on the primary')`;
      await vi.waitFor(async () => expect(await reader`select value from compose_check`).toEqual([{ value: 'written on the primary' }]), { timeout: 30_000, interval: 100 });
      const [stream] = await primary`select usename, state from pg_stat_replication`;
      expect(stream).toEqual({ usename: 'replicator', state: 'streaming' });
      await expect(reader`insert into compose_check values ('on the replica')`).rejects.toThrow(/read-only transaction/);

      // A later start finds its copy, copies nothing, and resumes streaming.
      await stopReplica(replica);
      await primary`insert into compose_check values ('written while the replica was stopped')`;
      const again = startReplica(data, port);
      const rows = await vi.waitFor(async () => {
        const values = (await reader`select value from compose_check order by value`).map((row) => row['value'] as string);
        expect(values).toContain('written while the replica was stopped');
        return values;
      }, { timeout: 60_000, interval: 200 });
      expect(rows).toHaveLength(2);
      expect(again.output()).not.toContain('copying the primary');
      await stopReplica(again);
    } finally {
      await primary.end();
      await reader.end();
    }
  }, 180_000);

  it('leaves no half-made copy when the primary refuses it, so the restarted container copies again', async () => {
    const data = join(folder, 'refused');
    const replica = startReplica(data, await findFreePort(), 'not-the-password');
    expect(await replica.exited).toBe(1);
    expect(replica.output()).toMatch(/password authentication failed for user "replicator"/);
    expect(replica.output()).toContain('the container restarts and tries again');
    expect(existsSync(data) ? readdirSync(data) : []).toEqual([]);
  });
});
