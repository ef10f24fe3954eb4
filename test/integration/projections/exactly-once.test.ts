import { describe, expect } from 'vitest';
import { createSql } from '../../../src/db/client.ts';
import { CHANGES_CHANNEL, parseChanges, PROJECTIONS, startProjector } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { createProject, writeRequests } from './events.ts';
import { expectReadModelsMatchFold } from './fold.ts';

dbTest.override('poolSize', 30);

describe('exactly once under concurrent writers', () => {
  dbTest('16 writers with random delays inside their transactions: the read models equal a fold of the event store', async ({ sql, url, store }) => {
    // Every change published, per row: the last one must carry the row's final cursor.
    const listener = createSql(url, { max: 1 });
    const lastPublished = new Map<string, string>();
    await listener.listen(CHANGES_CHANNEL, (payload) => {
      for (const change of parseChanges(payload)) {
        if (change.projection === 'vm_requests') lastPublished.set(change.id, change.cursor);
      }
    });
    const projector = await startProjector({ sql, projections: PROJECTIONS, batchSize: 50, log: () => {} });
    try {
      const projects = await Promise.all(['Webshop', 'Billing', 'Search'].map((name) => createProject(store, 'acme', name, 'admin')));
      const written = await writeRequests(store, 'acme', projects, {
        writers: 16,
        perWriter: 8,
        delayMs: () => Math.floor(Math.random() * 15),
      });
      expect(written).toBe(128);
      await projector.caughtUp();
      await expectReadModelsMatchFold(sql);

      const rows = await sql<{ id: string; changed_tx: string; changed_position: string }[]>`
        select id::text, changed_tx::text, changed_position::text from vm_requests`;
      const { encodeCursor } = await import('../../../src/projections/changes.ts');
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const row of rows) {
        expect(lastPublished.get(row.id)).toBe(
          encodeCursor({ transactionId: BigInt(row.changed_tx), position: BigInt(row.changed_position) }),
        );
      }
      expect(projector.status().projections.every((p) => p.leading && p.stalled === null)).toBe(true);
    } finally {
      await projector.stop();
      await listener.end();
    }
  });
});
