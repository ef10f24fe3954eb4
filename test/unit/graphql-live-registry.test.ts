import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/domain/index.ts';
import { createRegistry } from '../../src/graphql/live/registry.ts';
import type { LiveChange, Subscriber } from '../../src/graphql/live/types.ts';
import type { VmRequestView } from '../../src/graphql/views/vm-request.ts';

const change = (id: string, position: number, requesterId = 'alice'): LiveChange => ({
  view: { id, status: 'PENDING', tenantId: 'acme', requesterId } as VmRequestView,
  checkpoint: { transactionId: BigInt(position), position: BigInt(position) },
  cursor: String(position),
});

const admin: Principal = { tenantId: 'acme', userId: 'root', roles: ['admin'] };
const alice: Principal = { tenantId: 'acme', userId: 'alice', roles: ['user'] };
const bob: Principal = { tenantId: 'acme', userId: 'bob', roles: ['user'] };

const recorder = () => {
  const seen: string[] = [];
  const subscriber: Subscriber = { deliver: (c) => seen.push(c.cursor) };
  return { seen, subscriber };
};

describe('live registry fan-out', () => {
  it('hands a change to the admins, the requester and the watchers of the request, and nobody else', () => {
    const registry = createRegistry();
    const [a, own, other, watcher, elsewhere] = [recorder(), recorder(), recorder(), recorder(), recorder()];
    registry.addFeed(admin, a.subscriber);
    registry.addFeed(alice, own.subscriber);
    registry.addFeed(bob, other.subscriber);
    registry.addWatcher(bob, 'r1', watcher.subscriber);
    registry.addWatcher(alice, 'r2', elsewhere.subscriber);
    expect(registry.fanOut(change('r1', 1))).toBeUndefined(); // small: delivered synchronously
    expect([a.seen, own.seen, other.seen, watcher.seen, elsewhere.seen]).toEqual([['1'], ['1'], [], ['1'], []]);
  });

  it('reaches every one of thousands of watchers in chunks, and the next change only after the whole first one', async () => {
    const registry = createRegistry();
    const watchers = Array.from({ length: 2_000 }, () => recorder());
    const unregister = watchers.map((w) => registry.addWatcher(alice, 'r1', w.subscriber));
    const first = registry.fanOut(change('r1', 1));
    expect(first).toBeInstanceOf(Promise);
    // Not all at once: the event loop gets a turn before the last watcher has it.
    expect(watchers.at(-1)!.seen).toEqual([]);
    // One leaving midway does not stop the others from getting it.
    unregister[1_999]!();
    await first;
    await registry.fanOut(change('r1', 2));
    expect(watchers.slice(0, 1_999).every((w) => w.seen.join() === '1,2')).toBe(true);
    expect(watchers[1_999]!.seen).toEqual([]);
    expect(registry.count()).toBe(1_999);
  });
});
