import { spawn } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createSql } from '../../src/db/client.ts';
import { findFreePort } from '../../src/db/free-port.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { ensurePostgresUser, type UserIds } from '../../src/db/postgres-user.ts';
import { findPgBinaries } from './pg-cluster.ts';

/**
 * A Postgres primary and one streaming replica of the test's own (physical replication, as operators run it), made
 * from the machine's binaries (initdb, pg_basebackup, pg_ctl) in a folder under the temporary directory, on free
 * ports, so a drill may lag, stop and restart either at will. Nothing here touches any other server: every command
 * names this pair's data folders. As root both servers run as the system user `postgres`, as in pg-cluster.ts.
 */
export interface PgServer {
  port: number;
  /** postgres://postgres@127.0.0.1:port/database (trust authentication, local only). */
  url(database?: string): string;
  /** `pg_ctl stop -m fast`: every session is ended at once, as an operator's restart does. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stop then start. */
  restart(): Promise<void>;
  /** The server's log so far. */
  log(): string;
}

export interface PgReplica extends PgServer {
  /** `pg_wal_replay_pause()`: the replica keeps receiving WAL and answering queries, but shows nothing newer. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** `pg_last_wal_replay_lsn()`, e.g. '0/3000148'. */
  replayLsn(): Promise<string>;
  /** How far replay is behind the primary's current WAL position, in bytes (0 when caught up). */
  lagBytes(): Promise<number>;
}

export interface ReplicatedPair {
  primary: PgServer;
  replica: PgReplica;
  /** Resolves once the replica has replayed past the primary's WAL position at the time of the call. */
  waitForReplica(timeoutMs?: number): Promise<void>;
  /**
   * Creates `name` on the primary with every DVMM migration applied, and waits until the replica has it (databases
   * are replicated like everything else). Returns the database's URL on each server.
   */
  createMigratedDatabase(name: string): Promise<{ primaryUrl: string; replicaUrl: string }>;
  /** Stops both servers (if running) and removes the folder. */
  destroy(): Promise<void>;
}

/** The folder holding initdb, pg_ctl and pg_basebackup, or null when any is missing. */
export function findReplicationBinaries(): string | null {
  const bin = findPgBinaries();
  return bin && existsSync(join(bin, 'pg_basebackup')) ? bin : null;
}

const SLOT = 'dvmm_test_replica';

