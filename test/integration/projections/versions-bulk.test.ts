import { expect, vi } from 'vitest';
import { START } from '../../../src/event-store/index.ts';
import { readAllLean } from '../../../src/event-store/read-all.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint } from '../../../src/projections/checkpoints.ts';
import { PROJECTIONS } from '../../../src/projections/index.ts';
import { dbTest as test } from '../../support/db-test.ts';
import { appendStep, createProject, randomRequest, VM_REQUEST_STREAM } from './events.ts';
import { expectReadModelsMatchFold } from './fold.ts';

// The projection writes versions of requests created in the batch and of requests that existed before it, and
// the rest of the batch as JSON (a small, live batch) or column arrays (a large, catch-up one: 500 events and more).
test('every version is the fold of its stream prefix, whether a batch is small or large and a request new or old', async ({ sql, store }) => {
  const projectId = await createProject(store, 'acme', 'Versions', 'admin');
  // Lives interleaved, step by step, so every batch holds some steps of many requests.
  const plans = Array.from({ length: 200 }, (_, i) => ({ plan: randomRequest(projectId, `user${i % 4}`, 'admin', `bulk-${i}`), version: 0 }));
  for (let step = 0; plans.some((p) => step < p.plan.steps.length); step++) {
    for (const p of plans) {
      if (step < p.plan.steps.length) p.version = await appendStep(store, 'acme', VM_REQUEST_STREAM, p.plan.requestId, p.version, p.plan.steps[step]!);
    }
  }
  // Gap-safe reads hold back events while an older transaction on the server (other test files share it) is open.
  const [appended] = await sql<{ n: number }[]>`select count(*)::int as n from events`;
  const { events } = await vi.waitFor(
    async () => {
      const read = await readAllLean(sql, START, 100_000);
      expect(read.events).toHaveLength(appended!.n);
      return read;
    },
    { timeout: 20_000, interval: 50 },
  );
  expect(events.length).toBeGreaterThan(700);
  for (const projection of PROJECTIONS) await ensureCheckpoint(sql, projection.name);
  const prepared = (batch: typeof events) => PROJECTIONS.map((projection) => projection.prepare?.(batch) ?? null);
  // Small batches first (JSON), then the rest at once (arrays): requests created in the small ones get versions in
  // the large one as pre-existing rows, the others as new ones.
  let from = START;
  for (const size of [40, 60, 100]) {
    const batch = events.splice(0, size);
    const outcome = await applyBatch(sql, PROJECTIONS, from, batch, { prepared: prepared(batch) });
    if (outcome.kind !== 'applied') throw new Error('stale');
    from = outcome.checkpoint;
  }
  expect(events.length).toBeGreaterThanOrEqual(500);
  const outcome = await applyBatch(sql, PROJECTIONS, from, events, { prepared: prepared(events) });
  expect(outcome.kind).toBe('applied');
  await expectReadModelsMatchFold(sql);
});
