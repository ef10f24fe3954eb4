import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicatedPair, findReplicationBinaries, type ReplicatedPair } from '../support/pg-replica.ts';

// The replicated pair the replica drills stand on: a row written on the primary reaches the replica; paused replay
// holds it back; a stopped replica catches up when started; a restarted primary is followed again.

const bin = findReplicationBinaries();
const required = process.env.CI === 'true';
if (!bin && !required) {
  console.warn('[replica harness] skipped: no Postgres binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql (apt-get install postgresql)');
}

describe.skipIf(!bin && !required)('a primary and a streaming replica of the test’s own', () => {
  let pair: ReplicatedPair;
  let primary: postgres.Sql;
  let replica: postgres.Sql;
  let migrated: { primaryUrl: string; replicaUrl: string };

  beforeAll(async () => {
    if (!bin) throw new Error('CI=true: the replica harness needs the Postgres binaries initdb, pg_ctl and pg_basebackup (apt-get install postgresql)');
    pair = await createReplicatedPair(bin);
    migrated = await pair.createMigratedDatabase('dvmm');
    const options = { max: 1, onnotice: () => {}, backoff: () => 0.2, connect_timeout: 10 };
    primary = postgres(migrated.primaryUrl, options);
    replica = postgres(migrated.replicaUrl, options);
  }, 180_000);

  afterAll(async () => {
    await primary?.end({ timeout: 1 });
    await replica?.end({ timeout: 1 });
    await pair?.destroy();
  });

  const write = async (tag: string) => {
    await primary`insert into harness (tag) values (${tag})`;
  };
  const seenOnReplica = async (tag: string) => (await replica`select 1 from harness where tag = ${tag}`).length === 1;

  it('has the migrated database on the replica, read-only', async () => {
    const [row] = await replica<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    const [expected] = await primary<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(row!.n).toBeGreaterThan(0);
    expect(row!.n).toBe(expected!.n);
    const [recovery] = await replica<{ standby: boolean }[]>`select pg_is_in_recovery() as standby`;
    expect(recovery!.standby).toBe(true);
    await expect(replica`create table refused (id int)`).rejects.toThrow(/read-only/);
  });

  it('shows a row written on the primary once the replica has caught up', async () => {
    await primary`create table harness (tag text primary key)`;
    await write('first');
    await pair.waitForReplica();
    expect(await seenOnReplica('first')).toBe(true);
    expect(await pair.replica.lagBytes()).toBe(0);
  });

  it('holds a write back while replay is paused, and shows it when replay resumes', async () => {
    await pair.replica.pauseReplay();
    const pausedAt = await pair.replica.replayLsn();
    await write('held back');
    // The replica still answers, but neither the row nor its replay position moves.
    await expect.poll(() => pair.replica.lagBytes()).toBeGreaterThan(0);
    const lag = await pair.replica.lagBytes();
    expect(await seenOnReplica('held back')).toBe(false);
    expect(await pair.replica.replayLsn()).toBe(pausedAt);
    await expect(pair.waitForReplica(500)).rejects.toThrow(/did not replay/);
    await write('held back too');
    await expect.poll(() => pair.replica.lagBytes()).toBeGreaterThan(lag);
    console.log(`[replica harness] lag while paused: ${lag} bytes after one insert, ${await pair.replica.lagBytes()} after two`);

    await pair.replica.resumeReplay();
    await pair.waitForReplica();
    expect(await seenOnReplica('held back')).toBe(true);
    expect(await seenOnReplica('held back too')).toBe(true);
    expect(await pair.replica.lagBytes()).toBe(0);
  });

  it('catches up on what was written while it was stopped', async () => {
    await pair.replica.stop();
    await expect(replica`select 1`).rejects.toThrow();
    await write('while the replica was down');
    await pair.replica.start();
    await pair.waitForReplica();
    expect(await seenOnReplica('while the replica was down')).toBe(true);
  });

  it('follows the primary again after the primary restarts', async () => {
    await pair.primary.restart();
    // The replica answers reads meanwhile, with what it had.
    expect(await seenOnReplica('first')).toBe(true);
    await write('after the primary restarted');
    await pair.waitForReplica();
    expect(await seenOnReplica('after the primary restarted')).toBe(true);
    const [receiver] = await replica<{ status: string }[]>`select status from pg_stat_wal_receiver`;
    expect(receiver?.status).toBe('streaming');
  });
});
