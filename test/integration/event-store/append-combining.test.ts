import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import {
  ConcurrencyConflictError,
  createEventStore,
  EventStoreInputError,
  type AppendResult,
  type EventStore,
  type GlobalCheckpoint,
} from '../../../src/event-store/index.ts';
import { readAll } from '../../../src/event-store/read-all.ts';
import type { Sql } from '../../../src/db/client.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from './fixtures.ts';

/**
 * Concurrent appends outside transactions share statements (write combining). A burst started in one tick is
 * combined for certain: the first appends take the free lanes alone and the rest queue behind them. Each test has a
 * store of its own, so its group counts are its own.
 */
const combiningStore = (sql: Sql): EventStore => createEventStore(sql, { combine: { maxInFlight: 1, maxGroup: 64 } });

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const value = <T>(r: PromiseSettledResult<T>): T => {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
};
const reason = (r: PromiseSettledResult<unknown>): unknown => (r.status === 'rejected' ? r.reason : undefined);

/** Every event after `from`, gap-safe (waits for other files' open transactions to let the horizon pass). */
async function readAllAfter(sql: Sql, from: GlobalCheckpoint, positions: bigint[]) {
  const wanted = new Set(positions);
  const deadline = Date.now() + 10_000;
  let seen: Awaited<ReturnType<typeof readAll>>['events'] = [];
  let checkpoint = from;
  while ([...wanted].some((p) => !seen.some((e) => e.position === p)) && Date.now() < deadline) {
    const batch = await readAll(sql, checkpoint, 1000);
    seen = seen.concat(batch.events);
    checkpoint = batch.checkpoint;
    if (batch.events.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  return seen.filter((e) => wanted.has(e.position));
}

describe('write combining', () => {
  dbTest('a burst of appends to new streams shares statements, each caller getting its own result', async ({ sql }) => {
    const store = combiningStore(sql);
    const streams = Array.from({ length: 40 }, () => randomUUID());
    const results = await Promise.all(streams.map((s, i) => store.append(s, 'no_stream', [event(i)], options())));
    expect(store.appendGroups.largest).toBeGreaterThan(1);
    expect(store.appendGroups.groups).toBeLessThan(streams.length);
    expect(new Set(results.map((r) => r.firstPosition)).size).toBe(streams.length);
    for (const [i, result] of results.entries()) {
      expect(result).toMatchObject({ streamId: streams[i], nextExpectedVersion: 1, duplicate: false });
      expect(result.firstPosition).toBe(result.lastPosition);
      const [read] = await store.readStream(streams[i]!);
      expect(read).toMatchObject({ position: result.lastPosition, transactionId: result.transactionId, data: { n: i } });
      expect(read!.prevHash).toBeNull();
    }
    expect(await store.verifyAll()).toMatchObject({ intact: true });
    await store.flush();
  });

  dbTest('conflicts, gaps, duplicates and bad input in one burst fail only their own callers', async ({ sql }) => {
    const store = combiningStore(sql);
    // Each member on a stream of its own, so that all can share one statement.
    const [existing, taken, behind, anyTarget] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const s of [existing, anyTarget]) await store.append(s, 'no_stream', [event(1), event(2)], options());
    for (const s of [taken, behind]) await store.append(s, 'no_stream', [event(1)], options());
    const recorded = randomUUID();
    const first = await store.append(randomUUID(), 'no_stream', [event(0)], options('acme', { commandId: recorded }));
    const burstCommand = randomUUID();
    const lostCommand = randomUUID();
    const burstStreams = [randomUUID(), randomUUID()];
    const fresh = Array.from({ length: 10 }, () => randomUUID());
    const extended = randomUUID();
    await store.append(extended, 'no_stream', [event(1)], options());
    const groupsBefore = store.appendGroups.groups;
    const appendsBefore = store.appendGroups.appends;

    const results = await settle<AppendResult>([
      ...fresh.map((s, i) => store.append(s, 'no_stream', [event(i)], options())), // 0-9: succeed
      store.append(existing, 1, [event(3)], options('acme', { commandId: lostCommand })), // 10: stale expected version
      store.append(taken, 'no_stream', [event(3)], options()), // 11: stream exists
      store.append(behind, 7, [event(3)], options()), // 12: ahead of the stream (the trigger's DV001 case)
      store.append(randomUUID(), 'no_stream', [event(1)], options('acme', { commandId: recorded })), // 13: recorded before
      ...burstStreams.map((s) => store.append(s, 'no_stream', [event(1)], options('acme', { commandId: burstCommand }))), // 14, 15
      store.append(randomUUID(), 'no_stream', [event(1, 'not a type!')], options()), // 16: refused before any SQL
      store.append(extended, 1, [event(2)], options()), // 17: succeeds, chained to the existing version 1
      store.append(anyTarget, 'any', [event(4)], options()), // 18: succeeds after whatever is there
    ]);
    expect(store.appendGroups.appends - appendsBefore).toBe(results.length - 1); // all but the refused input
    expect(store.appendGroups.groups - groupsBefore).toBeLessThan(results.length - 1);

    const written = fresh.map((s, i) => value(results[i]!));
    for (const [i, s] of fresh.entries()) expect(written[i]).toMatchObject({ streamId: s, nextExpectedVersion: 1 });
    // They were combined: the members that failed did not fail their statements.
    expect(new Set(written.map((r) => r.transactionId)).size).toBeLessThan(fresh.length);
    expect(reason(results[10]!)).toBeInstanceOf(ConcurrencyConflictError);
    expect(reason(results[10]!)).toMatchObject({ streamId: existing, expected: 1 });
    expect(reason(results[11]!)).toMatchObject({ name: 'ConcurrencyConflictError', expected: 'no_stream' });
    expect(reason(results[12]!)).toMatchObject({ name: 'ConcurrencyConflictError', expected: 7 });
    expect(value(results[13]!)).toEqual({ ...first, duplicate: true });
    const pair = [value(results[14]!), value(results[15]!)];
    expect(pair.filter((r) => r.duplicate)).toHaveLength(1);
    expect(pair[0]!.lastPosition).toBe(pair[1]!.lastPosition);
    expect(pair[0]!.transactionId).toBe(pair[1]!.transactionId);
    expect(reason(results[16]!)).toBeInstanceOf(EventStoreInputError);
    expect(value(results[17]!)).toMatchObject({ streamId: extended, nextExpectedVersion: 2 });
    expect(value(results[18]!)).toMatchObject({ streamId: anyTarget, nextExpectedVersion: 3 });

    // The conflicts wrote nothing; the winners are chained to their streams.
    expect(await store.streamVersion(existing)).toBe(2);
    expect(await store.streamVersion(taken)).toBe(1);
    expect(await store.streamVersion(behind)).toBe(1);
    const anyEvents = await store.readStream(anyTarget);
    expect(anyEvents.map((e) => e.data.n)).toEqual([1, 2, 4]);
    expect(anyEvents[2]!.prevHash).toBe(anyEvents[1]!.hash);
    const extendedEvents = await store.readStream(extended);
    expect(extendedEvents[1]!.prevHash).toBe(extendedEvents[0]!.hash);
    // One command id, one append: the duplicate's stream was never written.
    const versions = await Promise.all(burstStreams.map((s) => store.streamVersion(s)));
    expect([...versions].sort()).toEqual([0, 1]);
    expect(pair[0]!.streamId).toBe(burstStreams[versions.indexOf(1)]);
    const [commands] = await sql<{ n: number }[]>`
      select count(*)::int as n from event_commands where command_id = ${burstCommand}::uuid`;
    expect(commands!.n).toBe(1);
    // The conflict recorded nothing of its command id: retried at the right version, it is written.
    const retried = await store.append(existing, 2, [event(5)], options('acme', { commandId: lostCommand }));
    expect(retried).toMatchObject({ duplicate: false, nextExpectedVersion: 3 });
    expect(await store.verifyAll()).toMatchObject({ intact: true });
    await store.flush();
  });

  dbTest('a member Postgres refuses fails alone: the others are written on their own', async ({ sql }) => {
    const store = combiningStore(sql);
    const streams = Array.from({ length: 8 }, () => randomUUID());
    const refused = randomUUID();
    const results = await settle([
      ...streams.map((s, i) => store.append(s, 'no_stream', [event(i)], options())),
      // Valid input that fails the whole combined statement: the version is no Postgres integer.
      store.append(refused, 2 ** 40, [event(1)], options()),
      ...streams.map((s, i) => store.append(s, 1, [event(i)], options())),
    ]);
    expect(store.appendGroups.largest).toBeGreaterThan(1);
    expect(reason(results[streams.length]!)).toMatchObject({ name: 'PostgresError' });
    for (const [i, r] of results.entries()) if (i !== streams.length) expect(r.status).toBe('fulfilled');
    for (const s of streams) expect(await store.verify(s)).toMatchObject({ intact: true, checked: 2 });
    expect(await store.streamVersion(refused)).toBe(0);
    await store.flush();
  });

  dbTest('a combined statement commits its appends in one transaction, read once each in log order', async ({ sql }) => {
    const store = combiningStore(sql);
    const [before] = await sql<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
    const from: GlobalCheckpoint = { transactionId: BigInt(before!.xid), position: 0n };
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.append(randomUUID(), 'no_stream', [event(i)], options())),
    );
    const byTransaction = new Map<bigint, AppendResult[]>();
    for (const r of results) byTransaction.set(r.transactionId, [...(byTransaction.get(r.transactionId) ?? []), r]);
    expect(Math.max(...[...byTransaction.values()].map((group) => group.length))).toBeGreaterThan(1);

    const read = await readAllAfter(sql, from, results.map((r) => r.lastPosition));
    expect(read.map((e) => e.position).sort()).toEqual(results.map((r) => r.lastPosition).sort());
    for (const e of read) {
      expect(results.find((r) => r.lastPosition === e.position)!.transactionId).toBe(e.transactionId);
    }
    const order = read.map((e): GlobalCheckpoint => ({ transactionId: e.transactionId, position: e.position }));
    const sorted = [...order].sort((a, b) =>
      a.transactionId !== b.transactionId ? (a.transactionId < b.transactionId ? -1 : 1) : a.position < b.position ? -1 : 1,
    );
    expect(order).toEqual(sorted);
    await store.flush();
  });

  dbTest('appends racing on one stream in combined statements: each version taken once, the rest conflict', async ({ sql }) => {
    const store = combiningStore(sql);
    const stream = randomUUID();
    await store.append(stream, 'no_stream', [event(0)], options());
    const others = settle(Array.from({ length: 12 }, (_, i) => store.append(randomUUID(), 'no_stream', [event(i)], options())));
    const racing = await settle(Array.from({ length: 12 }, (_, i) => store.append(stream, 1, [event(i)], options())));
    expect((await others).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(racing.map(reason).filter((e) => e instanceof ConcurrencyConflictError)).toHaveLength(11);
    expect(await store.streamVersion(stream)).toBe(2);
    expect(await store.verify(stream)).toMatchObject({ intact: true, checked: 2 });
    await store.flush();
  });
});
