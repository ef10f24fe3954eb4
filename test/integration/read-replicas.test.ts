/**
 * The read-replica router (src/db/read-replicas.ts) against a real primary and streaming replica: which server a read
 * with a position gets, the bounded wait, rotation by lag, a replica that stops mid-read.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createSql } from '../../src/db/client.ts';
import { createReadReplicas, type ReadReplicas } from '../../src/db/read-replicas.ts';
import { createReplicatedPair, findReplicationBinaries, type ReplicatedPair } from '../support/pg-replica.ts';

const bin = findReplicationBinaries();
const skip = !bin && process.env.CI !== 'true';
if (skip) console.warn('[read-replica router] skipped: no Postgres binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql');

const PROJECTIONS = ['test_a', 'test_b'];
const at = (transactionId: number, position: number) => ({ transactionId: BigInt(transactionId), position: BigInt(position) });

describe.skipIf(skip)('read-replica router', () => {
  let pair: ReplicatedPair;
  let primary: postgres.Sql;
  let replicaUrl: string;
  const routers: ReadReplicas[] = [];

  beforeAll(async () => {
    pair = await createReplicatedPair(bin!);
    const urls = await pair.createMigratedDatabase('dvmm_router');
    primary = createSql(urls.primaryUrl, { max: 5 });
    replicaUrl = urls.replicaUrl;
  }, 180_000);

  afterAll(async () => {
    for (const router of routers) await router.stop();
    await primary?.end({ timeout: 5 });
    await pair?.destroy();
  });

  const router = async (options: { waitMs: number; maxLagMs?: number; probeIntervalMs?: number; urls?: string[] }): Promise<ReadReplicas> => {
    const made = createReadReplicas({
      primary: { sql: primary, db: createDb(primary) },
      urls: options.urls ?? [replicaUrl],
      projections: PROJECTIONS,
      waitMs: options.waitMs,
      maxLagMs: options.maxLagMs ?? 600_000,
      // Probed by the tests themselves, so no probe races what a test does to the replica.
      probeIntervalMs: options.probeIntervalMs ?? 3_600_000,
      log: () => {},
    });
    routers.push(made);
    await made.start();
    return made;
  };

  /** Both checkpoints on the primary; the replica's position is the lower one. */
  const checkpoints = async (a: [number, number], b: [number, number]) => {
    for (const [name, [tx, pos]] of [['test_a', a], ['test_b', b]] as const) {
      await primary`insert into projection_checkpoints (name, transaction_id, position) values (${name}, ${tx}, ${pos})
        on conflict (name) do update set transaction_id = excluded.transaction_id, position = excluded.position`;
    }
  };

  const fallbacks = (router: ReadReplicas, reason: 'wait' | 'no-replica' | 'failed') => router.stats().fallbacks.get(reason) ?? 0;

  it('hands out the replica when its lowest read-model checkpoint has the position, else the primary after the wait', async () => {
    await checkpoints([100, 10], [100, 12]);
    await pair.waitForReplica();
    const reads = await router({ waitMs: 50 });
    expect((await reads.readerFor(null)).target).toBe('replica-1');
    expect((await reads.readerFor(at(100, 10))).target).toBe('replica-1');
    expect((await reads.readerFor(at(99, 500))).target).toBe('replica-1'); // (transaction id, position) order
    expect(fallbacks(reads, 'wait')).toBe(0);
    // test_b is at (100, 12) but test_a only at (100, 10): not every read model has (100, 11).
    expect((await reads.readerFor(at(100, 11))).target).toBe('primary');
    expect(fallbacks(reads, 'wait')).toBe(1);
    expect(reads.stats().routed.get('replica-1')).toBe(3);
  });

  it('waits for a paused replica that resumes within the bound, and falls back when it does not', async () => {
    const reads = await router({ waitMs: 60_000 });
    const short = await router({ waitMs: 50 });
    await pair.replica.pauseReplay();
    try {
      await checkpoints([200, 20], [200, 20]);
      expect((await short.readerFor(at(200, 20))).target).toBe('primary');
      expect(fallbacks(short, 'wait')).toBe(1);
      const waiting = reads.readerFor(at(200, 20));
      await pair.replica.resumeReplay();
      expect((await waiting).target).toBe('replica-1');
      expect(fallbacks(reads, 'wait')).toBe(0);
    } finally {
      await pair.replica.resumeReplay();
    }
  });

  it('takes a replica lagging beyond the bound out of rotation, and back once it catches up', async () => {
    const reads = await router({ waitMs: 50, maxLagMs: 200 });
    await pair.replica.pauseReplay();
    try {
      let tx = 300;
      // Lag is the age of the last replayed transaction while newer WAL waits: keep writing until it shows.
      await expect
        .poll(
          async () => {
            await checkpoints([++tx, 1], [tx, 1]);
            await reads.probe();
            return reads.status()[0]!.state;
          },
          { timeout: 30_000 },
        )
        .toBe('lagging');
      expect(reads.status()[0]!.lagSeconds).toBeGreaterThan(0.2);
      expect((await reads.readerFor(null)).target).toBe('primary');
      expect(fallbacks(reads, 'no-replica')).toBe(1);
    } finally {
      await pair.replica.resumeReplay();
    }
    await pair.waitForReplica();
    await reads.probe();
    expect(reads.status()[0]).toMatchObject({ state: 'in-rotation', lagSeconds: 0 });
    expect((await reads.readerFor(null)).target).toBe('replica-1');
  });

  it("sends a read with a position to the primary once the primary's read models have it too, within the bound", async () => {
    // A replica nobody can reach: out of rotation from the first probe.
    const reads = await router({ waitMs: 60_000, urls: ['postgres://postgres@127.0.0.1:1/none'] });
    expect(reads.status()[0]!.state).toBe('down');
    await checkpoints([500, 1], [500, 1]);
    let resolved = false;
    const pending = reads.readerFor(at(500, 2)).then((handle) => {
      resolved = true;
      return handle;
    });
    // Several round trips later it still waits for the projector (here: for the test) to get that far.
    for (let i = 0; i < 5; i++) await primary`select pg_sleep(0.01)`;
    expect(resolved).toBe(false);
    await checkpoints([500, 2], [500, 3]);
    expect((await pending).target).toBe('primary');
    expect(fallbacks(reads, 'no-replica')).toBe(1);
    // Without a position: at once.
    expect((await reads.readerFor(null)).target).toBe('primary');
  });

  it('runs a read again on the primary when its replica stops, and keeps the replica out until a probe answers', async () => {
    const reads = await router({ waitMs: 50 });
    const ran: string[] = [];
    const count = (handle: { target: string; sql: postgres.Sql }) =>
      handle.sql<{ n: number }[]>`select count(*)::int as n from projection_checkpoints`.then((rows) => {
        ran.push(handle.target);
        return rows[0]!.n;
      });
    expect(await reads.read(null, count)).toBeGreaterThanOrEqual(2);
    expect(ran).toEqual(['replica-1']);
    await pair.replica.stop();
    try {
      expect(await reads.read(null, count)).toBeGreaterThanOrEqual(2);
      expect(ran).toEqual(['replica-1', 'primary']);
      expect(fallbacks(reads, 'failed')).toBe(1);
      expect(reads.status()[0]!.state).toBe('down');
      expect((await reads.readerFor(null)).target).toBe('primary');
      expect(fallbacks(reads, 'no-replica')).toBe(1);
    } finally {
      await pair.replica.start();
    }
    await expect
      .poll(async () => {
        await reads.probe();
        return reads.status()[0]!.state;
      })
      .toBe('in-rotation');
    expect((await reads.readerFor(null)).target).toBe('replica-1');
  });
});
