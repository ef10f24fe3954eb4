import { describe, expect, it } from 'vitest';
import type { GlobalCheckpoint } from '../../src/event-store/types.ts';
import { compareCheckpoints } from '../../src/projections/cursor.ts';
import { Waiters } from '../../src/projections/runtime/waiters.ts';

const at = (position: number): GlobalCheckpoint => ({ transactionId: 1n, position: BigInt(position) });

/** Waiters over one projection at `position`, and which of them have settled so far. */
function setup() {
  const state = { position: at(0) };
  const waiters = new Waiters((target) => compareCheckpoints(state.position, target) >= 0);
  const settled: string[] = [];
  const wait = (name: string, target: GlobalCheckpoint | null) =>
    waiters.wait(target).then(
      () => void settled.push(`${name} resolved`),
      (error: Error) => void settled.push(`${name} rejected: ${error.message}`),
    );
  return { state, waiters, settled, wait };
}

describe('caught-up waiters', () => {
  it('resolve once the projections reach their target, each at its own, and not before', async () => {
    const { state, waiters, settled, wait } = setup();
    const near = wait('near', at(3));
    const far = wait('far', at(9));
    state.position = at(2);
    waiters.settle();
    await Promise.resolve();
    expect(settled).toEqual([]);
    state.position = at(5);
    waiters.settle();
    await near;
    expect(settled).toEqual(['near resolved']);
    state.position = at(9);
    waiters.settle();
    await far;
    expect(settled).toEqual(['near resolved', 'far resolved']);
  });

  it('resolve at once for a target already reached, or for an empty log (no target)', async () => {
    const { state, settled, wait } = setup();
    state.position = at(4);
    await Promise.all([wait('reached', at(4)), wait('empty log', null)]);
    expect(settled.sort()).toEqual(['empty log resolved', 'reached resolved']);
  });

  it('are rejected together, and are gone afterwards', async () => {
    const { state, waiters, settled, wait } = setup();
    const all = Promise.all([wait('a', at(3)), wait('b', at(4))]);
    waiters.rejectAll(new Error('projector stopped'));
    await all;
    expect(settled).toEqual(['a rejected: projector stopped', 'b rejected: projector stopped']);
    state.position = at(9);
    waiters.settle();
    await Promise.resolve();
    expect(settled).toHaveLength(2);
  });
});
