import { describe, expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import { PROJECTIONS, startProjector } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { createProject, playRequest, randomRequest } from './events.ts';

const requestCount = async (sql: Sql): Promise<number> => {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from vm_requests`;
  return row!.n;
};

describe('LISTEN connection lost', () => {
  dbTest('terminated from the server side: events appended afterwards still reach the read model, without waiting for the poll', async ({ sql, store }) => {
    const applicationName = `dvmm-listen-test-${process.pid}`;
    // The poll would take a minute: whatever arrives sooner came through the wake-up or the re-LISTEN catch-up.
    // (The waits below are long only because a long transaction elsewhere on a shared server holds back every
    // gap-safe reader.)
    const projector = await startProjector({ sql, projections: PROJECTIONS, pollIntervalMs: 60_000, applicationName, log: () => {} });
    try {
      const projectId = await createProject(store, 'acme', 'Listen', 'admin');
      await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', 'before-1'));
      await expect.poll(() => requestCount(sql), { timeout: 30_000 }).toBe(1);

      const [listener] = await sql<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = ${applicationName} and query ilike 'listen%'`;
      expect(listener).toBeDefined();
      const [terminated] = await sql<{ ok: boolean }[]>`select pg_terminate_backend(${listener!.pid}) as ok`;
      expect(terminated!.ok).toBe(true);

      // Right after the kill (possibly before the re-LISTEN: the catch-up on re-LISTEN must find it) ...
      await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', 'during-1'));
      await expect.poll(() => requestCount(sql), { timeout: 30_000 }).toBe(2);
      await expect.poll(() => projector.status().listening, { timeout: 30_000 }).toBe(true);

      // ... and once listening again, through the wake-up itself.
      const [again] = await sql<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = ${applicationName} and query ilike 'listen%'`;
      expect(again!.pid).not.toBe(listener!.pid);
      for (let i = 0; i < 3; i++) await playRequest(store, 'acme', randomRequest(projectId, 'alice', 'admin', `after-${i}`));
      await expect.poll(() => requestCount(sql), { timeout: 30_000 }).toBe(5);
    } finally {
      await projector.stop();
    }
  });
});
