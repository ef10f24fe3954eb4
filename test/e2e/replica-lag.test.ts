import { afterAll, describe, expect, it } from 'vitest';
import { idOf } from '../../src/graphql/ids.ts';
import {
  APPROVE,
  type Drill,
  expectEveryVersionOnceInOrder,
  expectNothingLostOrDoubled,
  expectReadModelsConsistent,
  FALLBACKS,
  openDrill,
  type MetricSample,
  REPLICA_READS,
  replicaInRotation,
  REQUEST,
  skipReplicaDrill,
  sumOf,
  waitFor,
  waitForProvisioningToFinish,
} from './replica-drill.ts';

// Replica lag drill: the real server reads from a streaming replica whose replay is paused
// (pg_wal_replay_pause()). A caller's query right after its own mutation still shows the write (the replica cannot
// have it, so it came from the primary), first while the replica is in rotation (after the bounded wait), then once
// its lag took it out of rotation; the fallbacks are counted in /metrics, /ready and /metrics show the lag and /ready
// stays 200. When replay resumes, reads go back to the replica. Subscribers miss nothing throughout.

const ROUNDS = 6;

let drill: Drill | null = null;
afterAll(async () => {
  await drill?.close();
});

describe.skipIf(skipReplicaDrill('replica lag drill'))('replica lag drill: replay paused on the replica', () => {
  it('shows each caller its own writes from the primary while the replica lags, and reads from the replica again once it catches up', async () => {
    drill = await openDrill('replica lag drill');
    const d = drill;

    // Reads go to the replica to begin with.
    const replicaReadsAtStart = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica);
    await waitFor('queries to be read on the replica', async () => {
      await d.post('bob', 'query { vmRequests(first: 5) { edges { node { id } } } }');
      return sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica) > replicaReadsAtStart;
    });

    // From the cursor of now: a subscription still connecting when the marker is made would miss it with no `since`.
    const since = (await d.post('bob', '{ liveCursor }')).body?.data?.liveCursor as string;
    expect(since, 'the live cursor').toBeTypeOf('string');
    const subscribers = [d.subscribe('lag-0', since), d.subscribe('lag-1', since)];
    const marker = await d.createRequest('alice', 'lag-marker');
    const markerId = idOf(marker.id, 'VmRequest')!;
    await waitFor('the marker at every subscriber', async () => subscribers.every((s) => s.order.has(markerId)));
    const createdIds: string[] = [markerId];
    const approvedIds: string[] = [];

    // --- replay paused ---------------------------------------------------------------------------------------------
    // Two stages: while the replica is still in rotation (its lag under READ_REPLICA_MAX_LAG_MS), an own-write read
    // waits for it (bounded) and then reads the primary; once it lags beyond the bound, it is out of rotation and
    // reads go to the primary at once. A caller must see their own write in both.
    const ownReads: OwnRead[] = [];
    const rounds = async (stage: string) => {
      for (let round = 0; round < ROUNDS; round++) {
        const created = await d.createRequest('alice', `lag-${stage.replaceAll(" ", "-")}-${round}`);
        const id = idOf(created.id, 'VmRequest')!;
        createdIds.push(id);
        let answer = await d.post('alice', REQUEST, { id: created.id });
        ownReads.push({
          what: `${stage}: create ${round}`,
          version: answer.body?.data?.['vmRequest']?.version ?? null,
          expected: created.version,
          onReplica: await versionOnReplica(d, id),
          ms: answer.answeredAt - answer.sentAt,
        });
        const approved = await d.mutate('bob', 'ApproveVmRequest', APPROVE, (key) => ({ input: { id: created.id, expectedVersion: 1, idempotencyKey: key } }), 'approveVmRequest');
        approvedIds.push(id);
        answer = await d.post('bob', REQUEST, { id: created.id });
        ownReads.push({
          what: `${stage}: approve ${round}`,
          version: answer.body?.data?.['vmRequest']?.version ?? null,
          expected: approved['vmRequest'].version,
          onReplica: await versionOnReplica(d, id),
          ms: answer.answeredAt - answer.sentAt,
        });
      }
    };
    const fallbackReasons = (samples: MetricSample[]) =>
      Object.fromEntries(samples.filter((s) => s.name === FALLBACKS.name).map((s) => [s.labels['reason'], s.value]));

    const before = await d.metrics();
    await d.pair.replica.pauseReplay();
    await rounds('in rotation');
    const afterFirst = await d.metrics();

    // /ready and /metrics show the lag (as of the router's last probe), and take the replica out of rotation.
    await expect.poll(async () => (await d.ready()).body?.checks?.['replica-1']?.lagSeconds ?? 0).toBeGreaterThan(0);
    await expect.poll(async () => sumOf(await d.metrics(), 'dvmm_read_replica_lag_seconds', { replica: 'replica-1' })).toBeGreaterThan(0);
    await waitFor('the lagging replica out of rotation', async () => replicaInRotation((await d.ready()).body) === false);
    const readyWhileLagging = await d.ready();
    const outOfRotation = await d.metrics();
    await rounds('out of rotation');
    const during = await d.metrics();
    const lagBytes = await d.pair.replica.lagBytes();

    const firstFallbacks = sumOf(afterFirst, FALLBACKS.name) - sumOf(before, FALLBACKS.name);
    const secondNoReplica = sumOf(during, FALLBACKS.name, { reason: 'no-replica' }) - sumOf(outOfRotation, FALLBACKS.name, { reason: 'no-replica' });
    console.log(
      `[replica lag drill] replay paused: own-write follow-up queries answered in ` +
        `${ownReads.map((r) => r.ms).join(', ')} ms; fallbacks by reason after the stage in rotation ` +
        `${JSON.stringify(fallbackReasons(afterFirst))}, after the stage out of rotation ${JSON.stringify(fallbackReasons(during))}; ` +
        `replica ${lagBytes} bytes behind, ${sumOf(during, 'dvmm_read_replica_lag_seconds', { replica: 'replica-1' })} s on /metrics ` +
        `(in rotation: ${sumOf(during, 'dvmm_read_replica_in_rotation', { replica: 'replica-1' })}); /ready ${readyWhileLagging.status} ${JSON.stringify(readyWhileLagging.body)}`,
    );

    const stale = ownReads.filter((read) => (read.version ?? 0) < read.expected);
    if (stale.length > 0) console.log(`[replica lag drill] follow-up queries that missed the caller's own write: ${JSON.stringify(stale)}`);
    // Each follow-up query showed the caller's write, which the replica did not have: it came from the primary.
    for (const read of ownReads) {
      expect(read.onReplica === null || read.onReplica < read.expected, `the paused replica lacks the ${read.what}`).toBe(true);
      // Soft: the rest of the drill (resume, subscribers, read models) still runs and reports.
      expect.soft({ what: read.what, atLeast: (read.version ?? 0) >= read.expected }).toEqual({ what: read.what, atLeast: true });
    }
    expect(lagBytes).toBeGreaterThan(0);
    expect(firstFallbacks).toBeGreaterThanOrEqual(2 * ROUNDS);
    expect(secondNoReplica).toBeGreaterThanOrEqual(2 * ROUNDS);
    // Lagging is no reason to stop serving: the primary answers.
    expect(readyWhileLagging.status).toBe(200);

    // --- replay resumed -------------------------------------------------------------------------------------------
    const resumedAt = Date.now();
    await d.pair.replica.resumeReplay();
    await d.pair.waitForReplica();
    const replicaReadsBefore = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica);
    let backAt = 0;
    await waitFor('reads to go to the replica again', async () => {
      await d.post('bob', 'query { vmRequests(first: 5) { edges { node { id } } } }');
      const grown = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica) > replicaReadsBefore;
      if (grown) backAt = Date.now();
      return grown;
    });
    // A caller's own write, now that the replica keeps up, is read there without a fallback.
    const fallbacksBefore = sumOf(await d.metrics(), FALLBACKS.name);
    const readsBefore = sumOf(await d.metrics(), REPLICA_READS.name, REPLICA_READS.replica);
    const late = await d.createRequest('alice', 'lag-after');
    createdIds.push(idOf(late.id, 'VmRequest')!);
    const lateAnswer = await d.post('alice', REQUEST, { id: late.id });
    expect(lateAnswer.body?.data?.['vmRequest']?.version).toBe(late.version);
    const after = await d.metrics();
    console.log(
      `[replica lag drill] replay resumed: reads on the replica again ${backAt - resumedAt} ms later; ` +
        `an own-write read afterwards: ${sumOf(after, FALLBACKS.name) - fallbacksBefore} fallbacks, ` +
        `${sumOf(after, REPLICA_READS.name, REPLICA_READS.replica) - readsBefore} replica reads`,
    );
    expect(sumOf(after, REPLICA_READS.name, REPLICA_READS.replica)).toBeGreaterThan(readsBefore);

    // --- afterwards -----------------------------------------------------------------------------------------------
    await waitForProvisioningToFinish(d, approvedIds);
    await expectNothingLostOrDoubled(d, createdIds);
    await expectEveryVersionOnceInOrder(d, subscribers, createdIds, 'replica lag drill');
    await expectReadModelsConsistent(d);
    expect(d.server.child.exitCode).toBeNull();
  }, 600_000);
});

interface OwnRead {
  what: string;
  version: number | null;
  expected: number;
  onReplica: number | null;
  ms: number;
}

async function versionOnReplica(d: Drill, id: string): Promise<number | null> {
  const [row] = await d.replicaSql<{ version: number }[]>`select version from vm_requests where id = ${id}`;
  return row?.version ?? null;
}
