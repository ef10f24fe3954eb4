import { describe, expect, it } from 'vitest';
import type { GlobalCheckpoint } from '../../src/event-store/types.ts';
import { groupsDue, nextRetryAt, ProjectionSlot } from '../../src/projections/runtime/slot.ts';
import type { Projection } from '../../src/projections/types.ts';

const projection = (name: string): Projection => ({ name, tables: [], apply: async () => [] });
const at = (transactionId: number, position: number): GlobalCheckpoint => ({ transactionId: BigInt(transactionId), position: BigInt(position) });
const backoff = { initialMs: 100, maxMs: 1_000 };

/** A slot leading at `checkpoint`. */
function leading(name: string, checkpoint: GlobalCheckpoint): ProjectionSlot {
  const slot = new ProjectionSlot(projection(name), backoff);
  slot.lead();
  slot.checkpoint = checkpoint;
  return slot;
}

describe('a projection slot', () => {
  it('knows a checkpoint only while it leads: taking or losing the lead forgets it', () => {
    const slot = leading('a', at(10, 5));
    expect(slot.due(0)).toBe(true);
    slot.release();
    expect(slot).toMatchObject({ leading: false, checkpoint: null });
    expect(slot.due(0)).toBe(false);
    slot.lead();
    expect(slot).toMatchObject({ leading: true, checkpoint: null });
    expect(slot.due(0)).toBe(false);
  });

  it('has reached a target at or past its checkpoint, and any target it does not lead', () => {
    const slot = leading('a', at(10, 5));
    expect(slot.reached(at(10, 5))).toBe(true);
    expect(slot.reached(at(9, 7))).toBe(true);
    expect(slot.reached(at(10, 6))).toBe(false);
    expect(slot.reached(at(11, 1))).toBe(false);
    slot.lead(); // leading, checkpoint not loaded yet
    expect(slot.reached(at(1, 1))).toBe(false);
    slot.release();
    expect(slot.reached(at(11, 1))).toBe(true);
  });

  it('backs off a stall: doubling per failed attempt at the same event, up to the maximum', () => {
    const slot = leading('a', at(10, 5));
    const now = 1_000_000;
    const delays = [1, 2, 3, 4, 5].map((i) => slot.stalled({ position: 6n }, `boom ${i}`, now + i).delayMs);
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
    expect(slot.stall).toEqual({ position: 6n, error: 'boom 5', since: new Date(now + 1), attempts: 5, retryAt: new Date(now + 5 + 1_000) });
    expect(slot.due(now + 5 + 999)).toBe(false);
    expect(slot.due(now + 5 + 1_000)).toBe(true);
  });

  it('counts attempts again from one when it fails at another event, keeping when the stall began', () => {
    const slot = leading('a', at(10, 5));
    slot.stalled({ position: 6n }, 'first', 1_000);
    slot.stalled({ position: 6n }, 'second', 2_000);
    const { stall, delayMs } = slot.stalled({ position: 9n }, 'elsewhere', 3_000);
    expect(delayMs).toBe(100);
    expect(stall).toMatchObject({ position: 9n, attempts: 1, since: new Date(1_000) });
  });

  it('a commit moves it on, counts the events and ends a stall, returning it', () => {
    const slot = leading('a', at(10, 5));
    expect(slot.committed(at(11, 8), 3, new Date(5))).toBeNull();
    slot.stalled({ position: 9n }, 'boom', 0);
    const ended = slot.committed(at(12, 9), 1, new Date(6));
    expect(ended).toMatchObject({ position: 9n, attempts: 1 });
    expect(slot.status()).toEqual({ name: 'a', leading: true, checkpoint: at(12, 9), stalled: null, eventsApplied: 4, lastCommitAt: new Date(6) });
  });
});

describe('slots due for a read', () => {
  it('are grouped by checkpoint; slots not leading, not loaded or backing off are left out', () => {
    const a = leading('a', at(10, 5));
    const b = leading('b', at(10, 5));
    const c = leading('c', at(12, 7));
    const notLeading = new ProjectionSlot(projection('d'), backoff);
    const notLoaded = new ProjectionSlot(projection('e'), backoff);
    notLoaded.lead();
    const backingOff = leading('f', at(10, 5));
    backingOff.stalled({ position: 6n }, 'boom', 1_000);
    const groups = groupsDue([a, notLeading, b, c, notLoaded, backingOff], 1_050);
    expect(groups.map((g) => ({ from: g.from, names: g.slots.map((s) => s.name) }))).toEqual([
      { from: at(10, 5), names: ['a', 'b'] },
      { from: at(12, 7), names: ['c'] },
    ]);
    // Once its retry is due, the stalled slot reads with the others at its checkpoint again.
    expect(groupsDue([a, b, c, backingOff], 1_100)[0]!.slots.map((s) => s.name)).toEqual(['a', 'b', 'f']);
  });

  it('the next retry is the earliest of the stalled slots this process leads', () => {
    const a = leading('a', at(10, 5));
    const b = leading('b', at(10, 5));
    const c = leading('c', at(10, 5));
    expect(nextRetryAt([a, b, c])).toBeNull();
    a.stalled({ position: 6n }, 'boom', 5_000); // retry at 5,100
    b.stalled({ position: 6n }, 'boom', 4_000);
    b.stalled({ position: 6n }, 'boom', 4_000); // retry at 4,200
    c.stalled({ position: 6n }, 'boom', 1_000); // retry at 1,100, but another process leads it now
    c.release();
    expect(nextRetryAt([a, b, c])).toBe(4_200);
  });
});
