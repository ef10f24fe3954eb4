import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, type EventStore } from '../../../src/event-store/index.ts';
import { PROJECTIONS, startProjector } from '../../../src/projections/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createProject, playRequest, randomRequest } from './events.ts';
import { waitFor } from './fold.ts';

let t: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createEventStore(t.sql);
});
afterAll(async () => {
  await t.close();
});

const requestCount = async (): Promise<number> => {
  const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from vm_requests`;
  return row!.n;
};

describe('LISTEN connection lost', () => {
  it('terminated from the server side: events appended afterwards still reach the read model, without waiting for the poll', async () => {
    const applicationName = `dvmm-listen-test-${process.pid}`;
    // The poll would take a minute: whatever arrives sooner came through the wake-up or the re-LISTEN catch-up.
    // (The waits below allow 30 s only because a long transaction elsewhere on a shared server holds back every
    // gap-safe reader; alone on a server each takes milliseconds.)
    const projector = await startProjector({ sql: t.sql, projections: PROJECTIONS, pollIntervalMs: 60_000, applicationName, log: () => {} });
    try {
      const projectId = await createProject(store, 'acme', 'Listen', 'admin');
      await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', 'before-1'));
      await waitFor('the first request', async () => (await requestCount()) === 1, 30_000);

      const [listener] = await t.sql<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = ${applicationName} and query ilike 'listen%'`;
      expect(listener).toBeDefined();
      const [terminated] = await t.sql<{ ok: boolean }[]>`select pg_terminate_backend(${listener!.pid}) as ok`;
      expect(terminated!.ok).toBe(true);

      // Right after the kill (possibly before the re-LISTEN: the catch-up on re-LISTEN must find it) ...
      await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', 'during-1'));
      await waitFor('the request appended while re-listening', async () => (await requestCount()) === 2, 30_000);
      await waitFor('LISTEN again', async () => projector.status().listening, 30_000);

      // ... and once listening again, through the wake-up itself.
      const [again] = await t.sql<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = ${applicationName} and query ilike 'listen%'`;
      expect(again!.pid).not.toBe(listener!.pid);
      for (let i = 0; i < 3; i++) await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', `after-${i}`));
      await waitFor('the requests appended after the re-LISTEN', async () => (await requestCount()) === 5, 30_000);
    } finally {
      await projector.stop();
    }
  });
});
