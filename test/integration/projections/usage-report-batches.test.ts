import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import { START } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { usageReportProjection } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { logEvents } from './events.ts';

const logEvent = logEvents();
const projectId = randomUUID();

const created = (id: string, size: string) =>
  logEvent(id, 1, 'VmRequestCreated', { projectId, vmName: 'vm-1', size, justification: 'Needed for the usage report test', requester: { id: 'alice' } });
const ready = (id: string, version: number) => logEvent(id, version, 'VmRequestReady', { vmwareVmId: 'vm-1', hostname: 'vm-1.internal' });
const cancelled = (id: string) => logEvent(id, 2, 'VmRequestCancelled', {});

const rows = async (sql: Sql) =>
  (await sql<{ id: string; size: string; ready: boolean }[]>`select id, size, ready_at is not null as ready from usage_report_vms order by size`).map((r) => ({ ...r }));

describe('usage_report batch by batch', () => {
  dbTest('a READY whose request it never saw created fails the batch, naming the request, and changes nothing', async ({ sql }) => {
    await ensureCheckpoint(sql, usageReportProjection.name);
    const known = randomUUID();
    const unknown = randomUUID();
    await expect(applyBatch(sql, usageReportProjection, START, [created(known, 'M'), ready(unknown, 7)])).rejects.toThrow(
      `VmRequestReady for request ${unknown}, whose VmRequestCreated this projection never saw`,
    );
    expect(await rows(sql)).toEqual([]);
    expect(await loadCheckpoint(sql, usageReportProjection.name)).toEqual(START);
  });

  dbTest('a request of a size the catalogue lacks fails the batch of its READY, in its own batch or a later one', async ({ sql }) => {
    const sameBatch = randomUUID();
    let from = await loadCheckpoint(sql, usageReportProjection.name);
    await expect(applyBatch(sql, usageReportProjection, from, [created(sameBatch, 'XXL'), ready(sameBatch, 2)])).rejects.toThrow(
      `request ${sameBatch} has unknown size "XXL"`,
    );
    const later = randomUUID();
    expect((await applyBatch(sql, usageReportProjection, from, [created(later, 'XXL')])).kind).toBe('applied');
    from = await loadCheckpoint(sql, usageReportProjection.name);
    await expect(applyBatch(sql, usageReportProjection, from, [ready(later, 2)])).rejects.toThrow(`request ${later} has unknown size "XXL"`);
    expect(await rows(sql)).toEqual([{ id: later, size: 'XXL', ready: false }]);
    await sql`delete from usage_report_vms`;
  });

  dbTest('marks READY requests created in earlier batches and in the same one, and forgets those that end otherwise', async ({ sql }) => {
    const [early, late, gone, goneLater] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    let from = await loadCheckpoint(sql, usageReportProjection.name);
    expect((await applyBatch(sql, usageReportProjection, from, [created(early, 'S'), created(goneLater, 'XL')])).kind).toBe('applied');
    from = await loadCheckpoint(sql, usageReportProjection.name);
    const second = [created(late, 'L'), ready(early, 2), ready(late, 2), created(gone, 'M'), cancelled(gone), cancelled(goneLater)];
    expect((await applyBatch(sql, usageReportProjection, from, second)).kind).toBe('applied');
    expect(await rows(sql)).toEqual([
      { id: late, size: 'L', ready: true },
      { id: early, size: 'S', ready: true },
    ]);
  });
});
