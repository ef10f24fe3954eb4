import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import {
  AppendConditionFailedError,
  ConcurrencyConflictError,
  EventStoreInputError,
  type EventStore,
} from '../../../src/event-store/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from './fixtures.ts';

const countEvents = async (sql: Sql): Promise<number> => Number((await sql`select count(*)::int as n from events`)[0]!.n);
const countCommands = async (sql: Sql): Promise<number> =>
  Number((await sql`select count(*)::int as n from event_commands`)[0]!.n);

/** A stream at `version` events, for conditions to point at. */
const streamAt = async (store: EventStore, version: number): Promise<string> => {
  const id = randomUUID();
  if (version > 0) await store.append(id, 'no_stream', Array.from({ length: version }, (_, i) => event(i + 1)), options());
  return id;
};

describe('append with a condition on another stream', () => {
  dbTest('writes when the other stream is at the given version', async ({ store }) => {
    const other = await streamAt(store, 2);
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

  dbTest('holds for a missing stream at version 0, and fails once it exists', async ({ store }) => {
    const other = randomUUID();
    await store.append(randomUUID(), 'no_stream', [event(1)], options('acme', { condition: { streamId: other, version: 0 } }));
    await store.append(other, 'no_stream', [event(1)], options());
    const failed = await store
      .append(randomUUID(), 'no_stream', [event(1)], options('acme', { condition: { streamId: other, version: 0 } }))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppendConditionFailedError);
    expect(failed).toMatchObject({ streamId: other, expected: 0, actual: 1 });
  });

  dbTest('writes nothing, not even the command id, when the other stream moved on', async ({ sql, store }) => {
    const other = await streamAt(store, 3);
    const before = [await countEvents(sql), await countCommands(sql)];
    const commandId = randomUUID();
    const failed = await store
      .append(randomUUID(), 'no_stream', [event(1)], options('acme', { commandId, condition: { streamId: other, version: 2 } }))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppendConditionFailedError);
    expect(failed).toMatchObject({ expected: 2, actual: 3 });
    expect([await countEvents(sql), await countCommands(sql)]).toEqual(before);
    // The same command id goes through once the condition holds: it was not taken by the failed attempt.
    const stream = randomUUID();
    const ok = await store.append(stream, 'no_stream', [event(1)], options('acme', { commandId, condition: { streamId: other, version: 3 } }));
    expect(ok).toMatchObject({ streamId: stream, duplicate: false });
  });

  dbTest('answers a retried command id with the first result', async ({ sql, store }) => {
    const other = await streamAt(store, 1);
    const commandId = randomUUID();
    const stream = randomUUID();
    const condition = { streamId: other, version: 1 };
    const first = await store.append(stream, 'no_stream', [event(1)], options('acme', { commandId, condition }));
    const before = await countEvents(sql);
    const again = await store.append(stream, 'no_stream', [event(1)], options('acme', { commandId, condition }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await countEvents(sql)).toBe(before);
  });

  dbTest('reports a version conflict on its own stream as before', async ({ store }) => {
    const other = await streamAt(store, 1);
    const stream = await streamAt(store, 2);
    const failed = await store
      .append(stream, 1, [event(3)], options('acme', { condition: { streamId: other, version: 1 } }))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConcurrencyConflictError);
    expect(failed).toMatchObject({ streamId: stream, expected: 1, actual: 2 });
  });

  dbTest('waits for a writer holding the lock exclusively and sees what it committed', async ({ sql, store }) => {
    const other = await streamAt(store, 1);
    const lock = `lock:${other}`;
    const writer = await sql.reserve();
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

  dbTest('works inside a caller transaction, and a failed condition there aborts it', async ({ sql, store }) => {
    const other = await streamAt(store, 1);
    const stream = randomUUID();
    await store.transaction(async (tx) => {
      await store.append(stream, 'no_stream', [event(1)], { ...options('acme', { condition: { streamId: other, version: 1, sharedLock: 'x' } }), sql: tx });
    });
    expect(await store.streamVersion(stream)).toBe(1);
    const before = await countEvents(sql);
    const failed = await store
      .transaction(async (tx) => {
        await store.append(randomUUID(), 'no_stream', [event(1)], { ...options(), sql: tx });
        await store.append(randomUUID(), 'no_stream', [event(1)], { ...options('acme', { condition: { streamId: other, version: 0 } }), sql: tx });
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AppendConditionFailedError);
    expect(await countEvents(sql)).toBe(before);
  });

  dbTest('refuses a malformed condition before writing', async ({ sql, store }) => {
    const before = await countEvents(sql);
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
    expect(await countEvents(sql)).toBe(before);
  });

  dbTest('keeps the pool usable: 200 concurrent conditional appends, half of them failing', async ({ sql, store }) => {
    const other = await streamAt(store, 5);
    const before = await countEvents(sql);
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
    expect(await countEvents(sql)).toBe(before + 100);
    expect((await sql`select 1 as one`)[0]!.one).toBe(1);
  });
});
