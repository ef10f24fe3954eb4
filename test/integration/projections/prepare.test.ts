import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, type EventStore } from '../../../src/event-store/index.ts';
import { PROJECTIONS, startProjector, vmRequestsProjection, type Projection } from '../../../src/projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createProject, metadata, playRequest, randomRequest } from './events.ts';
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

describe('prepared batches (Projection.prepare)', () => {
  it('a batch read ahead is prepared while the one before commits, and the result equals a fold', async () => {
    const projectId = await createProject(store, 'acme', 'Prepared', 'admin');
    for (let i = 0; i < 12; i++) await playRequest(store, 'acme', randomRequest(projectId, `user${i % 3}`, 'admin', `prepared-${i}`));
    // Counts how often the runtime prepares, to be sure the path under test is taken.
    let prepared = 0;
    const counting: Projection = {
      ...vmRequestsProjection,
      prepare: (events) => {
        prepared++;
        return vmRequestsProjection.prepare!(events);
      },
    };
    const projector = await startProjector({
      sql: t.sql,
      projections: PROJECTIONS.map((p) => (p === vmRequestsProjection ? counting : p)),
      batchSize: 7,
      log: () => {},
    });
    try {
      await projector.caughtUp();
      expect(prepared).toBeGreaterThan(5);
      await expectReadModelsMatchFold(t.sql);
    } finally {
      await projector.stop();
    }
  });

  it('a prepare that throws stalls its projection at the event, like a throwing apply', async () => {
    const projectId = await createProject(store, 'acme', 'Bad size', 'admin');
    const lines: string[] = [];
    const projector = await startProjector({ sql: t.sql, projections: PROJECTIONS, retryInitialMs: 60_000, log: (line) => lines.push(line) });
    try {
      await projector.caughtUp();
      // A creation with a size the catalogue does not know: vmRequestPatch (called by prepare) throws.
      const id = randomUUID();
      await store.append(id, 'no_stream', [{ type: 'VmRequestCreated', data: { projectId, vmName: 'bad', size: 'XXL', justification: 'A size that does not exist', requester: { id: 'alice' } } }], {
        streamType: 'VmRequest',
        tenantId: 'acme',
        metadata: metadata('acme', 'alice'),
      });
      const [bad] = await t.sql<{ position: string }[]>`select position::text from events where stream_id = ${id}`;
      await waitFor('vm_requests to stall', async () =>
        projector.status().projections.find((p) => p.name === vmRequestsProjection.name)?.stalled ?? null,
      );
      const status = projector.status().projections;
      expect(status.find((p) => p.name === vmRequestsProjection.name)!.stalled!.position.toString()).toBe(bad!.position);
      expect(status.find((p) => p.name === vmRequestsProjection.name)!.stalled!.error).toContain('unknown VM size');
      expect(lines.some((line) => line.includes(`STALLED at event position ${bad!.position}`))).toBe(true);
      // The others went on past it.
      await waitFor('projects and project_usage to pass the bad event', async () =>
        projector
          .status()
          .projections.filter((p) => p.name !== vmRequestsProjection.name)
          .every((p) => p.checkpoint !== null && p.checkpoint.position >= BigInt(bad!.position)) || null,
      );
    } finally {
      await projector.stop();
    }
  });
});
