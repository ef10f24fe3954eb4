import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventStore, START, type EventStore } from '../../../src/event-store/index.ts';
import { readAllLean } from '../../../src/event-store/read-all.ts';
import { applyBatch } from '../../../src/projections/apply-batch.ts';
import { ensureCheckpoint, loadCheckpoint } from '../../../src/projections/checkpoints.ts';
import { vmRequestsProjection } from '../../../src/projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createProject, playRequest, randomRequest } from './events.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
});
afterAll(async () => {
  await t.close();
});

const snapshot = () => t.sql`select * from vm_requests order by id`;
const timelineCount = async () => (await t.sql<{ n: number }[]>`select count(*)::int as n from vm_request_timeline`)[0]!.n;

describe('the checkpoint guard', () => {
  it('a repeated or stale batch changes nothing', async () => {
    const projectId = await createProject(store, 'acme', 'Guarded', 'admin');
    for (let i = 0; i < 3; i++) await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', `guard-${i}`));
    // Gap-safe reads wait for every older transaction on the server (other test files share it) to end.
    const [{ n: appended }] = (await t.sql<{ n: number }[]>`select count(*)::int as n from events`) as unknown as [{ n: number }];
    const { events } = await vi.waitFor(
      async () => {
        const read = await readAllLean(t.sql, START, 1000);
        expect(read.events).toHaveLength(appended);
        return read;
      },
      { timeout: 20_000, interval: 50 },
    );
    const half = Math.floor(events.length / 2);
    await ensureCheckpoint(t.sql, vmRequestsProjection.name);

    const first = await applyBatch(t.sql, vmRequestsProjection, START, events.slice(0, half));
    expect(first.kind).toBe('applied');
    const second = await applyBatch(t.sql, vmRequestsProjection, (first as { checkpoint: typeof START }).checkpoint, events.slice(half));
    expect(second.kind).toBe('applied');
    const rows = await snapshot();
    const timeline = await timelineCount();
    const checkpoint = await loadCheckpoint(t.sql, vmRequestsProjection.name);

    // The same batch again (a former leader that did not notice it lost the lock) ...
    expect(await applyBatch(t.sql, vmRequestsProjection, (first as { checkpoint: typeof START }).checkpoint, events.slice(half))).toEqual({ kind: 'stale' });
    // ... or an old one from the start.
    expect(await applyBatch(t.sql, vmRequestsProjection, START, events.slice(0, half))).toEqual({ kind: 'stale' });
    expect(await snapshot()).toEqual(rows);
    expect(await timelineCount()).toBe(timeline);
    expect(await loadCheckpoint(t.sql, vmRequestsProjection.name)).toEqual(checkpoint);
  });
});
