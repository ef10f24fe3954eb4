import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, START, type EventStore } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { batchPool } from '../../../src/projections/connection.ts';
import { BatchApplier, prepareFor } from '../../../src/projections/runtime/batch-applier.ts';
import { ProjectionSlot } from '../../../src/projections/runtime/slot.ts';
import type { Projection } from '../../../src/projections/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { appendNotes, notesProjection, readSettled } from './runtime-support.ts';

/** The applier: a batch commits for a whole group, or the culprit alone stalls right at its event. */
let t: TestDatabase;
let store: EventStore;
let writer: postgres.Sql;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
  writer = batchPool(t.sql, { applicationName: 'dvmm-test-applier', max: 2 });
});
afterAll(async () => {
  await writer.end();
  await t.close();
});

const backoff = { initialMs: 100, maxMs: 400 };

/** A slot leading `projection` from its stored checkpoint. */
async function leadingSlot(projection: Projection): Promise<ProjectionSlot> {
  const slot = new ProjectionSlot(projection, backoff);
  slot.lead();
  slot.checkpoint = await loadCheckpoint(t.sql, projection.name);
  return slot;
}

describe('the batch applier', () => {
  it('commits a batch for the whole group; when one handler throws, the others commit alone and the culprit stalls at its event', async () => {
    const healthy = await notesProjection(t.sql, 'applier_healthy');
    const fragile = await notesProjection(t.sql, 'applier_fragile', new Set([4]));
    const slots = [await leadingSlot(healthy), await leadingSlot(fragile)];
    const lines: string[] = [];
    const applier = new BatchApplier({ sql: t.sql, writer, log: (line) => lines.push(line) });

    await appendNotes(store, 6);
    const { events, checkpoint } = await readSettled(t.sql, START, 100);
    expect(events).toHaveLength(6);
    await applier.applyGroup(slots, START, events, prepareFor(slots, events));

    expect(await healthy.seen()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(slots[0]!.checkpoint).toEqual(checkpoint);
    expect(slots[0]!.eventsApplied).toBe(6);
    // Everything before the culprit committed; the checkpoint is right before it.
    expect(await fragile.seen()).toEqual([1, 2, 3]);
    expect(slots[1]!.checkpoint).toEqual({ transactionId: events[2]!.transactionId, position: events[2]!.position });
    expect(await loadCheckpoint(t.sql, fragile.name)).toEqual(slots[1]!.checkpoint);
    expect(slots[1]!.stall).toMatchObject({ position: events[3]!.position, attempts: 1, error: 'applier_fragile cannot handle note 4' });
    expect(lines).toEqual([expect.stringContaining(`projection applier_fragile STALLED at event position ${events[3]!.position} (Noted,`)]);
    await expect
      .poll(async () => (await t.sql`select stalled_position::text from projection_checkpoints where name = ${fragile.name}`)[0]!.stalled_position)
      .toBe(String(events[3]!.position));

    // Failing again at the same event counts another attempt; the next commit ends the stall, and says so.
    const rest = events.slice(3);
    await applier.applyGroup([slots[1]!], slots[1]!.checkpoint!, rest, prepareFor([slots[1]!], rest));
    expect(slots[1]!.stall).toMatchObject({ position: events[3]!.position, attempts: 2 });
  });

  it('recovers a stalled projection once its handler works, and logs the recovery', async () => {
    const failOn = new Set([2]);
    const flaky = await notesProjection(t.sql, 'applier_flaky', failOn);
    const slot = await leadingSlot(flaky);
    const lines: string[] = [];
    const applier = new BatchApplier({ sql: t.sql, writer, log: (line) => lines.push(line) });
    const from = slot.checkpoint!;
    const { events, checkpoint } = await readSettled(t.sql, from, 3);
    await applier.applyGroup([slot], from, events, [null]);
    expect(slot.stall?.position).toBe(events[1]!.position);

    failOn.clear();
    const again = await readSettled(t.sql, slot.checkpoint!, 2);
    await applier.applyGroup([slot], slot.checkpoint!, again.events, [null]);
    expect(slot.stall).toBeNull();
    expect(slot.checkpoint).toEqual(checkpoint);
    expect(lines.at(-1)).toBe('projection applier_flaky recovered after 1 failed attempt(s)');
  });

  it('a stale batch (another process moved the checkpoint) writes nothing and reloads the checkpoint', async () => {
    const late = await notesProjection(t.sql, 'applier_late');
    const slot = await leadingSlot(late);
    const { events } = await readSettled(t.sql, START, 100);
    // Someone else applies the first two events meanwhile.
    const moved = await applyBatch(writer, late, START, events.slice(0, 2));
    expect(moved.kind).toBe('applied');
    const applier = new BatchApplier({ sql: t.sql, writer, log: () => {} });
    await applier.applyGroup([slot], START, events, [null]);
    expect(await late.seen()).toEqual([1, 2]);
    expect(slot.checkpoint).toEqual(moved.kind === 'applied' ? moved.checkpoint : null);
    expect(slot.stall).toBeNull();
  });

  it('a slot that lost the lead while its batch ran is left as it is', async () => {
    const lost = await notesProjection(t.sql, 'applier_lost', new Set([1]));
    await ensureCheckpoint(t.sql, lost.name);
    const slot = await leadingSlot(lost);
    const { events } = await readSettled(t.sql, START, 1);
    const applier = new BatchApplier({ sql: t.sql, writer, log: () => {} });
    const applying = applier.applyGroup([slot], START, events, [null]);
    slot.release();
    await applying;
    expect(slot.stall).toBeNull();
    expect(slot.checkpoint).toBeNull();
  });
});

describe('preparing a batch', () => {
  it('is skipped for a projection without a prepare step and for no events; a throwing prepare fails that batch when applied', async () => {
    const plain: Projection = { name: 'plain', tables: [], apply: async () => [] };
    const throwing: Projection = { ...plain, name: 'throwing', prepare: () => { throw new Error('cannot prepare'); } };
    const slots = [plain, throwing].map((p) => new ProjectionSlot(p, backoff));
    const { events } = await readSettled(t.sql, START, 1);
    expect(prepareFor(slots, [])).toEqual([null, null]);
    const [none, failing] = prepareFor(slots, events);
    expect(none).toBeNull();
    await expect(failing!({} as postgres.TransactionSql)).rejects.toThrow('cannot prepare');
  });
});
