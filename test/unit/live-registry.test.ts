import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/live/registry.ts';
import type { Change, Subscriber } from '../../src/live/types.ts';

const change = (tenantId: string, position: number): Change => ({
  tenantId,
  checkpoint: { transactionId: BigInt(position), position: BigInt(position) },
  cursor: String(position),
});

const recorder = () => {
  const seen: string[] = [];
  const subscriber: Subscriber<Change> = { deliver: (c) => seen.push(c.cursor) };
  return { seen, subscriber };
};

describe('live registry fan-out', () => {
  it("hands a change to the subscribers of the routes it names in its tenant, and nobody else", () => {
    const registry = createRegistry<Change>();
    const [all, own, other, watcher, otherTenant] = [recorder(), recorder(), recorder(), recorder(), recorder()];
    registry.add('acme', 'all', all.subscriber);
    registry.add('acme', 'requester:alice', own.subscriber);
    registry.add('acme', 'requester:bob', other.subscriber);
    registry.add('acme', 'request:r1', watcher.subscriber);
    registry.add('globex', 'all', otherTenant.subscriber);
    expect(registry.fanOut(change('acme', 1), ['all', 'requester:alice', 'request:r1'])).toBeUndefined(); // small: synchronous
    expect([all.seen, own.seen, other.seen, watcher.seen, otherTenant.seen]).toEqual([['1'], ['1'], [], ['1'], []]);
  });

  it('forgets a tenant when its last subscriber leaves, and counts subscribers', () => {
    const registry = createRegistry<Change>();
    const leave = [registry.add('acme', 'all', recorder().subscriber), registry.add('acme', 'request:r1', recorder().subscriber)];
    expect(registry.count()).toBe(2);
    expect(registry.tenants()).toEqual(['acme']);
    leave[0]!();
    leave[0]!(); // twice is once
    expect(registry.count()).toBe(1);
    expect(registry.hasTenant('acme')).toBe(true);
    leave[1]!();
    expect(registry.hasTenant('acme')).toBe(false);
    expect(registry.count()).toBe(0);
  });

  it('reaches every one of thousands of subscribers in chunks, and the next change only after the whole first one', async () => {
    const registry = createRegistry<Change>();
    const watchers = Array.from({ length: 2_000 }, () => recorder());
    const unregister = watchers.map((w) => registry.add('acme', 'request:r1', w.subscriber));
    const first = registry.fanOut(change('acme', 1), ['request:r1']);
    expect(first).toBeInstanceOf(Promise);
    // Not all at once: the event loop gets a turn before the last watcher has it.
    expect(watchers.at(-1)!.seen).toEqual([]);
    // One leaving midway does not stop the others from getting it.
    unregister[1_999]!();
    await first;
    await registry.fanOut(change('acme', 2), ['request:r1']);
    expect(watchers.slice(0, 1_999).every((w) => w.seen.join() === '1,2')).toBe(true);
    expect(watchers[1_999]!.seen).toEqual([]);
    expect(registry.count()).toBe(1_999);
  });
});
