import { describe, expect, it } from 'vitest';
import type { GlobalCheckpoint } from '../../src/event-store/index.ts';
import { createChangeBuffer } from '../../src/live/buffer.ts';
import { createChangeStream, type ChangeStreamOptions } from '../../src/live/change-stream.ts';
import type { Change } from '../../src/live/types.ts';

interface Version extends Change {
  id: string;
  status: string;
}

const at = (position: number): GlobalCheckpoint => ({ transactionId: BigInt(position), position: BigInt(position) });

const version = (id: string, position: number, status = 'PENDING'): Version => ({
  tenantId: 'acme',
  id,
  status,
  checkpoint: at(position),
  cursor: String(position),
});

/** The versions table as a list: what a catch-up page returns. Records every read. */
const versionsTable = (rows: Version[]) => {
  const reads: string[] = [];
  const readPage = async (after: GlobalCheckpoint, limit: number) => {
    reads.push(after.position.toString());
    return rows.filter((row) => row.checkpoint.position > after.position).slice(0, limit);
  };
  return { readPage, reads };
};

const drain = async (iterator: AsyncIterableIterator<string>, count: number): Promise<string[]> => {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
  }
  return seen;
};

const stream = (options: Partial<ChangeStreamOptions<Version, string>> = {}) =>
  createChangeStream<Version, string>({
    accepts: () => true,
    readPage: versionsTable([]).readPage,
    start: at(0),
    replay: false,
    capacity: 3,
    pageSize: 2,
    emit: (v) => `${v.id}@${v.cursor}`,
    onClose: () => {},
    ...options,
  });

describe('a change stream', () => {
  it('delivers live versions in order, each once, dropping what is not newer than the last delivered', async () => {
    const { subscriber, live } = stream();
    subscriber.deliver(version('a', 1));
    subscriber.deliver(version('b', 2));
    subscriber.deliver(version('a', 1));
    expect(await drain(live.iterator, 2)).toEqual(['a@1', 'b@2']);
    subscriber.deliver(version('b', 2));
    subscriber.deliver(version('c', 3));
    expect(await drain(live.iterator, 1)).toEqual(['c@3']);
  });

  it('keeps every version of a request for a consumer that is not reading (none collapses into a later one)', async () => {
    const { subscriber, live } = stream();
    subscriber.deliver(version('a', 1));
    subscriber.deliver(version('b', 2));
    subscriber.deliver(version('a', 3));
    expect(await drain(live.iterator, 3)).toEqual(['a@1', 'b@2', 'a@3']);
  });

  it('reads on from the versions when its buffer overflows, at its own pace, and misses nothing', async () => {
    const rows = [1, 2, 3, 4, 5, 6, 7].map((p) => version(p % 2 ? 'a' : 'b', p));
    const table = versionsTable(rows);
    const changes = stream({ readPage: table.readPage });
    const { subscriber, live } = changes;
    for (const row of rows) subscriber.deliver(row);
    // Overflowed at the fourth: it holds nothing live and reads pages of two instead.
    expect(changes.buffered()).toBe(0);
    expect(await drain(live.iterator, 7)).toEqual(rows.map((r) => `${r.id}@${r.cursor}`));
    expect(table.reads).toEqual(['0', '2', '4', '6']);
    subscriber.deliver(version('c', 8));
    expect(await drain(live.iterator, 1)).toEqual(['c@8']);
  });

  it('replays after `since`, then goes live without repeating what the replay gave', async () => {
    const rows = [version('a', 1), version('b', 2), version('c', 3)];
    const { subscriber, live } = stream({ readPage: versionsTable(rows).readPage, start: at(1), replay: true, pageSize: 10 });
    const first = live.iterator.next();
    // Arrives while the replay page is being read: buffered, then dropped as already replayed.
    subscriber.deliver(version('c', 3));
    subscriber.deliver(version('d', 4));
    expect((await first).value).toBe('b@2');
    expect(await drain(live.iterator, 2)).toEqual(['c@3', 'd@4']);
  });

  it('ignores versions it does not accept', async () => {
    const { subscriber, live } = stream({ accepts: (v) => v.id !== 'hidden' });
    subscriber.deliver(version('hidden', 1));
    subscriber.deliver(version('shown', 2));
    expect(await drain(live.iterator, 1)).toEqual(['shown@2']);
  });

  it('resumes from a current state read after subscribing: that state first, then only newer versions', async () => {
    const s = stream();
    s.subscriber.deliver(version('a', 2));
    s.subscriber.deliver(version('a', 4));
    s.resumeFrom(version('a', 3, 'APPROVED'));
    expect(await drain(s.live.iterator, 2)).toEqual(['a@3', 'a@4']);
  });

  it('completes after a version it finishes on', async () => {
    const { subscriber, live } = stream({ finishesAfter: (v) => v.status === 'READY' });
    subscriber.deliver(version('a', 1, 'PROVISIONING'));
    subscriber.deliver(version('a', 2, 'READY'));
    subscriber.deliver(version('a', 3, 'AFTER'));
    expect(await drain(live.iterator, 5)).toEqual(['a@1', 'a@2']);
    expect((await live.iterator.next()).done).toBe(true);
  });

  it('ends when closed, also while waiting', async () => {
    let closed = 0;
    const { live } = stream({ onClose: () => closed++ });
    const waiting = live.iterator.next();
    await live.iterator.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });
});

describe('a change buffer', () => {
  it('is first in, first out, and refuses past its capacity', () => {
    const buffer = createChangeBuffer<number>(3);
    expect([buffer.push(1), buffer.push(2), buffer.push(3), buffer.push(4)]).toEqual([true, true, true, false]);
    expect(buffer.shift()).toBe(1);
    expect(buffer.push(5)).toBe(true);
    expect([buffer.shift(), buffer.shift(), buffer.shift(), buffer.shift()]).toEqual([2, 3, 5, undefined]);
    buffer.push(6);
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(buffer.shift()).toBeUndefined();
  });

  it('keeps its order and its capacity while entries are taken from the front and added at the back', () => {
    const buffer = createChangeBuffer<number>(100);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 20; round++) {
      while (buffer.push(next)) next++;
      expect(buffer.size).toBe(100);
      for (let i = 0; i < 37 + round; i++) expect(buffer.shift()).toBe(expected++);
    }
    while (buffer.size > 0) expect(buffer.shift()).toBe(expected++);
    expect(expected).toBe(next);
  });
});
