import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, type EventStore } from '../../../src/event-store/index.ts';
import {
  PROJECTIONS,
  readProjectionStatus,
  startProjector,
  type Projection,
} from '../../../src/projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createProject, playRequest, randomRequest } from './events.ts';
import { expectReadModelsMatchFold, waitFor } from './fold.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
});
afterAll(async () => {
  await t.close();
});

describe('a failing handler', () => {
  it('stalls only its own projection, at the failing event, and resumes once the handler works again', async () => {
    let broken = true;
    const seen: bigint[] = [];
    // Counts the events it applied in its own table (so a rolled-back batch leaves no trace), fails on one VM name.
    await t.sql`create table fragile_seen (position bigint primary key)`;
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
      sql: t.sql,
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

      const [poison] = await t.sql<{ position: string; before: string; before_tx: string }[]>`
        select e.position::text,
               (select p.position::text from events p where (p.transaction_id, p.position) < (e.transaction_id, e.position)
                order by p.transaction_id desc, p.position desc limit 1) as before,
               (select p.transaction_id::text from events p where (p.transaction_id, p.position) < (e.transaction_id, e.position)
                order by p.transaction_id desc, p.position desc limit 1) as before_tx
        from events e where e.data->>'vmName' = 'poison'`;

      // The other projections carry on past the poison event ...
      await waitFor('the healthy projections', async () => {
        const status = await readProjectionStatus(t.sql, PROJECTIONS.map((p) => p.name));
        return status.every((s) => s.lagEvents === 0);
      });
      await expectReadModelsMatchFold(t.sql);

      // ... while this one stops right before it, and says so.
      const fragileStatus = await waitFor('the stall', async () => {
        const [status] = await readProjectionStatus(t.sql, ['fragile']);
        return status?.stalled ? status : null;
      });
      expect(fragileStatus.stalled!.position).toBe(BigInt(poison!.position));
      expect(fragileStatus.stalled!.error).toContain('cannot handle poison');
      expect(fragileStatus.checkpoint).toEqual({ transactionId: BigInt(poison!.before_tx), position: BigInt(poison!.before) });
      const [applied] = await t.sql<{ n: number; max: string }[]>`select count(*)::int as n, max(position)::text as max from fragile_seen`;
      expect(applied!.max).toBe(poison!.before);
      const runtime = projector.status().projections.find((p) => p.name === 'fragile')!;
      expect(runtime.stalled?.position).toBe(BigInt(poison!.position));
      expect(lines.some((line) => line.includes('fragile STALLED at event position ' + poison!.position))).toBe(true);
      // Retries back off but keep failing at the same event.
      await waitFor('a retry', async () => (projector.status().projections.find((p) => p.name === 'fragile')?.stalled?.attempts ?? 0) >= 2);

      broken = false;
      await projector.caughtUp();
      const [status] = await readProjectionStatus(t.sql, ['fragile']);
      expect(status!.stalled).toBeNull();
      expect(status!.lagEvents).toBe(0);
      const [all] = await t.sql<{ seen: number; events: number }[]>`
        select (select count(*)::int from fragile_seen) as seen, (select count(*)::int from events) as events`;
      expect(all!.seen).toBe(all!.events);
      expect(lines.some((line) => line.includes('fragile recovered'))).toBe(true);
    } finally {
      await projector.stop();
    }
  });
});
