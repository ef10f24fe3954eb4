import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { START } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { projectUsageProjection } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { logEvents } from './events.ts';

const logEvent = logEvents();

const ready = (id: string, version: number) =>
  logEvent(id, version, 'VmRequestReady', { vmwareVmId: 'vm-1', hostname: 'vm-1.internal', ipAddress: '10.0.0.1' });
const created = (id: string, size: string) =>
  logEvent(id, 1, 'VmRequestCreated', {
    projectId: randomUUID(),
    vmName: 'vm-1',
    size,
    justification: 'Needed for the usage error test',
    requester: { id: 'alice' },
  });

describe('project_usage with events it cannot price', () => {
  dbTest('a READY whose request it never saw created fails the batch, naming the request, and changes nothing', async ({ sql }) => {
    await ensureCheckpoint(sql, projectUsageProjection.name);
    const known = randomUUID();
    const unknown = randomUUID();
    const events = [created(known, 'M'), ready(known, 2), ready(unknown, 7)];
    await expect(applyBatch(sql, projectUsageProjection, START, events)).rejects.toThrow(
      `VmRequestReady for request ${unknown}, whose VmRequestCreated this projection never saw`,
    );
    expect(await sql`select * from project_usage`).toHaveLength(0);
    expect(await sql`select * from project_usage_open_requests`).toHaveLength(0);
    expect(await loadCheckpoint(sql, projectUsageProjection.name)).toEqual(START);
  });

  dbTest('a request of an unknown size fails the batch when it becomes READY', async ({ sql }) => {
    const id = randomUUID();
    const from = await loadCheckpoint(sql, projectUsageProjection.name);
    await expect(applyBatch(sql, projectUsageProjection, from, [created(id, 'XXL'), ready(id, 2)])).rejects.toThrow(
      `request ${id} has unknown size "XXL"`,
    );
    expect(await sql`select * from project_usage`).toHaveLength(0);
  });

  dbTest('prices READY requests opened in the same batch and in earlier ones alike', async ({ sql }) => {
    const early = randomUUID();
    const late = randomUUID();
    let from = await loadCheckpoint(sql, projectUsageProjection.name);
    const first = await applyBatch(sql, projectUsageProjection, from, [created(early, 'S')]);
    expect(first.kind).toBe('applied');
    from = await loadCheckpoint(sql, projectUsageProjection.name);
    const second = await applyBatch(sql, projectUsageProjection, from, [created(late, 'L'), ready(early, 2), ready(late, 2)]);
    expect(second.kind).toBe('applied');
    const rows = await sql<{ vms: number; vcpus: number; month: string }[]>`select vms, vcpus, month from project_usage order by vcpus`;
    // Two projects (each request has its own), one READY each: S has 2 vCPUs, L has 8.
    expect(rows).toEqual([
      { vms: 1, vcpus: 2, month: '2025-03' },
      { vms: 1, vcpus: 8, month: '2025-03' },
    ]);
    // It remembers the month each READY VM counts in, to take it off when the VM goes.
    expect(await sql`select size, ready_month from project_usage_open_requests order by size`).toEqual([
      { size: 'L', ready_month: '2025-03' },
      { size: 'S', ready_month: '2025-03' },
    ]);
  });

  dbTest('takes a decommissioned VM off its READY month, whether READY in the same batch or an earlier one', async ({ sql }) => {
    const early = randomUUID();
    const late = randomUUID();
    const creations = [created(early, 'S'), created(late, 'L')];
    const projectIds = creations.map((event) => (event.data as { projectId: string }).projectId);
    let from = await loadCheckpoint(sql, projectUsageProjection.name);
    expect((await applyBatch(sql, projectUsageProjection, from, [creations[0]!, ready(early, 2)])).kind).toBe('applied');
    from = await loadCheckpoint(sql, projectUsageProjection.name);
    const second = await applyBatch(sql, projectUsageProjection, from, [
      logEvent(early, 3, 'VmDecommissioned', {}),
      creations[1]!,
      ready(late, 2),
      logEvent(late, 3, 'VmDeletionObserved', {}),
    ]);
    expect(second.kind).toBe('applied');
    expect(await sql`select vms, vcpus, monthly_cost_eur, month from project_usage where project_id in ${sql(projectIds)}`).toEqual([
      { vms: 0, vcpus: 0, monthly_cost_eur: 0, month: '2025-03' },
      { vms: 0, vcpus: 0, monthly_cost_eur: 0, month: '2025-03' },
    ]);
    expect(await sql`select * from project_usage_open_requests where id in ${sql([early, late])}`).toHaveLength(0);
  });

  dbTest('a decommission of a VM it never saw READY fails the batch, naming the request, and changes nothing', async ({ sql }) => {
    const id = randomUUID();
    let from = await loadCheckpoint(sql, projectUsageProjection.name);
    expect((await applyBatch(sql, projectUsageProjection, from, [created(id, 'S')])).kind).toBe('applied');
    from = await loadCheckpoint(sql, projectUsageProjection.name);
    await expect(applyBatch(sql, projectUsageProjection, from, [logEvent(id, 2, 'VmDecommissioned', {})])).rejects.toThrow(
      `The decommission for request ${id}, which this projection never saw READY`,
    );
    expect(await sql`select id, ready_month from project_usage_open_requests where id = ${id}`).toEqual([{ id, ready_month: null }]);
  });
});
