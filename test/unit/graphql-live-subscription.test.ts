import { describe, expect, it } from 'vitest';
import type { GlobalCheckpoint } from '../../src/event-store/index.ts';
import { createChangeSubscription } from '../../src/graphql/live/change-subscription.ts';
import { createRequestWatch } from '../../src/graphql/live/request-watch.ts';
import type { LiveChange } from '../../src/graphql/live/types.ts';
import type { VmRequestView } from '../../src/graphql/views/vm-request.ts';

const at = (position: number): GlobalCheckpoint => ({ transactionId: BigInt(position), position: BigInt(position) });

const change = (id: string, position: number, status: VmRequestView['status'] = 'PENDING'): LiveChange => ({
  view: { id, status, tenantId: 'acme', requesterId: 'alice' } as VmRequestView,
  checkpoint: at(position),
  cursor: String(position),
});

/** The read model as a list of latest states: what a replay page returns. */
const readModel = (rows: LiveChange[]) => async (after: GlobalCheckpoint, limit: number) =>
  rows.filter((row) => row.checkpoint.position > after.position).slice(0, limit);

const drain = async (iterator: AsyncIterableIterator<LiveChange>, count: number): Promise<string[]> => {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(`${next.value.view.id}@${next.value.cursor}`);
  }
  return seen;
};

const subscription = (options: Partial<Parameters<typeof createChangeSubscription>[0]> = {}) =>
  createChangeSubscription({
    accepts: () => true,
    readPage: readModel([]),
    start: at(0),
    replay: false,
    capacity: 3,
    pageSize: 2,
    onClose: () => {},
    ...options,
  });

describe('a change-feed subscriber', () => {
  it('delivers live changes in order, each once, dropping what is not newer than the last delivered', async () => {
    const { subscriber, live } = subscription();
    subscriber.deliver(change('a', 1));
    subscriber.deliver(change('b', 2));
    subscriber.deliver(change('a', 1));
    expect(await drain(live.iterator, 2)).toEqual(['a@1', 'b@2']);
    subscriber.deliver(change('b', 2));
    subscriber.deliver(change('c', 3));
    expect(await drain(live.iterator, 1)).toEqual(['c@3']);
  });

  it('keeps only the latest state of a request for a consumer that is not reading', async () => {
    const { subscriber, live } = subscription();
    subscriber.deliver(change('a', 1));
    subscriber.deliver(change('b', 2));
    subscriber.deliver(change('a', 3));
    expect(await drain(live.iterator, 2)).toEqual(['b@2', 'a@3']);
  });

  it('falls back to the read model when its mailbox overflows, and misses nothing', async () => {
    const rows = [change('a', 1), change('b', 2), change('c', 3), change('d', 4), change('e', 5)];
    const { subscriber, live } = subscription({ readPage: readModel(rows) });
    for (const row of rows) subscriber.deliver(row);
    expect(await drain(live.iterator, 5)).toEqual(['a@1', 'b@2', 'c@3', 'd@4', 'e@5']);
    subscriber.deliver(change('f', 6));
    expect(await drain(live.iterator, 1)).toEqual(['f@6']);
  });

  it('replays after `since`, then goes live without repeating what the replay gave', async () => {
    const rows = [change('a', 1), change('b', 2), change('c', 3)];
    const { subscriber, live } = subscription({ readPage: readModel(rows), start: at(1), replay: true, pageSize: 10 });
    const first = live.iterator.next();
    // Arrives while the replay page is being read: buffered, then dropped as already replayed.
    subscriber.deliver(change('c', 3));
    subscriber.deliver(change('d', 4));
    expect((await first).value?.cursor).toBe('2');
    expect(await drain(live.iterator, 2)).toEqual(['c@3', 'd@4']);
  });

  it('ignores changes it does not accept', async () => {
    const { subscriber, live } = subscription({ accepts: (c) => c.view.id !== 'hidden' });
    subscriber.deliver(change('hidden', 1));
    subscriber.deliver(change('shown', 2));
    expect(await drain(live.iterator, 1)).toEqual(['shown@2']);
  });

  it('ends when closed, also while waiting', async () => {
    let closed = 0;
    const { live } = subscription({ onClose: () => closed++ });
    const waiting = live.iterator.next();
    await live.iterator.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });
});

describe('a single-request watcher', () => {
  it('delivers newer states only and completes after a terminal one', async () => {
    const { subscriber, live } = createRequestWatch(() => true, () => {});
    subscriber.deliver(change('a', 2));
    subscriber.deliver(change('a', 1));
    expect((await live.iterator.next()).value?.status).toBe('PENDING');
    subscriber.deliver(change('a', 3, 'APPROVED'));
    subscriber.deliver(change('a', 4, 'REJECTED'));
    // A slow consumer skips APPROVED: only the latest state is held.
    expect((await live.iterator.next()).value?.status).toBe('REJECTED');
    expect((await live.iterator.next()).done).toBe(true);
  });
});
