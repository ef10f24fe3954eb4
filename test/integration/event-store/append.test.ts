import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import {
  ConcurrencyConflictError,
  EventStoreInputError,
  type EventStore,
  type ExpectedVersion,
} from '../../../src/event-store/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from './fixtures.ts';

const countEvents = async (sql: Sql): Promise<number> => Number((await sql`select count(*)::int as n from events`)[0]!.n);

describe('append', () => {
  dbTest('writes several events atomically with consecutive versions and reads them back', async ({ store }) => {
    const stream = randomUUID();
    const result = await store.append(stream, 'no_stream', [event(1), event(2), event(3)], options());
    expect(result.nextExpectedVersion).toBe(3);
    expect(result.duplicate).toBe(false);
    expect(result.lastPosition - result.firstPosition).toBe(2n);
    const read = await store.readStream(stream);
    expect(read.map((e) => [e.streamVersion, e.data.n])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(read[1]!.prevHash).toBe(read[0]!.hash);
    expect(read[0]!.prevHash).toBeNull();
    expect(await store.streamVersion(stream)).toBe(3);
    expect(await store.readStream(stream, 3)).toHaveLength(1);
  });

  dbTest('appends at an exact expected version and refuses a stale one with the actual version', async ({ sql, store }) => {
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(1)], options());
    await store.append(stream, 1, [event(2)], options());
    const before = await countEvents(sql);
    const stale = await store.append(stream, 1, [event(3)], options()).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConcurrencyConflictError);
    expect(stale).toMatchObject({ streamId: stream, expected: 1, actual: 2 });
    const ahead = await store.append(stream, 5, [event(3)], options()).catch((e: unknown) => e);
    expect(ahead).toMatchObject({ expected: 5, actual: 2 });
    const existing = await store.append(stream, 'no_stream', [event(3)], options()).catch((e: unknown) => e);
    expect(existing).toMatchObject({ expected: 'no_stream', actual: 2 });
    expect(await countEvents(sql)).toBe(before);
  });

  dbTest("'any' appends after whatever is there", async ({ store }) => {
    const stream = randomUUID();
    await store.append(stream, 'any', [event(1)], options());
    const r = await store.append(stream, 'any', [event(2), event(3)], options());
    expect(r.nextExpectedVersion).toBe(3);
  });

  dbTest('lets exactly one of two concurrent appends at the same expected version win', async ({ store }) => {
    for (const expected of [2, 'no_stream'] as ExpectedVersion[]) {
      const stream = randomUUID();
      if (expected === 2) await store.append(stream, 'no_stream', [event(1), event(2)], options());
      const results = await Promise.allSettled([
        store.append(stream, expected, [event(10)], options()),
        store.append(stream, expected, [event(20)], options()),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(ConcurrencyConflictError);
      const actual = expected === 'no_stream' ? 1 : 3;
      expect(lost[0]!.reason).toMatchObject({ expected, actual });
      expect(await store.streamVersion(stream)).toBe(actual);
    }
  });

  dbTest('concurrent "any" appends all land with distinct versions', async ({ store }) => {
    const stream = randomUUID();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(stream, 'any', [event(i)], options())));
    const read = await store.readStream(stream);
    expect(read.map((e) => e.streamVersion)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  dbTest('is atomic: a batch that loses the race writes none of its events', async ({ store }) => {
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(1)], options());
    const conflict = await store.append(stream, 0, [event(1), event(2), event(3)], options()).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConcurrencyConflictError);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  dbTest('joins a caller transaction and rolls back with it', async ({ sql, store }) => {
    const stream = randomUUID();
    await expect(
      store.transaction(async (tx) => {
        await store.append(stream, 'no_stream', [event(1)], { ...options(), sql: tx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.streamVersion(stream)).toBe(0);
    await store.transaction((tx) => store.append(stream, 'no_stream', [event(1)], { ...options(), sql: tx }));
    expect(await store.streamVersion(stream)).toBe(1);
  });
});

describe('command idempotency', () => {
  dbTest('a repeated command id writes nothing and returns the first result', async ({ sql, store }) => {
    const stream = randomUUID();
    const commandId = randomUUID();
    const first = await store.append(stream, 'no_stream', [event(1), event(2)], options('acme', { commandId }));
    const before = await countEvents(sql);
    // A retry may even name another stream (a new id generated by the retrying client): the first result stands.
    const again = await store.append(randomUUID(), 'no_stream', [event(1), event(2)], options('acme', { commandId }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await countEvents(sql)).toBe(before);
    const read = await store.readStream(stream);
    expect(read.every((e) => e.metadata.commandId === commandId)).toBe(true);
  });

  dbTest('holds under concurrent retries', async ({ sql, store }) => {
    const commandId = randomUUID();
    const streams = Array.from({ length: 12 }, () => randomUUID());
    const before = await countEvents(sql);
    const results = await Promise.all(
      streams.map((s) => store.append(s, 'no_stream', [event(1)], options('acme', { commandId }))),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const winner = results.find((r) => !r.duplicate)!;
    expect(results.every((r) => r.streamId === winner.streamId && r.firstPosition === winner.firstPosition)).toBe(true);
    expect(await countEvents(sql)).toBe(before + 1);
  });

  dbTest('a command that lost a conflict can be retried with the same command id', async ({ store }) => {
    const stream = randomUUID();
    const commandId = randomUUID();
    await store.append(stream, 'no_stream', [event(1)], options());
    await expect(store.append(stream, 0, [event(2)], options('acme', { commandId }))).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    const retry = await store.append(stream, 1, [event(2)], options('acme', { commandId }));
    expect(retry).toMatchObject({ duplicate: false, nextExpectedVersion: 2 });
  });
});

describe('bad input writes nothing', () => {
  const cases: [string, (store: EventStore) => Promise<unknown>][] = [
    ['unknown expected mode', (store) => store.append(randomUUID(), 'latest' as never, [event(1)], options())],
    ['negative expected version', (store) => store.append(randomUUID(), -1, [event(1)], options())],
    ['fractional expected version', (store) => store.append(randomUUID(), 1.5, [event(1)], options())],
    ['empty event list', (store) => store.append(randomUUID(), 'any', [], options())],
    ['empty stream id', (store) => store.append('', 'any', [event(1)], options())],
    ['missing type', (store) => store.append(randomUUID(), 'any', [{ data: {} } as never], options())],
    ['data not an object', (store) => store.append(randomUUID(), 'any', [{ type: 'X', data: [1] as never }], options())],
    ['string data', (store) => store.append(randomUUID(), 'any', [{ type: 'X', data: 'x' as never }], options())],
    ['bad schema version', (store) => store.append(randomUUID(), 'any', [{ type: 'X', data: {}, schemaVersion: 0 }], options())],
    [
      'oversized payload',
      (store) => store.append(randomUUID(), 'any', [{ type: 'X', data: { blob: 'x'.repeat(70_000) } }], options()),
    ],
    ['NUL character', (store) => store.append(randomUUID(), 'any', [{ type: 'X', data: { s: 'a\u0000b' } }], options())],
    ['bigint in data', (store) => store.append(randomUUID(), 'any', [{ type: 'X', data: { n: 1n as never } }], options())],
    ['command id not a uuid', (store) => store.append(randomUUID(), 'any', [event(1)], options('acme', { commandId: 'k1' }))],
    ['metadata of another tenant', (store) => store.append(randomUUID(), 'any', [event(1)], { ...options('acme'), tenantId: 'globex' })],
  ];
  dbTest.for(cases)('%s', async ([, run], { sql, store }) => {
    const before = await countEvents(sql);
    const error = await run(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreInputError);
    expect((error as EventStoreInputError).field).toBeTruthy();
    expect(await countEvents(sql)).toBe(before);
  });
});