export async function createReplicatedPair(bin: string): Promise<ReplicatedPair> {
  const asUser: UserIds | undefined = process.getuid?.() === 0 ? ensurePostgresUser('postgres') : undefined;
  const folder = mkdtempSync(join(tmpdir(), 'dvmm-pg-replica-'));
  if (asUser) chownSync(folder, asUser.uid, asUser.gid);
  const primaryFolder = join(folder, 'primary');
  const replicaFolder = join(folder, 'replica');
  for (const sub of [primaryFolder, replicaFolder]) {
    mkdirSync(sub);
    if (asUser) chownSync(sub, asUser.uid, asUser.gid);
  }
  const primaryData = join(primaryFolder, 'data');
  const replicaData = join(replicaFolder, 'data');
  const [primaryPort, replicaPort] = [await findFreePort(), await findFreePort()];

  const run = (command: string, args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(join(bin, command), args, { ...(asUser ?? {}), cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
    });

  const servers: { running: boolean; data: string }[] = [];
  const server = (port: number, data: string, serverFolder: string): PgServer => {
    const logFile = join(serverFolder, 'server.log');
    const state = { running: false, data };
    servers.push(state);
    const self: PgServer = {
      port,
      url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
      async start() {
        await run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '120', 'start']);
        state.running = true;
      },
      async stop() {
        await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '120', 'stop']);
        state.running = false;
      },
      async restart() {
        await self.stop();
        await self.start();
      },
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    };
    return self;
  };

  const destroy = async () => {
    // The replica first: stopped after its primary, it would only log reconnection attempts meanwhile.
    for (const state of [...servers].reverse()) {
      if (state.running) await run('pg_ctl', ['-D', state.data, '-m', 'immediate', '-w', '-t', '60', 'stop']).catch(() => {});
      state.running = false;
    }
    rmSync(folder, { recursive: true, force: true });
  };

  try {
    await run('initdb', ['-D', primaryData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // Local TCP only, on our ports; sockets in our folders. fsync off (the data is thrown away) but commits stay
    // synchronous, so a commit's WAL is written, and sent to the replica, before the client is told: replica lag is
    // then what the drill injects, not an artefact of asynchronous commit.
    appendFileSync(
      join(primaryData, 'postgresql.conf'),
      [
        `port = ${primaryPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${primaryFolder}'`,
        'fsync = off',
        'full_page_writes = off',
        'max_connections = 200',
        'wal_level = replica',
        'max_wal_senders = 5',
        'max_replication_slots = 5',
        '',
      ].join('\n'),
    );
    appendFileSync(join(primaryData, 'pg_hba.conf'), 'host replication postgres 127.0.0.1/32 trust\n');
    const primary = server(primaryPort, primaryData, primaryFolder);
    await primary.start();

    // -R writes primary_conninfo and standby.signal; the slot keeps the WAL a stopped replica still needs.
    await run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaData, '-R', '-X', 'stream', '-C', '-S', SLOT, '--no-sync']);
    // The replica's postgresql.conf is the primary's copy; later lines win. Feedback keeps the primary's vacuum from
    // cancelling the replica's queries; a short retry interval lets it reconnect soon after the primary restarts.
    appendFileSync(
      join(replicaData, 'postgresql.conf'),
      [
        `port = ${replicaPort}`,
        `unix_socket_directories = '${replicaFolder}'`,
        'hot_standby = on',
        'hot_standby_feedback = on',
        'wal_retrieve_retry_interval = 200ms',
        '',
      ].join('\n'),
    );
    const replicaServer = server(replicaPort, replicaData, replicaFolder);
    await replicaServer.start();

    const query = async <T extends object>(url: string, text: string, parameters: string[] = []): Promise<T> => {
      const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      try {
        const [row] = await sql.unsafe<T[]>(text, parameters);
        return row!;
      } finally {
        await sql.end({ timeout: 1 });
      }
    };
    const primaryLsn = async () => (await query<{ lsn: string }>(primary.url(), 'select pg_current_wal_lsn()::text as lsn')).lsn;

    const replica: PgReplica = {
      ...replicaServer,
      async pauseReplay() {
        await query(replicaServer.url(), 'select pg_wal_replay_pause()');
      },
      async resumeReplay() {
        await query(replicaServer.url(), 'select pg_wal_replay_resume()');
      },
      async replayLsn() {
        return (await query<{ lsn: string }>(replicaServer.url(), 'select pg_last_wal_replay_lsn()::text as lsn')).lsn;
      },
      async lagBytes() {
        const target = await primaryLsn();
        const { lag } = await query<{ lag: string }>(
          replicaServer.url(),
          'select greatest(0, pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()))::text as lag',
          [target],
        );
        return Number(lag);
      },
    };

    const waitForReplica = async (timeoutMs = 30_000) => {
      // The write position, as Postgres's own TAP tests wait for catch-up: every committed transaction is before it.
      const target = await primaryLsn();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const caughtUp = await query<{ ok: boolean }>(
          replicaServer.url(),
          'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok',
          [target],
        ).catch(() => ({ ok: false }));
        if (caughtUp.ok) return;
        if (Date.now() > deadline) throw new Error(`the replica did not replay past ${target} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    return {
      primary,
      replica,
      waitForReplica,
      async createMigratedDatabase(name) {
        const admin = postgres(primary.url(), { max: 1, onnotice: () => {} });
        try {
          await admin.unsafe(`create database "${name}"`);
        } finally {
          await admin.end();
        }
        const sql = createSql(primary.url(name), { max: 2, applicationName: 'dvmm-test-migrate' });
        try {
          await runMigrations(sql);
        } finally {
          await sql.end({ timeout: 5 });
        }
        await waitForReplica();
        return { primaryUrl: primary.url(name), replicaUrl: replicaServer.url(name) };
      },
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
