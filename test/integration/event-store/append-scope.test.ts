import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type postgres from 'postgres';
import { collectAppends } from '../../../src/event-store/index.ts';
import { writtenPosition } from '../../../src/http/read-routing/written-cursor.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from './fixtures.ts';

/** A client that must not be used: the cursor of committed appends needs no round trip. */
const noQueries = new Proxy({}, {
  get() {
    throw new Error('queried the database');
  },
}) as postgres.Sql;

describe('append scope', () => {
  dbTest('collects each append where the log has it, and the cursor of committed ones needs no lookup', async ({ store }) => {
    const stream = randomUUID();
    const { scope, result } = collectAppends(async () => {
      const first = await store.append(stream, 'no_stream', [event(1), event(2)], options());
      const second = await store.transaction((tx) => store.append(stream, 2, [event(3)], { ...options(), sql: tx }));
      const commandId = randomUUID();
      await store.append(randomUUID(), 'no_stream', [event(1)], options('acme', { commandId }));
      const duplicate = await store.append(randomUUID(), 'no_stream', [event(1)], options('acme', { commandId }));
      return { first, second, duplicate };
    });
    const { first, second, duplicate } = await result;
    const log = await store.readStream(stream);
    expect(first.transactionId).toBe(log[1]!.transactionId);
    expect(second.transactionId).toBe(log[2]!.transactionId);
    expect(second).toMatchObject({ lastPosition: log[2]!.position, duplicate: false });
    expect(duplicate.duplicate).toBe(true);
    expect(scope.positions.map((p) => p.uncommitted)).toEqual([null, null, null, null]);
    expect(scope.positions[1]).toMatchObject({ transactionId: second.transactionId, position: second.lastPosition });
    const newest = scope.positions.reduce((a, b) => (b.transactionId > a.transactionId ? b : a));
    expect(await writtenPosition(noQueries, scope.positions)).toEqual({
      transactionId: newest.transactionId,
      position: newest.position,
    });
  });

  dbTest('an append whose transaction rolled back is not in the cursor', async ({ sql, store }) => {
    const kept = randomUUID();
    const { scope, result } = collectAppends(async () => {
      const written = await store.append(kept, 'no_stream', [event(1)], options());
      await store
        .transaction(async (tx) => {
          await store.append(randomUUID(), 'no_stream', [event(1)], { ...options(), sql: tx });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      // A transaction the store did not run: only the log can tell whether it committed.
      await sql.begin((tx) => store.append(randomUUID(), 'no_stream', [event(1)], { ...options(), sql: tx }));
      return written;
    });
    const written = await result;
    expect(scope.positions).toHaveLength(3);
    expect(scope.positions[1]!.uncommitted).not.toBeNull();
    expect(scope.positions[2]!.uncommitted).not.toBeNull();
    const outside = scope.positions[2]!;
    // The rolled-back append's transaction began after the first append's, so it would be the newest if counted.
    expect(await writtenPosition(sql, scope.positions)).toEqual({ transactionId: outside.transactionId, position: outside.position });
    expect(await writtenPosition(sql, scope.positions.slice(0, 2))).toEqual({
      transactionId: written.transactionId,
      position: written.lastPosition,
    });
  });
});
