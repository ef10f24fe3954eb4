import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { EventStore } from '../../../src/event-store/index.ts';
import type { LogEvent } from '../../../src/event-store/read-all.ts';
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
