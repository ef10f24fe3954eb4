import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/event-store/read-all.ts';
import { START } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { batchPool } from '../../../src/projections/connection.ts';
import { projectUsageProjection, vmRequestsProjection, type PreparedBatch, type Projection } from '../../../src/projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { logEvents } from './events.ts';

/**
 * Batches whose statements, NOTIFY and COMMIT all go out in one round trip (PreparedBatch.changes): a check that
 * fails in SQL rolls the whole batch back, and a statement that could end up behind the COMMIT never runs.
 */
let t: TestDatabase;
let writer: postgres.Sql;

beforeAll(async () => {
  t = await createTestDatabase();
  writer = batchPool(t.sql, { applicationName: 'dvmm-test-batches', max: 2 });
});
afterAll(async () => {
  await writer.end();
  await t.close();
});

const logEvent = logEvents();
const created = (id: string) =>
  logEvent(id, 1, 'VmRequestCreated', {
    projectId: randomUUID(),
    vmName: 'vm-1',
    size: 'M',
    justification: 'Needed for the pipelined batch test',
    requester: { id: 'alice' },
  });
const ready = (id: string, version: number) =>
  logEvent(id, version, 'VmRequestReady', { vmwareVmId: 'vm-1', hostname: 'vm-1.internal', ipAddress: '10.0.0.1' });

const group: Projection[] = [vmRequestsProjection, projectUsageProjection];
const prepare = (events: LogEvent[]) => group.map((p) => p.prepare!(events));
const rows = async () => ({
  requests: (await t.sql`select id from vm_requests`).length,
  timeline: Number((await t.sql`select count(*)::int as n from vm_request_timeline`)[0]!.n),
  open: (await t.sql`select id from project_usage_open_requests`).length,
});

describe('pipelined batches', () => {
  it('commit in one go; a check failing in SQL (a READY for a request never created) rolls back every projection of the batch', async () => {
    for (const p of group) await ensureCheckpoint(t.sql, p.name);
    const first = [created(randomUUID()), created(randomUUID())];
    const prepared = prepare(first);
    expect(prepared.every((b) => b.changes !== undefined)).toBe(true);
    const applied = await applyBatch(writer, group, START, first, { prepared });
    expect(applied.kind).toBe('applied');
    const after = await loadCheckpoint(t.sql, vmRequestsProjection.name);
    const before = await rows();
    expect(before).toEqual({ requests: 2, timeline: 2, open: 2 });

    const unknown = randomUUID();
    const failing = [created(randomUUID()), ready(unknown, 2)];
    // vm_requests (its patch matches no row) fails first; project_usage (it cannot price the READY) would too.
    await expect(applyBatch(writer, group, after, failing, { prepared: prepare(failing) })).rejects.toThrow(
      '1 VM request(s) changed by this batch were never created',
    );
    expect(await rows()).toEqual(before);
    for (const p of group) expect(await loadCheckpoint(t.sql, p.name)).toEqual(after);

    // The same batch again from where it started is stale (the guard fails it in SQL), and writes nothing either.
    expect(await applyBatch(writer, group, START, first, { prepared: prepare(first) })).toEqual({ kind: 'stale' });
    expect(await rows()).toEqual(before);
  });

  it('a pipelined batch that leaves a statement unsent is refused before its COMMIT, and nothing is written', async () => {
    const from = await loadCheckpoint(t.sql, vmRequestsProjection.name);
    const id = randomUUID();
    // Awaiting a statement (rather than executing it) sends it a microtask later: it could go out behind the COMMIT.
    const late: PreparedBatch = Object.assign(
      async (tx: postgres.TransactionSql) => {
        await tx`insert into vm_request_project_names (project_id, tenant_id, name) values (${id}, 'acme', 'late')`;
        return [];
      },
      { changes: [] },
    );
    await expect(applyBatch(writer, vmRequestsProjection, from, [created(randomUUID())], { prepared: [late] })).rejects.toThrow('left a statement unsent');
    expect(await t.sql`select * from vm_request_project_names where project_id = ${id}`).toHaveLength(0);
    expect(await loadCheckpoint(t.sql, vmRequestsProjection.name)).toEqual(from);
  });

  it('the batch pool refuses a write outside a transaction it opened READ WRITE', async () => {
    await expect(writer`insert into vm_request_project_names (project_id, tenant_id, name) values (${randomUUID()}, 'acme', 'stray')`).rejects.toThrow(
      'read-only transaction',
    );
  });
});
