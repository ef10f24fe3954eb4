import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, START, type EventStore } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { batchPool } from '../../../src/projections/connection.ts';
import { BatchApplier } from '../../../src/projections/runtime/batch-applier.ts';
import { BatchPump, type BatchTrace } from '../../../src/projections/runtime/batch-pump.ts';
import { HeldBackHorizon } from '../../../src/projections/runtime/held-back.ts';
import { ProjectionSlot } from '../../../src/projections/runtime/slot.ts';
import { StallRetry } from '../../../src/projections/runtime/stall-retry.ts';
import type { Projection } from '../../../src/projections/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { metadata } from './events.ts';
import { appendNotes, notesProjection, readSettled } from './runtime-support.ts';

/** The batch pump: reads ahead while a batch is written, regroups, and asks to be woken when it cannot go on yet. */
let t: TestDatabase;
let store: EventStore;
let writer: postgres.Sql;
const stopping = new AbortController();

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
  writer = batchPool(t.sql, { applicationName: 'dvmm-test-pump', max: 4 });
});
afterAll(async () => {
  stopping.abort();
  await writer.end();
  await t.close();
});

const WOKEN_AT = 42;

/** A pump over `projections` (each leading from its stored checkpoint), recording what it does. */
async function pumpFor(projections: Projection[], batchSize: number) {
  const slots: ProjectionSlot[] = [];
  for (const projection of projections) {
    const slot = new ProjectionSlot(projection, { initialMs: 1_000, maxMs: 1_000 });
    slot.lead();
    slot.checkpoint = await loadCheckpoint(t.sql, projection.name);
    slots.push(slot);
  }
  const seen = { traces: [] as BatchTrace[], afterBatch: 0, heldBackWakes: 0, retryWakes: 0 };
  let wake: number | null = WOKEN_AT;
  const pump = new BatchPump({
    sql: t.sql,
    slots,
    batchSize,
    applier: new BatchApplier({ sql: t.sql, writer, log: () => {} }),
    horizon: new HeldBackHorizon(() => seen.heldBackWakes++, 1_000, stopping.signal),
    retry: new StallRetry(() => seen.retryWakes++, stopping.signal),
    takeWake: () => {
      const at = wake;
      wake = null;
      return at;
    },
    afterBatch: () => seen.afterBatch++,
    onBatch: (trace) => seen.traces.push(trace),
    signal: stopping.signal,
  });
  return { pump, slots, seen };
}

const lastCheckpoint = async () => (await readSettled(t.sql, START, 1_000_000)).checkpoint;

describe('the batch pump', () => {
  it('reads the next full batch while the previous one is written, until a short batch says it is caught up', async () => {
    await appendNotes(store, 35);
    await readSettled(t.sql, START, 1_000_000); // nothing held back by other files' transactions
    const projection = await notesProjection(t.sql, 'pump_ahead');
    const { pump, slots, seen } = await pumpFor([projection], 10);
    await pump.round();

    expect(await projection.seen()).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    expect(slots[0]!.checkpoint).toEqual(await lastCheckpoint());
    expect(seen.traces.map((trace) => trace.events)).toEqual([10, 10, 10, 5]);
    expect(seen.afterBatch).toBe(4);
    // The first read answers the wake-up; the others were read ahead, each started before the previous commit.
    expect(seen.traces.map((trace) => trace.wokenAt)).toEqual([WOKEN_AT, null, null, null]);
    for (let i = 1; i < seen.traces.length; i++) expect(seen.traces[i]!.readStartedAt).toBeLessThan(seen.traces[i - 1]!.committedAt);
    expect(seen.heldBackWakes + seen.retryWakes).toBe(0);
  });

  it('catches up projections at different checkpoints separately; once together they share each batch', async () => {
    const behind = await notesProjection(t.sql, 'pump_behind');
    const ahead = await notesProjection(t.sql, 'pump_ahead_of_it');
    const { events } = await readSettled(t.sql, START, 20);
    await ensureCheckpoint(t.sql, ahead.name);
    const moved = await applyBatch(writer, ahead, START, events);
    expect(moved.kind).toBe('applied');
    const { pump, slots, seen } = await pumpFor([behind, ahead], 10);
    expect(slots[1]!.checkpoint).not.toEqual(slots[0]!.checkpoint);
    await pump.round();
    const end = await lastCheckpoint();
    expect(slots.map((slot) => slot.checkpoint)).toEqual([end, end]);
    expect(new Set(seen.traces.map((trace) => trace.projections.join()))).toEqual(new Set(['pump_behind', 'pump_ahead_of_it']));

    seen.traces.length = 0;
    await appendNotes(store, 3, 100);
    await readSettled(t.sql, START, 1_000_000); // nothing held back by other files' transactions
    await pump.round();
    expect(seen.traces.map((trace) => [trace.projections, trace.events])).toEqual([[['pump_behind', 'pump_ahead_of_it'], 3]]);
    expect((await behind.seen()).slice(-3)).toEqual([100, 101, 102]);
    expect(await ahead.seen()).toEqual(await behind.seen());
  });

  it('asks to be woken soon while an open transaction holds back committed events, and reads them once it ends', async () => {
    const projection = await notesProjection(t.sql, 'pump_held');
    const { pump, slots, seen } = await pumpFor([projection], 100);
    await pump.round();
    const caughtUp = slots[0]!.checkpoint;
    expect(seen.heldBackWakes).toBe(0);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedOpen = new Promise<void>((resolve) => (inserted = resolve));
    const open = store.transaction(async (tx) => {
      await store.append(randomUUID(), 'no_stream', [{ type: 'Noted', data: { n: 200 } }], {
        streamType: 'Note',
        tenantId: 'acme',
        metadata: metadata('acme', 'system'),
        sql: tx,
      });
      inserted();
      await released;
    });
    await insertedOpen;
    await appendNotes(store, 1, 201); // committed, but behind the open transaction in the log's order

    await pump.round();
    expect(slots[0]!.checkpoint).toEqual(caughtUp);
    await expect.poll(() => seen.heldBackWakes, { timeout: 1_000 }).toBeGreaterThan(0);

    release();
    await open;
    await readSettled(t.sql, START, 1_000_000);
    await pump.round();
    expect((await projection.seen()).slice(-2)).toEqual([200, 201]);
  });

  it('leaves a stalled projection out until its retry is due, and asks to be woken then', async () => {
    const failOn = new Set([300]);
    const projection = await notesProjection(t.sql, 'pump_stalled', failOn);
    const { pump, slots, seen } = await pumpFor([projection], 100);
    await pump.round();
    await appendNotes(store, 2, 300);
    await readSettled(t.sql, START, 1_000_000); // nothing held back by other files' transactions
    await pump.round();
    const stalledAt = slots[0]!.stall;
    expect(stalledAt?.attempts).toBe(1);

    failOn.clear();
    await pump.round(); // within the backoff: not tried again
    expect(slots[0]!.stall).toBe(stalledAt);
    await expect.poll(() => seen.retryWakes, { timeout: 5_000 }).toBe(1);
    await pump.round();
    expect(slots[0]!.stall).toBeNull();
    expect((await projection.seen()).slice(-2)).toEqual([300, 301]);
  });
});
