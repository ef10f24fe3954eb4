import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { PROJECTIONS, startProjector, vmRequestsProjection, type Projection } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { createProject, metadata, playRequest, randomRequest } from './events.ts';
import { expectReadModelsMatchFold } from './fold.ts';
import { readSettled } from './runtime-support.ts';
import { START } from '../../../src/event-store/index.ts';

describe('prepared batches (Projection.prepare)', () => {
  dbTest('a batch read ahead is prepared while the one before commits, and the result equals a fold', async ({ sql, store }) => {
    const projectId = await createProject(store, 'acme', 'Prepared', 'admin');
    for (let i = 0; i < 12; i++) await playRequest(store, 'acme', randomRequest(projectId, `user${i % 3}`, 'admin', `prepared-${i}`));
    // Every event visible to a gap-safe read (other files' transactions on the server can hold them back a moment).
    const { events } = await readSettled(sql, START, 100_000);
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
      sql,
      projections: PROJECTIONS.map((p) => (p === vmRequestsProjection ? counting : p)),
      batchSize: 7,
      log: () => {},
    });
    try {
      await projector.caughtUp();
      // One prepare per batch of at most 7 (the lives are random: their length decides how many).
      expect(prepared).toBeGreaterThanOrEqual(Math.ceil(events.length / 7));
      expect(prepared).toBeGreaterThan(1);
      await expectReadModelsMatchFold(sql);
    } finally {
      await projector.stop();
    }
  });

  dbTest('a prepare that throws stalls its projection at the event, like a throwing apply', async ({ sql, store }) => {
    const projectId = await createProject(store, 'acme', 'Bad size', 'admin');
    const lines: string[] = [];
    const projector = await startProjector({ sql, projections: PROJECTIONS, retryInitialMs: 60_000, log: (line) => lines.push(line) });
    try {
      await projector.caughtUp();
      // A creation with a size the catalogue does not know: vmRequestPatch (called by prepare) throws.
      const id = randomUUID();
      await store.append(id, 'no_stream', [{ type: 'VmRequestCreated', data: { projectId, vmName: 'bad', size: 'XXL', justification: 'A size that does not exist', requester: { id: 'alice' } } }], {
        streamType: 'VmRequest',
        tenantId: 'acme',
        metadata: metadata('acme', 'alice'),
      });
      const [bad] = await sql<{ position: string }[]>`select position::text from events where stream_id = ${id}`;
      await expect
        .poll(() => projector.status().projections.find((p) => p.name === vmRequestsProjection.name)?.stalled, { timeout: 20_000 })
        .toBeTruthy();
      const status = projector.status().projections;
      expect(status.find((p) => p.name === vmRequestsProjection.name)!.stalled!.position.toString()).toBe(bad!.position);
      expect(status.find((p) => p.name === vmRequestsProjection.name)!.stalled!.error).toContain('unknown VM size');
      expect(lines.some((line) => line.includes(`STALLED at event position ${bad!.position}`))).toBe(true);
      // The others went on past it.
      await expect
        .poll(
          () =>
            projector
              .status()
              .projections.filter((p) => p.name !== vmRequestsProjection.name)
              .every((p) => p.checkpoint !== null && p.checkpoint.position >= BigInt(bad!.position)),
          { timeout: 20_000 },
        )
        .toBe(true);
    } finally {
      await projector.stop();
    }
  });
});
