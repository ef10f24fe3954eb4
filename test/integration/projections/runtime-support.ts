import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { EventStore } from '../../../src/event-store/index.ts';
import { type LogEvent, readAllLean, type ReadLogResult } from '../../../src/event-store/read-all.ts';
import type { GlobalCheckpoint } from '../../../src/event-store/index.ts';
import { expect, vi } from 'vitest';
import type { Projection } from '../../../src/projections/types.ts';
import { metadata } from './events.ts';

/** Appends `count` one-event streams ("Noted", data { n }), each in its own transaction; returns the ns. */
export async function appendNotes(store: EventStore, count: number, first = 1): Promise<number[]> {
  const ns = Array.from({ length: count }, (_, i) => first + i);
  for (const n of ns) {
    await store.append(randomUUID(), 'no_stream', [{ type: 'Noted', data: { n } }], {
      streamType: 'Note',
      tenantId: 'acme',
      metadata: metadata('acme', 'system'),
    });
  }
  return ns;
}

/**
 * A projection that records the `n` of every event it applies in a table of its own (so a rolled-back batch leaves
 * no trace), and throws on the ns in `failOn` while they are there.
 */
export async function notesProjection(sql: postgres.Sql, name: string, failOn = new Set<number>()): Promise<Projection & { seen(): Promise<number[]> }> {
  await sql.unsafe(`create table ${name}_seen (n int primary key)`);
  return {
    name,
    tables: [],
    async apply(tx, events: LogEvent[]) {
      for (const event of events) {
        const n = (event.data as { n: number }).n;
        if (failOn.has(n)) throw new Error(`${name} cannot handle note ${n}`);
        await tx.unsafe(`insert into ${name}_seen values ($1)`, [n]);
      }
      return [];
    },
    async seen() {
      const rows = await sql.unsafe<{ n: number }[]>(`select n from ${name}_seen order by n`);
      return rows.map((row) => row.n);
    },
  };
}

/**
 * readAllLean once it returns every committed event after `after` (up to `limit`): a gap-safe read holds events back
 * while an older transaction anywhere on the server is open, and other test files share the server.
 */
export async function readSettled(sql: postgres.Sql, after: GlobalCheckpoint, limit: number): Promise<ReadLogResult> {
  return vi.waitFor(
    async () => {
      const [committed] = await sql<{ n: number }[]>`
        select count(*)::int as n from events
        where (transaction_id, position) > (${after.transactionId.toString()}::text::xid8, ${after.position.toString()}::bigint)`;
      const read = await readAllLean(sql, after, limit);
      expect(read.events).toHaveLength(Math.min(limit, committed!.n));
      return read;
    },
    { timeout: 20_000, interval: 50 },
  );
}
