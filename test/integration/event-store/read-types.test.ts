import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client.ts';
import { createEventStore, START, type EventStore } from '../../../src/event-store/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { event, options } from './fixtures.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase();
  // drizzle-orm installs its own timestamp parsers on the client it is given; the store shares that client.
  createDb(t.sql);
  store = createEventStore(t.sql);
});
afterAll(async () => t.close());

describe('recorded events', () => {
  it('carry recordedAt as a Date whatever parsers the shared client has', async () => {
    const stream = randomUUID();
    const before = Date.now();
    await store.append(stream, 'no_stream', [event(1)], options());
    const [fromStream] = await store.readStream(stream);
    // Gap-safe reads wait for every older transaction on the server (other test files share it) to end.
    let fromAll: Awaited<ReturnType<EventStore['readAll']>>['events'][number] | undefined;
    for (const deadline = Date.now() + 10_000; !fromAll && Date.now() < deadline; ) {
      fromAll = (await store.readAll(START, 10_000)).events.find((e) => e.streamId === stream);
      if (!fromAll) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const e of [fromStream!, fromAll!]) {
      expect(e.recordedAt).toBeInstanceOf(Date);
      expect(Math.abs(e.recordedAt.getTime() - before)).toBeLessThan(60_000);
    }
  });
});
