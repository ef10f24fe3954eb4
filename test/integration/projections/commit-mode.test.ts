import { describe, expect } from 'vitest';
import { START } from '../../../src/event-store/index.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint } from '../../../src/projections/checkpoints.ts';
import { PROJECTIONS, type Projection } from '../../../src/projections/index.ts';
import type { LogEvent } from '../../../src/event-store/read-all.ts';
import { dbTest } from '../../support/db-test.ts';
import { metadata } from './events.ts';

const event: LogEvent = {
  position: 1n,
  transactionId: 1n,
  streamId: 'Other-00000000-0000-4000-8000-000000000001',
  streamType: 'Other',
  streamVersion: 1,
  type: 'SomethingElse',
  schemaVersion: 1,
  data: {},
  metadata: metadata('acme', 'system'),
  tenantId: 'acme',
  recordedAt: new Date(),
};

/** A projection that notes the synchronous_commit setting its batch runs with. */
function probe(name: string, asynchronousCommit: boolean | undefined, seen: string[]): Projection {
  return {
    name,
    tables: [],
    ...(asynchronousCommit === undefined ? {} : { asynchronousCommit }),
    async apply(tx) {
      const [row] = await tx<{ mode: string }[]>`select current_setting('synchronous_commit') as mode`;
      seen.push(row!.mode);
      return [];
    },
  };
}

describe('how a batch commits', () => {
  dbTest('read models commit asynchronously; a projection that does not say so, or a group with one, waits for the flush', async ({ sql }) => {
    expect(PROJECTIONS.every((p) => p.asynchronousCommit === true)).toBe(true);
    const seen: string[] = [];
    const relaxed = probe('relaxed', true, seen);
    const durable = probe('durable', undefined, seen);
    for (const p of [relaxed, durable]) await ensureCheckpoint(sql, p.name);
    expect((await applyBatch(sql, relaxed, START, [event])).kind).toBe('applied');
    expect((await applyBatch(sql, durable, START, [event])).kind).toBe('applied');
    await sql`update projection_checkpoints set transaction_id = 0, position = 0 where name in ('relaxed', 'durable')`;
    expect((await applyBatch(sql, [relaxed, durable], START, [event])).kind).toBe('applied');
    expect(seen).toEqual(['off', 'on', 'on', 'on']);
  });
});
