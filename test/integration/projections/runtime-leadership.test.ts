import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START } from '../../../src/event-store/index.ts';
import { loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { LeadershipLoop } from '../../../src/projections/runtime/leadership-loop.ts';
import { ProjectionSlot } from '../../../src/projections/runtime/slot.ts';
import type { Projection } from '../../../src/projections/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';

/** The leadership loop: one process leads each projection; the lead moves when its lock is released or lost. */
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

const projection = (name: string): Projection => ({ name, tables: [], apply: async () => [] });

/** A loop over its own slots for `names`, as one projector process runs it, recording what it does. */
function processFor(label: string, names: string[]) {
  const stopping = new AbortController();
  const slots = names.map((name) => new ProjectionSlot(projection(name), { initialMs: 1_000, maxMs: 1_000 }));
  const seen = { lines: [] as string[], onLead: 0, onChange: 0 };
  const loop = new LeadershipLoop({
    sql: t.sql,
    slots,
    applicationName: `dvmm-test-leadership-${label}-${process.pid}`,
    reload: async (slot) => {
      slot.checkpoint = await loadCheckpoint(t.sql, slot.name);
    },
    onLead: () => seen.onLead++,
    onChange: () => seen.onChange++,
    intervalMs: 50,
    log: (line) => seen.lines.push(line),
    signal: stopping.signal,
  });
  const leads = () => slots.filter((slot) => slot.leading).map((slot) => slot.name);
  return { loop, slots, seen, leads, stopping, applicationName: `dvmm-test-leadership-${label}-${process.pid}` };
}

describe('the leadership loop', () => {
  it('one process leads each projection and loads its checkpoint; a standby takes over a lock that comes free', async () => {
    const names = ['lead_one', 'lead_two'];
    const a = processFor('a', names);
    const b = processFor('b', names);
    try {
      await a.loop.check();
      await b.loop.check();
      expect(a.leads()).toEqual(names);
      expect(a.slots.map((slot) => slot.checkpoint)).toEqual([START, START]);
      expect(a.seen).toMatchObject({ lines: ['leading lead_one', 'leading lead_two'], onLead: 1, onChange: 1 });
      expect(b.leads()).toEqual([]);
      expect(b.slots.map((slot) => slot.checkpoint)).toEqual([null, null]);
      expect(b.seen).toMatchObject({ lines: [], onLead: 0, onChange: 1 });

      // A check that finds nothing new loads nothing.
      await a.loop.check();
      expect(a.seen.onLead).toBe(1);

      await a.loop.close();
      b.loop.start();
      await expect.poll(() => b.leads(), { timeout: 10_000 }).toEqual(names);
      expect(b.seen.lines).toEqual(['leading lead_one', 'leading lead_two']);
      expect(b.loop.failure()).toBeNull();
    } finally {
      a.stopping.abort();
      b.stopping.abort();
      await a.loop.close();
      await b.loop.close();
    }
  });

  it('gives up every projection at once when its lock connection is terminated, and leads again at the next check', async () => {
    const names = ['lost_one', 'lost_two'];
    const a = processFor('lost', names);
    try {
      await a.loop.check();
      expect(a.leads()).toEqual(names);
      const changesBefore = a.seen.onChange;

      const [terminated] = await t.sql<{ ok: boolean }[]>`
        select pg_terminate_backend(pid) as ok from pg_stat_activity
        where datname = current_database() and application_name = ${a.applicationName}`;
      expect(terminated!.ok).toBe(true);
      await expect.poll(() => a.leads(), { timeout: 10_000 }).toEqual([]);
      expect(a.slots.map((slot) => slot.checkpoint)).toEqual([null, null]);
      expect(a.seen.lines.at(-1)).toBe('no longer leading lost_one, lost_two: lock connection closed');
      expect(a.seen.onChange).toBe(changesBefore + 1);

      // The connection comes back on the next query: the locks were free, so it takes them again.
      await a.loop.check();
      expect(a.leads()).toEqual(names);
      expect(a.slots.map((slot) => slot.checkpoint)).toEqual([START, START]);
    } finally {
      a.stopping.abort();
      await a.loop.close();
    }
  });
});
