import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StallRetry } from '../../src/projections/runtime/stall-retry.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 10_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const stopping = new AbortController();
  const woken: number[] = [];
  const retry = new StallRetry(() => woken.push(Date.now()), stopping.signal);
  return { retry, stopping, woken };
}

describe('the stall retry', () => {
  it('wakes the projector when the earliest retry is due, once per schedule', () => {
    const { retry, woken } = setup();
    retry.schedule(10_300);
    vi.advanceTimersByTime(1_000);
    expect(woken).toEqual([10_300]);
  });

  it('moves to the latest schedule: a later one replaces an earlier one, and none cancels it', () => {
    const { retry, woken } = setup();
    retry.schedule(10_100);
    retry.schedule(10_500);
    vi.advanceTimersByTime(400);
    expect(woken).toEqual([]);
    retry.schedule(null);
    vi.advanceTimersByTime(1_000);
    expect(woken).toEqual([]);
  });

  it('wakes at once for a retry already due', () => {
    const { retry, woken } = setup();
    retry.schedule(9_000);
    vi.advanceTimersByTime(0);
    expect(woken).toEqual([10_000]);
  });

  it('does not wake after the stop', () => {
    const { retry, stopping, woken } = setup();
    retry.schedule(10_100);
    stopping.abort();
    retry.schedule(10_200);
    vi.advanceTimersByTime(1_000);
    expect(woken).toEqual([]);
  });
});
