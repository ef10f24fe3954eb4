import { describe, expect, vi } from 'vitest';
import { START } from '../../../src/event-store/index.ts';
import type { LogEvent } from '../../../src/event-store/read-all.ts';
import { projectorReadiness } from '../../../src/http/projector-health.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { batchPool } from '../../../src/projections/connection.ts';
import { pipelined, readProjectionStatus, startProjector, type Projection } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { appendNotes, notesProjection, readSettled } from './runtime-support.ts';

/**
 * A handler statement whose parameter postgres.js cannot serialise fails on the client, before its Bind is sent.
 * That is the handler's bug, like bad SQL: its projection stalls with the error, and nothing of the batch commits.
 * (Unpatched, the driver skipped the statement and let the COMMIT through, or desynchronised the connection until the
 * server's idle-in-transaction timeout closed it, which the projector took for an outage and retried forever.)
 */
const n = (event: LogEvent): number => (event.data as { n: number }).n;

describe('a handler parameter that cannot be serialised', () => {
  dbTest('stalls its projection at the event, with the error recorded and logged, and it resumes once fixed', async ({ sql, store }) => {
    await sql`create table unserialisable_seen (n int primary key, at timestamptz not null)`;
    let broken = true;
    const statement = (events: LogEvent[]) =>
      pipelined([], (tx) => {
        const ns = events.map(n);
        const at = events.map((event) => new Date(event.recordedAt).toISOString());
        // The first draft of usage_report's: a timestamptz[] of strings. Drizzle's pass-through serialiser for
        // timestamptz[] (registered on the shared pool options) hands postgres.js the array itself.
        return broken && ns.includes(4)
          ? [tx`insert into unserialisable_seen select * from unnest(${ns}::int[], ${at}::timestamptz[])`]
          : [tx`insert into unserialisable_seen select * from json_to_recordset(${JSON.stringify(ns.map((v, i) => ({ n: v, at: at[i] })))}::text::json) as r(n int, at timestamptz)`];
      });
    const fragile: Projection = { name: 'unserialisable', tables: [], apply: (tx, events) => statement(events)(tx), prepare: statement };
    const healthy = await notesProjection(sql, 'serialisable');
    const lines: string[] = [];
    const projector = await startProjector({
      sql,
      projections: [healthy, fragile],
      batchSize: 100,
      retryInitialMs: 100,
      retryMaxMs: 400,
      log: (line) => lines.push(line),
    });
    try {
      await appendNotes(store, 6);
      const [poison] = await sql<{ position: string }[]>`select position::text from events where data->>'n' = '4'`;

      // The other projection carries on ...
      await expect.poll(() => healthy.seen(), { timeout: 20_000 }).toEqual([1, 2, 3, 4, 5, 6]);
      // ... while this one stalls at the event, recorded where `projections status` reads it.
      const status = await vi.waitFor(
        async () => {
          const [status] = await readProjectionStatus(sql, [fragile.name]);
          expect(status?.stalled).toBeTruthy();
          return status!;
        },
        { timeout: 20_000 },
      );
      expect(status.stalled!.position).toBe(BigInt(poison!.position));
      expect(status.stalled!.error).toMatch(/^PARAMETER_NOT_SERIALISABLE: parameter \$2 \(type 1185\) could not be serialised: /);
      // Nothing of the failing event's batch committed: the checkpoint and the table stop right before it.
      expect((await sql<{ n: number }[]>`select n from unserialisable_seen order by n`).map((row) => row.n)).toEqual([1, 2, 3]);
      const runtime = projector.status().projections.find((p) => p.name === fragile.name)!;
      expect(runtime.stalled?.error).toContain('PARAMETER_NOT_SERIALISABLE');
      expect(await projectorReadiness(projector)()).toEqual({ ok: false, detail: `stalled: ${fragile.name}` });
      // Retried with the stall backoff, each attempt at the same event; never taken for an outage.
      await expect.poll(() => projector.status().projections.find((p) => p.name === fragile.name)?.stalled?.attempts ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      const stalls = lines.filter((line) => line.includes(`projection ${fragile.name} STALLED at event position ${poison!.position}`));
      expect(stalls.length).toBeGreaterThanOrEqual(3);
      expect(stalls[0]).toContain('could not be serialised');
      expect(lines.filter((line) => line.includes('catch-up failed') || line.includes('database'))).toEqual([]);

      broken = false;
      await projector.caughtUp();
      expect((await sql<{ n: number }[]>`select n from unserialisable_seen order by n`).map((row) => row.n)).toEqual([1, 2, 3, 4, 5, 6]);
      const [after] = await readProjectionStatus(sql, [fragile.name]);
      expect(after!.stalled).toBeNull();
      expect(lines.some((line) => line.includes(`projection ${fragile.name} recovered`))).toBe(true);
    } finally {
      await projector.stop();
    }
  });

  dbTest('fails its batch transaction, which commits nothing, and leaves the connection in step for the next one', async ({ sql, store }) => {
    await sql`create table invalid_date_seen (n int primary key, at timestamptz)`;
    const projection: Projection = {
      name: 'invalid_date',
      tables: [],
      // A Date goes out as the Date itself (drizzle's pass-through serialiser for timestamptz, on the shared pool
      // options), which postgres.js cannot write. Before and after it, statements that would commit if the
      // transaction went on without it.
      apply: async (tx, events) => {
        await Promise.all(
          events.flatMap((event) => [
            tx`insert into invalid_date_seen values (${n(event)}, null)`.execute(),
            tx`update invalid_date_seen set at = ${n(event) === 2 ? new Date(0) : new Date(0).toISOString()}::timestamptz where n = ${n(event)}`.execute(),
            tx`insert into invalid_date_seen values (${-n(event)}, null)`.execute(),
          ]),
        );
        return [];
      },
    };
    await ensureCheckpoint(sql, projection.name);
    const writer = batchPool(sql, { applicationName: 'dvmm-test-unserialisable', max: 1 });
    try {
      await appendNotes(store, 3);
      const { events } = await readSettled(sql, START, 100);
      // The first time the statement is described before its Bind is built; after that it is prepared, and its Bind is
      // built as it is sent: both fail alone, and the transaction with them.
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(applyBatch(writer, projection, START, events)).rejects.toMatchObject({
          code: 'PARAMETER_NOT_SERIALISABLE',
          message: expect.stringMatching(/parameter \$1 \(type 1184\) could not be serialised: /),
        });
        expect(await loadCheckpoint(sql, projection.name)).toEqual(START);
        expect(await sql`select n from invalid_date_seen`).toEqual([]);
      }
      // The same (only) connection answers the next batch in order.
      const outcome = await applyBatch(writer, projection, START, events.slice(0, 1));
      expect(outcome.kind).toBe('applied');
      expect((await sql<{ n: number }[]>`select n from invalid_date_seen order by n`).map((row) => row.n)).toEqual([-1, 1]);
    } finally {
      await writer.end();
    }
  });
});
