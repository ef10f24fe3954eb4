import { describe, expect, it } from 'vitest';
import { callerKey, createCallerPositions } from '../../src/http/read-routing/caller-positions.ts';

const at = (transactionId: number, position: number) => ({ transactionId: BigInt(transactionId), position: BigInt(position) });

describe("a caller's remembered position (read-your-writes on one instance)", () => {
  it('keeps the newest position per caller, never lowering it, apart for each tenant and user', () => {
    const positions = createCallerPositions();
    const alice = callerKey({ tenantId: 'acme', userId: 'alice' });
    positions.raise(alice, at(10, 5));
    positions.raise(alice, at(9, 7)); // committed earlier in the log's order: not newer
    expect(positions.get(alice)).toEqual(at(10, 5));
    positions.raise(alice, at(10, 6));
    expect(positions.get(alice)).toEqual(at(10, 6));
    expect(positions.get(callerKey({ tenantId: 'globex', userId: 'alice' }))).toBeNull();
    expect(positions.get(callerKey({ tenantId: 'acme', userId: 'bob' }))).toBeNull();
  });

  it('forgets a position after the time to live, and an older one does not come back', () => {
    let now = 0;
    const positions = createCallerPositions({ ttlMs: 1_000, now: () => now });
    positions.raise('c', at(5, 5));
    now = 1_000;
    expect(positions.get('c')).toEqual(at(5, 5));
    now = 1_001;
    expect(positions.get('c')).toBeNull();
    positions.raise('c', at(9, 9));
    now = 1_500;
    positions.raise('c', at(7, 7)); // within the time to live of (9, 9): keeps it and starts the clock again
    now = 2_400;
    expect(positions.get('c')).toEqual(at(9, 9));
  });

  it('holds at most `max` callers, forgetting the least recently written', () => {
    const positions = createCallerPositions({ max: 2 });
    positions.raise('a', at(1, 1));
    positions.raise('b', at(1, 2));
    positions.raise('a', at(1, 3));
    positions.raise('c', at(1, 4));
    expect(positions.size()).toBe(2);
    expect(positions.get('b')).toBeNull();
    expect(positions.get('a')).toEqual(at(1, 3));
    expect(positions.get('c')).toEqual(at(1, 4));
  });
});
