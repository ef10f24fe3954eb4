import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppendConditionFailedError,
  ConcurrencyConflictError,
  createEventStore,
  EventStoreInputError,
  type EventStore,
} from '../../../src/event-store/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { event, options } from './fixtures.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
});
afterAll(async () => {
  await store.flush();
  await t.close();
});

const countEvents = async (): Promise<number> => Number((await t.sql`select count(*)::int as n from events`)[0]!.n);
const countCommands = async (): Promise<number> =>
  Number((await t.sql`select count(*)::int as n from event_commands`)[0]!.n);

/** A stream at `version` events, for conditions to point at. */
const streamAt = async (version: number): Promise<string> => {
  const id = randomUUID();
  if (version > 0) await store.append(id, 'no_stream', Array.from({ length: version }, (_, i) => event(i + 1)), options());
  return id;
};

describe('append with a condition on another stream', () => {
  it('writes when the other stream is at the given version', async () => {
    const other = await streamAt(2);
    const stream = randomUUID();
    const result = await store.append(stream, 'no_stream', [event(1), event(2)], options('acme', { condition: { streamId: other, version: 2, sharedLock: `lock:${other}` } }));
    expect(result).toMatchObject({ streamId: stream, nextExpectedVersion: 2, duplicate: false });
    expect(result.lastPosition - result.firstPosition).toBe(1n);
    const read = await store.readStream(stream);
    expect(read.map((e) => [e.streamVersion, e.data.n, e.position])).toEqual([
      [1, 1, result.firstPosition],
      [2, 2, result.lastPosition],
    ]);
  });

  it('holds for a missing stream at version 0, and fails once it exists', async () => {
    const other = randomUUID();
    await store.append(randomUUID(), 'no_stream', [event(1)], options('acme', { condition: { streamId: other, version: 0 } }));
    await store.append(other, 'no_stream', [event(1)], options());
    const failed = await store
      .append(randomUUID(), 'no_stream', [event(1)], options('acme', { condition: { streamId: other, version: 0 } }))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppendConditionFailedError);
    expect(failed).toMatchObject({ streamId: other, expected: 0, actual: 1 });
  });

  it('writes nothing, not even the command id, when the other stream moved on', async () => {
    const other = await streamAt(3);
    const before = [await countEvents(), await countCommands()];
    const commandId = randomUUID();
    const failed = await store
      .append(randomUUID(), 'no_stream', [event(1)], options('acme', { commandId, condition: { streamId: other, version: 2 } }))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppendConditionFailedError);
    expect(failed).toMatchObject({ expected: 2, actual: 3 });
    expect([await countEvents(), await countCommands()]).toEqual(before);
    // The same command id goes through once the condition holds: it was not taken by the failed attempt.
    const stream = randomUUID();
    const ok = await store.append(stream, 'no_stream', [event(1)], options('acme', { commandId, condition: { streamId: other, version: 3 } }));
    expect(ok).toMatchObject({ streamId: stream, duplicate: false });
  });

  it('answers a retried command id with the first result', async () => {
    const other = await streamAt(1);
    const commandId = randomUUID();
    const stream = randomUUID();
    const condition = { streamId: other, version: 1 };
    const first = await store.append(stream, 'no_stream', [event(1)], options('acme', { commandId, condition }));
    const before = await countEvents();
    const again = await store.append(stream, 'no_stream', [event(1)], options('acme', { commandId, condition }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await countEvents()).toBe(before);
  });

  it('reports a version conflict on its own stream as before', async () => {
    const other = await streamAt(1);
    const stream = await streamAt(2);
    const failed = await store
      .append(stream, 1, [event(3)], options('acme', { condition: { streamId: other, version: 1 } }))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConcurrencyConflictError);
    expect(failed).toMatchObject({ streamId: stream, expected: 1, actual: 2 });
  });

  it('waits for a writer holding the lock exclusively and sees what it committed', async () => {
    const other = await streamAt(1);
    const lock = `lock:${other}`;
    const writer = await t.sql.reserve();
    try {
      await writer`begin`;
      await writer`select pg_advisory_xact_lock(hashtextextended(${lock}, 0))`;
      await writer`
        insert into events (stream_id, stream_type, stream_version, event_type, schema_version, data, metadata, tenant_id)
        values (${other}, 'Test', 2, 'Happened', 1, '{"n":2}', ${JSON.stringify(options().metadata)}::jsonb, 'acme')`;
      let settled = false;
      const pending = store
        .append(randomUUID(), 'no_stream', [event(1)], options('acme', { condition: { streamId: other, version: 1, sharedLock: lock } }))
        .then(
          () => 'appended',
          (error: unknown) => error,
        )
        .finally(() => {
          settled = true;
        });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false); // blocked on the lock, not decided on the snapshot before the writer's commit
      await writer`commit`;
      const outcome = await pending;
      expect(outcome).toBeInstanceOf(AppendConditionFailedError);
      expect(outcome).toMatchObject({ expected: 1, actual: 2 });
    } finally {
      writer.release();
    }
  });

  it('works inside a caller transaction, and a failed condition there aborts it', async () => {
    const other = await streamAt(1);
    const stream = randomUUID();
    await store.transaction(async (tx) => {
      await store.append(stream, 'no_stream', [event(1)], { ...options('acme', { condition: { streamId: other, version: 1, sharedLock: 'x' } }), sql: tx });
    });
    expect(await store.streamVersion(stream)).toBe(1);
    const before = await countEvents();
    const failed = await store
      .transaction(async (tx) => {
        await store.append(randomUUID(), 'no_stream', [event(1)], { ...options(), sql: tx });
        await store.append(randomUUID(), 'no_stream', [event(1)], { ...options('acme', { condition: { streamId: other, version: 0 } }), sql: tx });
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppendConditionFailedError);
    expect(await countEvents()).toBe(before);
  });

  it('refuses a malformed condition before writing', async () => {
    const before = await countEvents();
    for (const condition of [
      { streamId: '', version: 1 },
      { streamId: 'x', version: -1 },
      { streamId: 'x', version: 1.5 },
      { streamId: 'x', version: 1, sharedLock: '' },
    ]) {
      const refused = await store.append(randomUUID(), 'no_stream', [event(1)], options('acme', { condition })).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(EventStoreInputError);
      expect((refused as EventStoreInputError).field).toMatch(/^condition/);
    }
    expect(await countEvents()).toBe(before);
  });

  it('keeps the pool usable: 200 concurrent conditional appends, half of them failing', async () => {
    const other = await streamAt(5);
    const before = await countEvents();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store
          .append(randomUUID(), 'no_stream', [event(i)], options('acme', { condition: { streamId: other, version: i % 2 === 0 ? 5 : 4, sharedLock: 'l' } }))
          .then(
            () => 'ok',
            (e: unknown) => (e instanceof AppendConditionFailedError ? 'failed' : String(e)),
          ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(100);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(100);
    expect(await countEvents()).toBe(before + 100);
    expect((await t.sql`select 1 as one`)[0]!.one).toBe(1);
  });
});
