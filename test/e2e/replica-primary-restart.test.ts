import { afterAll, describe, expect, it } from 'vitest';
import { idOf } from '../../src/graphql/ids.ts';
import {
  type Drill,
  expectEveryVersionOnceInOrder,
  expectNothingLostOrDoubled,
  expectReadModelsConsistent,
  openDrill,
  REPLICA_READS,
  replicaInRotation,
  skipReplicaDrill,
  sleep,
  sumOf,
  waitFor,
  waitForProvisioningToFinish,
} from './replica-drill.ts';

// Primary restart drill: under load (mutations from three clients over HTTP, queries, graphql-ws subscribers), the
// primary is stopped (`pg_ctl stop -m fast`), left down a few seconds and started again, twice, while the replica
// stays up. The API recovers; each acknowledged command has exactly one event and no drill event lacks one; the read
// models on the primary equal a rebuild and the replica holds the same rows; subscribers miss nothing; the replica
// follows the primary again and serves reads.

const RESTARTS = 2;
const LOAD_BEFORE_MS = 3_000;
const OUTAGE_MS = 3_000;
const LOAD_AFTER_MS = 4_000;

let drill: Drill | null = null;
afterAll(async () => {
  await drill?.close();
});

interface Restart {
  /** What /ready said last before it answered 200 again. */
  lastNotReady: unknown;
  stoppingAt: number;
  stoppedAt: number;
  startingAt: number;
  startedAt: number;
  firstAckAt: number | null;
  readyAgainAt: number | null;
}

