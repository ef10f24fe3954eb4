import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { createEventStore, EVENTS_CHANNEL, type EventStore } from '../../../src/event-store/index.ts';
import { createSql } from '../../../src/db/client.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from './fixtures.ts';

/** A store that coalesces its wake-ups over 5 ms, so a burst of appends sends a few NOTIFYs, not one each. */
const notifyTest = dbTest.override('store', { scope: 'file' }, ({ database }, { onCleanup }): EventStore => {
  const store = createEventStore(database.sql, { notifyIntervalMs: 5 });
  onCleanup(() => store.flush());
  return store;
});

describe('coalesced wake-ups', () => {
  notifyTest('1,000 appends in a burst send far fewer NOTIFYs, at least one after the last commit', async ({ url, store }) => {
    const listener = createSql(url, { max: 1 });
    const received: number[] = [];
    await listener.listen(EVENTS_CHANNEL, () => received.push(Date.now()));
    try {
      let lastCommit = 0;
      const writer = async (): Promise<void> => {
        for (let i = 0; i < 100; i++) {
          await store.append(randomUUID(), 'no_stream', [event(i)], options());
          lastCommit = Math.max(lastCommit, Date.now());
        }
      };
      await Promise.all(Array.from({ length: 10 }, writer));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received.length).toBeGreaterThan(0);
      expect(received.length).toBeLessThan(500);
      expect(Math.max(...received)).toBeGreaterThanOrEqual(lastCommit);
    } finally {
      await listener.end();
    }
  });

  notifyTest('sends nothing from inside a transaction before it commits', async ({ url, store }) => {
    const listener = createSql(url, { max: 1 });
    const received: number[] = [];
    await listener.listen(EVENTS_CHANNEL, () => received.push(Date.now()));
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      received.length = 0;
      let committedAt = 0;
      await store.transaction(async (tx) => {
        await store.append(randomUUID(), 'no_stream', [event(1)], { ...options(), sql: tx });
        await new Promise((resolve) => setTimeout(resolve, 100));
        committedAt = Date.now();
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received.length).toBe(1);
      expect(received[0]!).toBeGreaterThanOrEqual(committedAt);
    } finally {
      await listener.end();
    }
  });
});
