import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, START, type EventStore, type GlobalCheckpoint } from '../../../src/event-store/index.ts';
import { readAllLean } from '../../../src/event-store/read-all.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { event, options } from './fixtures.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase({ max: 24 });
  store = createEventStore(t.sql);
});
afterAll(async () => {
  await store.flush();
  await t.close();
});

/**
 * The reader under test is readAllLean, the one the projector and rebuilds use; readAll shares its WHERE and ORDER
 * BY (gapSafeAfter), which the last test checks.
 */
const read = (after: GlobalCheckpoint, limit: number) => readAllLean(t.sql, after, limit);

/**
 * Reads everything after `from`. An empty batch is the end only once every committed event after `from` has been
 * seen: a transaction open elsewhere on the server (another test file's) may hold the gap-safe horizon back for a
 * moment. Gives up after 10 s without progress.
 */
async function drain(from: GlobalCheckpoint, waitForAll = true): Promise<{ seen: bigint[]; checkpoint: GlobalCheckpoint }> {
  const seen: bigint[] = [];
  let checkpoint = from;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const batch = await read(checkpoint, 100);
    seen.push(...batch.events.map((e) => e.position));
    checkpoint = batch.checkpoint;
    if (batch.events.length > 0) continue;
    if (!waitForAll) return { seen, checkpoint };
    const [row] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from events
      where (transaction_id, position) > (${from.transactionId.toString()}::xid8, ${from.position.toString()}::bigint)`;
    if (seen.length >= row!.n || Date.now() > deadline) return { seen, checkpoint };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('gap-safe reads of the log', () => {
  it('holds back a later commit until the earlier open transaction commits, then hands out both', async () => {
    const { checkpoint: start } = await drain(START);
    let releaseA!: () => void;
    const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
    let aAppended!: () => void;
    const aHasAppended = new Promise<void>((resolve) => (aAppended = resolve));

    const a = store.transaction(async (tx) => {
      const r = await store.append(randomUUID(), 'no_stream', [event(1)], { ...options(), sql: tx });
      aAppended();
      await aMayCommit;
      return r;
    });
    await aHasAppended;
    const b = await store.append(randomUUID(), 'no_stream', [event(2)], options());

    const during = await drain(start, false);
    expect(during.seen).not.toContain(b.firstPosition);
    expect(during.seen).toEqual([]);

    releaseA();
    const aResult = await a;
    expect(aResult.firstPosition).toBeLessThan(b.firstPosition);
    // Any open transaction on the server holds the horizon back, so keep reading until both are out.
    const after: bigint[] = [];
    let checkpoint = during.checkpoint;
    for (let i = 0; i < 500 && after.length < 2; i++) {
      const next = await drain(checkpoint);
      after.push(...next.seen);
      checkpoint = next.checkpoint;
      if (after.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(after).toEqual([aResult.firstPosition, b.firstPosition]);
  });

  it('16 writers x 500 events with random delays: a following reader sees every event exactly once', async () => {
    const { checkpoint: start } = await drain(START);
    const writers = 16;
    const perWriter = 500;
    const written: bigint[] = [];
    let writing = true;

    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < perWriter; i++) {
        const delay = Math.random() < 0.1 ? Math.floor(Math.random() * 4) : 0;
        const r = await store.transaction(async (tx) => {
          const appended = await store.append(randomUUID(), 'no_stream', [event(w * perWriter + i)], {
            ...options(),
            sql: tx,
          });
          if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
          return appended;
        });
        written.push(r.firstPosition);
      }
    };

    const seen: bigint[] = [];
    const reader = (async () => {
      let checkpoint = start;
      // After the writers are done, an empty batch does not mean the end: a transaction still open elsewhere on the
      // server (another test file's) holds the gap-safe horizon back, and the rest follows once it ends. So read
      // on until every event has been seen, or nothing new came for 10 s (then the assertions below tell what is
      // missing).
      let idleSince: number | null = null;
      for (;;) {
        const stillWriting = writing;
        const batch = await read(checkpoint, 250);
        seen.push(...batch.events.map((e) => e.position));
        checkpoint = batch.checkpoint;
        if (batch.events.length > 0) idleSince = null;
        else {
          if (!stillWriting && seen.length >= writers * perWriter) return;
          if (!stillWriting) {
            idleSince ??= Date.now();
            if (Date.now() - idleSince > 10_000) return;
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
    })();

    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    writing = false;
    await reader;

    expect(written).toHaveLength(writers * perWriter);
    const duplicates = seen.filter((p, i) => seen.indexOf(p) !== i);
    expect(duplicates).toEqual([]);
    expect([...seen].sort((x, y) => (x < y ? -1 : 1))).toEqual([...written].sort((x, y) => (x < y ? -1 : 1)));
  });
});

describe('global order', () => {
  it('orders by transaction id as a number, across a change in digit count', async () => {
    // Transaction ids 9 and 10 (long finished on any server) sort as 10 < 9 if compared as text. Rows with chosen
    // ids can only be written with the triggers off, as the link trigger stamps the writer's real id.
    const { checkpoint: start } = await drain(START);
    const [first, second] = [randomUUID(), randomUUID()];
    await t.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      for (const [stream, xid] of [[second, '10'], [first, '9']] as const) {
        await tx`insert into events (transaction_id, stream_id, stream_type, stream_version, event_type, data, metadata, tenant_id, hash)
                 values (${xid}::xid8, ${stream}, 'Test', 1, 'X', '{}', '{}', 'acme', '')`;
      }
    });
    const all = await read(START, 10_000);
    const ours = all.events.filter((e) => e.streamId === first || e.streamId === second);
    expect(ours.map((e) => e.streamId)).toEqual([first, second]);
    // A reader past 9 gets 10 once, and a reader past 10 gets neither again.
    const nine = ours[0]!;
    const afterNine = await read({ transactionId: nine.transactionId, position: nine.position }, 10_000);
    expect(afterNine.events.filter((e) => e.streamId === first || e.streamId === second).map((e) => e.streamId)).toEqual([
      second,
    ]);
    expect(start).toBeDefined();
  });

  it('readAll hands out the same events in the same order as readAllLean, with their hash links', async () => {
    await store.append(randomUUID(), 'no_stream', [event(1), event(2)], options());
    await drain(START);
    const lean = await read(START, 10_000);
    expect(lean.events.length).toBeGreaterThan(0);
    // The horizon only moves on, and nothing can later sort before an event handed out: the first n stay the first n.
    const full = await store.readAll(START, lean.events.length);
    expect(full.events.map((e) => [e.transactionId, e.position])).toEqual(lean.events.map((e) => [e.transactionId, e.position]));
    expect(full.checkpoint).toEqual(lean.checkpoint);
    expect(full.events.every((e) => typeof e.hash === 'string' && e.prevHash !== undefined)).toBe(true);
  });

  it('stamps the writing transaction id, whatever an INSERT says', async () => {
    const stream = randomUUID();
    const [row] = await t.sql.begin(async (tx) => {
      await tx`insert into events (transaction_id, stream_id, stream_type, stream_version, event_type, data, metadata, tenant_id)
               values ('5'::xid8, ${stream}, 'Test', 1, 'X', '{}', '{}', 'acme')`;
      return tx`select pg_current_xact_id()::text as xid, (select transaction_id::text from events where stream_id = ${stream}) as stored`;
    });
    expect(row!.stored).toBe(row!.xid);
    expect(row!.stored).not.toBe('5');
  });
});
