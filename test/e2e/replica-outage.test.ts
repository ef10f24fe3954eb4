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

// Replica outage drill: under load (mutations and queries from several clients, graphql-ws subscribers), the
// replica is stopped (`pg_ctl stop -m fast`) for a while and started again. Every query answers meanwhile (from the
// primary), /ready reports the replica out of rotation but stays ready, and once the replica is back it is in
// rotation again and serves reads. Nothing is lost or doubled, subscribers miss nothing.

const LOAD_BEFORE_MS = 3_000;
const OUTAGE_MS = 6_000;
const LOAD_AFTER_MS = 4_000;

let drill: Drill | null = null;
afterAll(async () => {
  await drill?.close();
});

describe.skipIf(skipReplicaDrill('replica outage drill'))('replica outage drill: the replica stopped under load', () => {
  it('answers every query from the primary while the replica is down, and puts the replica back in rotation when it returns', async () => {
    drill = await openDrill('replica outage drill');
    const d = drill;
    await waitFor('the replica in rotation', async () => replicaInRotation((await d.ready()).body) === true);

    // From the cursor of now: a subscription still connecting when the marker is made would miss it with no `since`.
    const since = (await d.post('bob', '{ liveCursor }')).body?.data?.liveCursor as string;
    expect(since, 'the live cursor').toBeTypeOf('string');
    const subscribers = [d.subscribe('outage-0', since), d.subscribe('outage-1', since)];
    const marker = await d.createRequest('alice', 'outage-marker');
    const markerId = idOf(marker.id, 'VmRequest')!;
    await waitFor('the marker at every subscriber', async () => subscribers.every((s) => s.order.has(markerId)));

    const load = d.startLoad({ creators: ['alice', 'carol'], intervalMs: 300 });
    const readers = d.startReaders({ readers: ['alice', 'bob', 'carol'], intervalMs: 50 });
    const ready = d.sampleReady(200);
    await sleep(LOAD_BEFORE_MS);

    // --- replica down ---------------------------------------------------------------------------------------------
    const stoppingAt = Date.now();
    await d.pair.replica.stop();
    const stoppedAt = Date.now();
    const outOfRotationAt = await waitFor('/ready to show the replica out of rotation', async () =>
      replicaInRotation((await d.ready()).body) === false ? Date.now() : null,
    );
    const readsOnPrimaryBefore = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.primary);
    await sleep(OUTAGE_MS);
    const readsOnPrimaryDuring = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.primary) - readsOnPrimaryBefore;

    // --- replica back ---------------------------------------------------------------------------------------------
    const startingAt = Date.now();
    await d.pair.replica.start();
    const startedAt = Date.now();
    const backInRotationAt = await waitFor('/ready to show the replica in rotation again', async () =>
      replicaInRotation((await d.ready()).body) === true ? Date.now() : null,
    );
    const replicaReadsBack = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica);
    await sleep(LOAD_AFTER_MS);
    const replicaReadsAfter = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica);

    await readers.stop();
    await load.stop();
    await ready.stop();

    // --- afterwards -----------------------------------------------------------------------------------------------
    const answers = readers.samples;
    const failed = answers.filter((a) => a.status !== 200 || a.body?.errors);
    const duringOutage = answers.filter((a) => a.sentAt >= stoppedAt && a.sentAt < startingAt);
    const latencies = duringOutage.map((a) => a.answeredAt - a.sentAt).sort((a, b) => a - b);
    console.log(
      `[replica outage drill] ${answers.length} queries (${duringOutage.length} while the replica was down, answered in ` +
        `p50 ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms; ${readsOnPrimaryDuring} reads on the primary then), ` +
        `${failed.length} failed; pg_ctl stop ${stoppedAt - stoppingAt} ms, out of rotation ${outOfRotationAt - stoppingAt} ms after the stop began; ` +
        `start ${startedAt - startingAt} ms, back in rotation ${backInRotationAt - startedAt} ms after it was up; ` +
        `${replicaReadsAfter - replicaReadsBack} replica reads in the ${LOAD_AFTER_MS} ms after; ` +
        `/ready: ${ready.samples.length} samples, ${ready.samples.filter((s) => s.status !== 200).length} not 200; ` +
        `${d.acknowledged.length} mutations acknowledged`,
    );
    const notReady = ready.samples.filter((s) => s.status !== 200);
    if (notReady.length > 0) {
      console.log(`[replica outage drill] /ready not 200 at (ms after the replica's stop began): ${JSON.stringify(notReady.map((s) => ({ at: s.at - stoppingAt, status: s.status, body: s.body })))}`);
    }
    if (failed.length > 0) console.log(`[replica outage drill] failed queries: ${JSON.stringify(failed.slice(0, 5).map((a) => ({ at: a.sentAt - stoppingAt, status: a.status, body: a.body })))}`);
    expect(failed.slice(0, 3)).toEqual([]);
    expect(duringOutage.length).toBeGreaterThan(20);
    expect(readsOnPrimaryDuring).toBeGreaterThan(0);
    // A replica outage costs capacity, not readiness: the primary serves.
    expect(notReady.map((s) => ({ status: s.status, body: s.body }))).toEqual([]);
    // The replica served reads again once back.
    expect(replicaReadsAfter).toBeGreaterThan(replicaReadsBack);

    await waitForProvisioningToFinish(d, load.approvedIds);
    const createdIds = [markerId, ...load.createdIds];
    await expectNothingLostOrDoubled(d, createdIds);
    await expectEveryVersionOnceInOrder(d, subscribers, createdIds, 'replica outage drill');
    await expectReadModelsConsistent(d);
    expect(d.server.child.exitCode).toBeNull();
  }, 600_000);
});
