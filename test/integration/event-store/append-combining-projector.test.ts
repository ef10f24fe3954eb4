import { describe, expect } from 'vitest';
import { createEventStore } from '../../../src/event-store/index.ts';
import { PROJECTIONS, startProjector } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { createProject, writeRequests } from '../projections/events.ts';
import { expectReadModelsMatchFold } from '../projections/fold.ts';

dbTest.override('poolSize', 30);

describe('combined appends under the projector', () => {
  dbTest('16 writers appending outside transactions: the read models equal a fold of the event store', async ({ sql }) => {
    const store = createEventStore(sql);
    const projector = await startProjector({ sql, projections: PROJECTIONS, batchSize: 50, log: () => {} });
    try {
      const projects = await Promise.all(['Webshop', 'Billing', 'Search'].map((name) => createProject(store, 'acme', name, 'admin')));
      const written = await writeRequests(store, 'acme', projects, { writers: 16, perWriter: 8 });
      expect(written).toBe(128);
      // Combining happened: some statements carried several writers' appends.
      expect(store.appendGroups.largest).toBeGreaterThan(1);
      await projector.caughtUp();
      await expectReadModelsMatchFold(sql);
      expect(await store.verifyAll()).toMatchObject({ intact: true });
    } finally {
      await projector.stop();
      await store.flush();
    }
  });
});
