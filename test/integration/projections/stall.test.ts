import { describe, expect, vi } from 'vitest';
import {
  PROJECTIONS,
  readProjectionStatus,
  startProjector,
  type Projection,
} from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { createProject, playRequest, randomRequest } from './events.ts';
import { expectReadModelsMatchFold } from './fold.ts';

describe('a failing handler', () => {
  dbTest('stalls only its own projection, at the failing event, and resumes once the handler works again', async ({ sql, store }) => {
    let broken = true;
    const seen: bigint[] = [];
    // Counts the events it applied in its own table (so a rolled-back batch leaves no trace), fails on one VM name.
    await sql`create table fragile_seen (position bigint primary key)`;
    const fragile: Projection = {
      name: 'fragile',
      tables: [],
      async apply(tx, events) {
        for (const event of events) {
          if (broken && (event.data as { vmName?: string }).vmName === 'poison') throw new Error('cannot handle poison');
          await tx`insert into fragile_seen values (${event.position.toString()})`;
          seen.push(event.position);
        }
        return [];
      },
    };
    const lines: string[] = [];
    const projector = await startProjector({
      sql,
      projections: [...PROJECTIONS, fragile],
      batchSize: 100,
      retryInitialMs: 100,
      retryMaxMs: 400,
      log: (line) => lines.push(line),
    });
    try {
      const projectId = await createProject(store, 'acme', 'Fragile', 'admin');
      for (let i = 0; i < 5; i++) await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', `fine-${i}`));
      await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', 'poison'));
      for (let i = 0; i < 5; i++) await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', `later-${i}`));

      const [poison] = await sql<{ position: string; before: string; before_tx: string }[]>`
        select e.position::text,
               (select p.position::text from events p where (p.transaction_id, p.position) < (e.transaction_id, e.position)
                order by p.transaction_id desc, p.position desc limit 1) as before,
               (select p.transaction_id::text from events p where (p.transaction_id, p.position) < (e.transaction_id, e.position)
                order by p.transaction_id desc, p.position desc limit 1) as before_tx
        from events e where e.data->>'vmName' = 'poison'`;

      // The other projections carry on past the poison event ...
      await expect
        .poll(async () => (await readProjectionStatus(sql, PROJECTIONS.map((p) => p.name))).map((s) => s.lagEvents), { timeout: 20_000 })
        .toEqual(PROJECTIONS.map(() => 0));
      await expectReadModelsMatchFold(sql);

      // ... while this one stops right before it, and says so.
      const fragileStatus = await vi.waitFor(
        async () => {
          const [status] = await readProjectionStatus(sql, ['fragile']);
          expect(status?.stalled).toBeTruthy();
          return status!;
        },
        { timeout: 20_000 },
      );
      expect(fragileStatus.stalled!.position).toBe(BigInt(poison!.position));
      expect(fragileStatus.stalled!.error).toContain('cannot handle poison');
      expect(fragileStatus.checkpoint).toEqual({ transactionId: BigInt(poison!.before_tx), position: BigInt(poison!.before) });
      const [applied] = await sql<{ n: number; max: string }[]>`select count(*)::int as n, max(position)::text as max from fragile_seen`;
      expect(applied!.max).toBe(poison!.before);
      const runtime = projector.status().projections.find((p) => p.name === 'fragile')!;
      expect(runtime.stalled?.position).toBe(BigInt(poison!.position));
      expect(lines.some((line) => line.includes('fragile STALLED at event position ' + poison!.position))).toBe(true);
      // Retries back off but keep failing at the same event.
      await expect
        .poll(() => projector.status().projections.find((p) => p.name === 'fragile')?.stalled?.attempts ?? 0, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(2);

      broken = false;
      await projector.caughtUp();
      const [status] = await readProjectionStatus(sql, ['fragile']);
      expect(status!.stalled).toBeNull();
      expect(status!.lagEvents).toBe(0);
      const [all] = await sql<{ seen: number; events: number }[]>`
        select (select count(*)::int from fragile_seen) as seen, (select count(*)::int from events) as events`;
      expect(all!.seen).toBe(all!.events);
      expect(lines.some((line) => line.includes('fragile recovered'))).toBe(true);
    } finally {
      await projector.stop();
    }
  });
});
