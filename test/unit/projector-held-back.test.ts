import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HELD_BACK_MAX_MS, HeldBackHorizon } from '../../src/projections/runtime/held-back.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A horizon whose wake-ups are counted, and a round that ends as told; returns after how many ms it woke (null: never). */
function setup(pollIntervalMs = 1_000) {
  const stopping = new AbortController();
  let wakes = 0;
  const horizon = new HeldBackHorizon(() => wakes++, pollIntervalMs, stopping.signal);
  const round = (outcome: { heldBack: boolean; progressed: boolean }): number | null => {
    horizon.roundStarted();
    if (outcome.heldBack) horizon.heldBack();
    horizon.roundEnded(outcome.progressed);
    const before = wakes;
    for (let ms = 1; ms <= 100; ms++) {
      vi.advanceTimersByTime(1);
      if (wakes > before) return ms;
    }
    return null;
  };
  return { horizon, stopping, round, wakes: () => wakes };
}

describe('the held-back horizon', () => {
  it('wakes the projector soon after a round found events held back, backing off while they stay held', () => {
    const { round } = setup();
    const delays = Array.from({ length: 6 }, () => round({ heldBack: true, progressed: false }));
    expect(delays).toEqual([2, 4, 8, 16, HELD_BACK_MAX_MS, HELD_BACK_MAX_MS]);
  });

  it('starts the backoff over after a round that applied something, or found nothing held back', () => {
    const { round } = setup();
    round({ heldBack: true, progressed: false });
    round({ heldBack: true, progressed: false });
    expect(round({ heldBack: true, progressed: true })).toBe(2);
    round({ heldBack: true, progressed: false });
    expect(round({ heldBack: false, progressed: false })).toBeNull();
    expect(round({ heldBack: true, progressed: false })).toBe(2);
  });

  it('never waits longer than the poll interval', () => {
    const { round } = setup(5);
    expect([1, 2, 3, 4].map(() => round({ heldBack: true, progressed: false }))).toEqual([2, 4, 5, 5]);
  });

  it('keeps one wake-up pending at a time', () => {
    const { horizon, wakes } = setup();
    for (let i = 0; i < 3; i++) {
      horizon.roundStarted();
      horizon.heldBack();
      horizon.roundEnded(false);
    }
    vi.advanceTimersByTime(100);
    expect(wakes()).toBe(1);
  });

  it('wakes no one once stopped, not even for a round that ends after the stop', () => {
    const { horizon, stopping, wakes } = setup();
    horizon.heldBack();
    horizon.roundEnded(false);
    stopping.abort();
    horizon.heldBack();
    horizon.roundEnded(false);
    vi.advanceTimersByTime(1_000);
    expect(wakes()).toBe(0);
  });
});