describe.skipIf(skipReplicaDrill('primary restart drill'))('primary restart drill: the primary restarted under load, the replica up', () => {
  it('recovers, loses and doubles nothing, and keeps primary, replica and subscribers consistent', async () => {
    drill = await openDrill('primary restart drill');
    const d = drill;
    await waitFor('the replica in rotation', async () => replicaInRotation((await d.ready()).body) === true);

    // From the cursor of now: a subscription still connecting when the marker is made would miss it with no `since`.
    const since = (await d.post('bob', '{ liveCursor }')).body?.data?.liveCursor as string;
    expect(since, 'the live cursor').toBeTypeOf('string');
    const subscribers = [d.subscribe('restart-0', since), d.subscribe('restart-1', since)];
    const marker = await d.createRequest('alice', 'restart-marker');
    const markerId = idOf(marker.id, 'VmRequest')!;
    await waitFor('the marker at every subscriber', async () => subscribers.every((s) => s.order.has(markerId)));
    const startCursor = subscribers[0]!.lastCursor;

    const load = d.startLoad({ creators: ['alice', 'carol', 'erin'], intervalMs: 400 });
    const readers = d.startReaders({ readers: ['alice', 'bob'], intervalMs: 50 });
    const ready = d.sampleReady(200);

    const restarts: Restart[] = [];
    for (let round = 0; round < RESTARTS; round++) {
      await sleep(LOAD_BEFORE_MS);
      const restart: Restart = { lastNotReady: null, stoppingAt: Date.now(), stoppedAt: 0, startingAt: 0, startedAt: 0, firstAckAt: null, readyAgainAt: null };
      restarts.push(restart);
      await d.pair.primary.stop();
      restart.stoppedAt = Date.now();
      await sleep(OUTAGE_MS);
      restart.startingAt = Date.now();
      const acknowledgedBefore = d.acknowledged.length;
      await d.pair.primary.start();
      restart.startedAt = Date.now();
      restart.firstAckAt = await waitFor('a mutation acknowledged after the restart', async () =>
        d.acknowledged.length > acknowledgedBefore ? Date.now() : null,
      ).catch(() => null);
      restart.readyAgainAt = await waitFor('/ready 200 after the restart', async () => {
        const answer = await d.ready();
        if (answer.status !== 200) restart.lastNotReady = answer.body;
        return answer.status === 200 ? Date.now() : null;
      }).catch(() => null);
    }

    // Subscribers that join after the restarts replay everything since the marker, then go live.
    const newcomer = d.subscribe('restart-new', startCursor);
    await sleep(LOAD_AFTER_MS);
    await readers.stop();
    await load.stop();
    await ready.stop();

    // --- afterwards -----------------------------------------------------------------------------------------------
    const answers = readers.samples;
    const byRestart = restarts.map((r) => answers.filter((a) => a.sentAt >= r.stoppedAt && a.sentAt < r.startingAt));
    for (const [i, r] of restarts.entries()) {
      const during = byRestart[i]!;
      const statuses = new Map<string, number>();
      for (const a of during) statuses.set(`${a.status}${a.code ? ` ${a.code}` : ''}`, (statuses.get(`${a.status}${a.code ? ` ${a.code}` : ''}`) ?? 0) + 1);
      console.log(
        `[primary restart drill] restart ${i + 1}: pg_ctl stop ${r.stoppedAt - r.stoppingAt} ms, start ${r.startedAt - r.startingAt} ms; ` +
          `queries while the primary was down: ${JSON.stringify(Object.fromEntries(statuses))}; ` +
          `first mutation acknowledged ${r.firstAckAt === null ? 'never' : `${r.firstAckAt - r.startedAt} ms`} and ` +
          `/ready 200 ${r.readyAgainAt === null ? 'never' : `${r.readyAgainAt - r.startedAt} ms`} after the primary was up (last not ready: ${JSON.stringify(r.lastNotReady)})`,
      );
    }
    const afterLast = answers.filter((a) => a.sentAt > restarts.at(-1)!.readyAgainAt! + 2_000);
    console.log(
      `[primary restart drill] ${d.acknowledged.length} mutations acknowledged (${load.createdIds.length} requests created, ` +
        `${load.approvedIds.length} approved), ${answers.length} queries, ${afterLast.filter((a) => a.status !== 200 || a.body?.errors).length} ` +
        `of the ${afterLast.length} sent from 2 s after the last recovery failed`,
    );
    for (const r of restarts) {
      expect(r.firstAckAt, 'a mutation acknowledged after the restart').not.toBeNull();
      expect(r.readyAgainAt, '/ready 200 after the restart').not.toBeNull();
    }
    // Whatever was answered during an outage was a clear retryable error, never an internal one.
    const duringAll = byRestart.flat();
    for (const answer of duringAll.filter((a) => a.status !== 200 || a.body?.errors)) {
      expect({ status: answer.status, code: answer.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    }
    // Once recovered, every query answers.
    for (let i = 0; i < 20; i++) {
      const answer = await d.post('bob', 'query { vmRequests(first: 20) { edges { node { id status } } } }');
      expect({ status: answer.status, errors: answer.body?.errors ?? null }).toEqual({ status: 200, errors: null });
    }
    const finalReady = await d.ready();
    expect(finalReady.status, JSON.stringify(finalReady.body)).toBe(200);

    // The replica follows the restarted primary and serves reads again.
    await d.pair.waitForReplica(60_000);
    const [receiver] = await d.replicaSql<{ status: string }[]>`select status from pg_stat_wal_receiver`;
    expect(receiver?.status).toBe('streaming');
    await waitFor('the replica in rotation after the restarts', async () => replicaInRotation((await d.ready()).body) === true);
    const replicaReads = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica);
    await waitFor('a read on the replica', async () => {
      await d.post('bob', 'query { vmRequests(first: 5) { edges { node { id } } } }');
      return sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica) > replicaReads;
    });

    await waitForProvisioningToFinish(d, load.approvedIds);
    const createdIds = [markerId, ...load.createdIds];
    await expectNothingLostOrDoubled(d, createdIds);
    await expectEveryVersionOnceInOrder(d, subscribers, createdIds, 'primary restart drill');
    // The newcomer started after the marker.
    await expectEveryVersionOnceInOrder(d, [newcomer], load.createdIds, 'primary restart drill, joined after the restarts');
    await expectReadModelsConsistent(d);
    expect(d.server.child.exitCode).toBeNull();
    expect(d.server.output()).not.toMatch(/TypeError|uncaught/i);
  }, 600_000);
});
