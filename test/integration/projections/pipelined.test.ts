import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import type { LogEvent } from '../../../src/event-store/read-all.ts';
import { START } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { batchPool } from '../../../src/projections/connection.ts';
import { projectUsageProjection, vmRequestsProjection, type PreparedBatch, type Projection } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { logEvents } from './events.ts';

/**
 * Batches whose statements, NOTIFY and COMMIT all go out in one round trip (PreparedBatch.changes): a check that
 * fails in SQL rolls the whole batch back, and a statement that could end up behind the COMMIT never runs.
 */
/** The projector's batch pool on the file's database: the connection pipelined batches go through. */
const batchTest = dbTest.extend('writer', { scope: 'file' }, ({ sql }, { onCleanup }): postgres.Sql => {
  const writer = batchPool(sql, { applicationName: 'dvmm-test-batches', max: 2 });
  onCleanup(() => writer.end());
  return writer;
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
const rows = async (sql: Sql) => ({
  requests: (await sql`select id from vm_requests`).length,
  timeline: Number((await sql`select count(*)::int as n from vm_request_timeline`)[0]!.n),
  open: (await sql`select id from project_usage_open_requests`).length,
});

describe('pipelined batches', () => {
  batchTest('commit in one go; a check failing in SQL (a READY for a request never created) rolls back every projection of the batch', async ({ sql, writer }) => {
    for (const p of group) await ensureCheckpoint(sql, p.name);
    const first = [created(randomUUID()), created(randomUUID())];
    const prepared = prepare(first);
    expect(prepared.every((b) => b.changes !== undefined)).toBe(true);
    const applied = await applyBatch(writer, group, START, first, { prepared });
    expect(applied.kind).toBe('applied');
    const after = await loadCheckpoint(sql, vmRequestsProjection.name);
    const before = await rows(sql);
    expect(before).toEqual({ requests: 2, timeline: 2, open: 2 });

    const unknown = randomUUID();
    const failing = [created(randomUUID()), ready(unknown, 2)];
    // vm_requests (its patch matches no row) fails first; project_usage (it cannot price the READY) would too.
    await expect(applyBatch(writer, group, after, failing, { prepared: prepare(failing) })).rejects.toThrow(
      '1 VM request(s) changed by this batch were never created',
    );
    expect(await rows(sql)).toEqual(before);
    for (const p of group) expect(await loadCheckpoint(sql, p.name)).toEqual(after);

    // The same batch again from where it started is stale (the guard fails it in SQL), and writes nothing either.
    expect(await applyBatch(writer, group, START, first, { prepared: prepare(first) })).toEqual({ kind: 'stale' });
    expect(await rows(sql)).toEqual(before);
  });

  batchTest('a pipelined batch that leaves a statement unsent is refused before its COMMIT, and nothing is written', async ({ sql, writer }) => {
    const from = await loadCheckpoint(sql, vmRequestsProjection.name);
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
    expect(await sql`select * from vm_request_project_names where project_id = ${id}`).toHaveLength(0);
    expect(await loadCheckpoint(sql, vmRequestsProjection.name)).toEqual(from);
  });

  batchTest('the batch pool refuses a write outside a transaction it opened READ WRITE', async ({ writer }) => {
    await expect(writer`insert into vm_request_project_names (project_id, tenant_id, name) values (${randomUUID()}, 'acme', 'stray')`).rejects.toThrow(
      'read-only transaction',
    );
  });
});
