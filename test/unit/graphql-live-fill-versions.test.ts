import { describe, expect, it } from 'vitest';
import type { GlobalCheckpoint } from '../../src/event-store/index.ts';
import { createChangeSubscription } from '../../src/graphql/live/change-subscription.ts';
import { createRequestWatch } from '../../src/graphql/live/request-watch.ts';
import type { LiveChange } from '../../src/graphql/live/types.ts';
import type { VmRequestView } from '../../src/graphql/views/vm-request.ts';

const at = (position: number): GlobalCheckpoint => ({ transactionId: BigInt(position), position: BigInt(position) });

const change = (id: string, position: number, version: number, status: VmRequestView['status'] = 'PROVISIONING'): LiveChange => ({
  view: { id, status, version, tenantId: 'acme', requesterId: 'alice' } as VmRequestView,
  checkpoint: at(position),
  cursor: String(position),
});

/** A row change whose earlier versions the feed rebuilt (fill-versions.ts): each carries the ones before it. */
const batched = (id: string, positions: number[], firstVersion: number): LiveChange[] => {
  const versions = positions.map((position, i) => change(id, position, firstVersion + i, i === positions.length - 1 ? 'READY' : 'PROVISIONING'));
  versions.forEach((version, i) => {
    if (i > 0) version.earlier = versions.slice(0, i);
  });
  return versions;
};

const drain = async <T>(iterator: AsyncIterableIterator<T>, count: number): Promise<T[]> => {
  const seen: T[] = [];
  for (let i = 0; i < count; i++) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
  }
  return seen;
};

describe('versions rebuilt from one projector batch', () => {
  it('reach a watcher that was not reading when they arrived, in order, then it completes', async () => {
    const { subscriber, live } = createRequestWatch(() => true, () => {});
    subscriber.deliver(change('a', 1, 1, 'APPROVED'));
    expect((await live.iterator.next()).value?.version).toBe(1);
    // Delivered back to back, as the feed fans out a page: the watcher holds only the latest, which carries the rest.
    for (const version of batched('a', [2, 3, 4], 2)) subscriber.deliver(version);
    const states = await drain(live.iterator, 5);
    expect(states.map((view) => view.version)).toEqual([2, 3, 4]);
    expect((await live.iterator.next()).done).toBe(true);
  });

  it('reach a change-feed subscriber in cursor order, each once, among other requests', async () => {
    const { subscriber, live } = createChangeSubscription({
      accepts: () => true,
      readPage: async () => [],
      start: at(0),
      replay: false,
      capacity: 10,
      pageSize: 10,
      onClose: () => {},
    });
    const [a2, a4, a6] = batched('a', [2, 4, 6], 2);
    // The feed's order: a rebuilt version of `a`, another request, then `a`'s row.
    for (const next of [a2!, change('b', 3, 1), a4!, change('c', 5, 1), a6!]) subscriber.deliver(next);
    const seen = await drain(live.iterator, 5);
    expect(seen.map((c) => `${c.view.id}@${c.cursor}`)).toEqual(['a@2', 'b@3', 'a@4', 'c@5', 'a@6']);
  });
});
