import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { projectUsageProjection } from '../../../src/projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { logEvents } from './events.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});

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
  it('a READY whose request it never saw created fails the batch, naming the request, and changes nothing', async () => {
    await ensureCheckpoint(t.sql, projectUsageProjection.name);
    const known = randomUUID();
    const unknown = randomUUID();
    const events = [created(known, 'M'), ready(known, 2), ready(unknown, 7)];
    await expect(applyBatch(t.sql, projectUsageProjection, START, events)).rejects.toThrow(
      `VmRequestReady for request ${unknown}, whose VmRequestCreated this projection never saw`,
    );
    expect(await t.sql`select * from project_usage`).toHaveLength(0);
    expect(await t.sql`select * from project_usage_open_requests`).toHaveLength(0);
    expect(await loadCheckpoint(t.sql, projectUsageProjection.name)).toEqual(START);
  });

  it('a request of an unknown size fails the batch when it becomes READY', async () => {
    const id = randomUUID();
    const from = await loadCheckpoint(t.sql, projectUsageProjection.name);
    await expect(applyBatch(t.sql, projectUsageProjection, from, [created(id, 'XXL'), ready(id, 2)])).rejects.toThrow(
      `request ${id} has unknown size "XXL"`,
    );
    expect(await t.sql`select * from project_usage`).toHaveLength(0);
  });

  it('prices READY requests opened in the same batch and in earlier ones alike', async () => {
    const early = randomUUID();
    const late = randomUUID();
    let from = await loadCheckpoint(t.sql, projectUsageProjection.name);
    const first = await applyBatch(t.sql, projectUsageProjection, from, [created(early, 'S')]);
    expect(first.kind).toBe('applied');
    from = await loadCheckpoint(t.sql, projectUsageProjection.name);
    const second = await applyBatch(t.sql, projectUsageProjection, from, [created(late, 'L'), ready(early, 2), ready(late, 2)]);
    expect(second.kind).toBe('applied');
    const rows = await t.sql<{ vms: number; vcpus: number; month: string }[]>`select vms, vcpus, month from project_usage order by vcpus`;
    // Two projects (each request has its own), one READY each: S has 2 vCPUs, L has 8.
    expect(rows).toEqual([
      { vms: 1, vcpus: 2, month: '2025-03' },
      { vms: 1, vcpus: 8, month: '2025-03' },
    ]);
    expect(await t.sql`select * from project_usage_open_requests`).toHaveLength(0);
  });
});
