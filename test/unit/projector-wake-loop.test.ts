import { describe, expect, it } from 'vitest';
import { outageLog } from '../../src/db/outage-log.ts';
import { WakeLoop } from '../../src/projections/runtime/wake-loop.ts';

/** A loop whose rounds wait until the test ends them, one by one. */
function setup() {
  const stopping = new AbortController();
  const lines: string[] = [];
  const rounds: { end: () => void; fail: (error: Error) => void }[] = [];
  let started = 0;
  const loop = new WakeLoop(
    () => {
      started++;
      return new Promise<void>((resolve, reject) => rounds.push({ end: resolve, fail: reject }));
    },
    outageLog((line) => lines.push(line), 'catch-up'),
    stopping.signal,
  );
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return { loop, stopping, lines, rounds, started: () => started, tick };
}

describe('the wake loop', () => {
  it('runs one round at a time; wake-ups during a round make exactly one more', async () => {
    const { loop, rounds, started, tick } = setup();
    loop.wake();
    expect(started()).toBe(1);
    loop.wake();
    loop.wake();
    expect(started()).toBe(1);
    rounds[0]!.end();
    await tick();
    expect(started()).toBe(2);
    rounds[1]!.end();
    await tick();
    expect(started()).toBe(2);
    await loop.settled();
    loop.wake();
    expect(started()).toBe(3);
  });

  it('hands the earliest unanswered wake-up to the first read that takes it', async () => {
    const { loop, rounds, tick } = setup();
    const before = performance.now();
    loop.wake();
    expect(loop.takeWake()).toBeGreaterThanOrEqual(before);
    expect(loop.takeWake()).toBeNull();
    const early = performance.now();
    loop.wake();
    const between = performance.now();
    while (performance.now() <= between); // the next wake-up comes strictly later
    loop.wake();
    const taken = loop.takeWake()!;
    expect(taken).toBeGreaterThanOrEqual(early);
    expect(taken).toBeLessThanOrEqual(between);
    rounds[0]!.end();
    await tick();
  });

  it('after a failed round goes round again only for a wake-up that came meanwhile; logs the outage once, and its end', async () => {
    const { loop, lines, rounds, started, tick } = setup();
    loop.wake();
    loop.wake(); // came during the round: it is answered even though the round fails
    rounds[0]!.fail(new Error('connection refused'));
    await tick();
    expect(started()).toBe(2);
    rounds[1]!.fail(new Error('connection refused again'));
    await tick();
    expect(started()).toBe(2); // no retry of its own: the next wake-up (the poll at the latest) tries again
    expect(lines).toEqual([expect.stringContaining('catch-up failed: connection refused; retrying')]);
    const quietSince = loop.lastRoundAt;
    loop.wake();
    rounds[2]!.end();
    await tick();
    expect(lines[1]).toMatch(/^catch-up works again after .* \(2 failed attempt\(s\)\)$/);
    expect(loop.lastRoundAt).toBeGreaterThanOrEqual(quietSince);
  });

  it('starts no round once stopped, and settles after the round in flight', async () => {
    const { loop, stopping, rounds, started } = setup();
    loop.wake();
    loop.wake();
    stopping.abort();
    let settled = false;
    const done = loop.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    rounds[0]!.end();
    await done;
    expect(started()).toBe(1);
    loop.wake();
    expect(started()).toBe(1);
  });
});
