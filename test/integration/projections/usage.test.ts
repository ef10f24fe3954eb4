import { describe, expect } from 'vitest';
import {
  PROJECT_USAGE_PROJECTION,
  PROJECTIONS,
  projectsProjection,
  startProjector,
  vmRequestsProjection,
} from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { createProject, playRequest, randomRequest } from './events.ts';
import { expectReadModelsMatchFold, expectSameAsFreshRebuild } from './fold.ts';

describe('project_usage, added after the fact', () => {
  dbTest('fills itself from the events that happened before it existed, without touching the event store', async ({ sql, store }) => {
    // The deployment before the report: only the older read models run.
    const before = await startProjector({ sql, projections: [vmRequestsProjection, projectsProjection], log: () => {} });
    const projects = await Promise.all(['Usage A', 'Usage B'].map((name) => createProject(store, 'acme', name, 'admin')));
    // Requests spread over several months (by the time their commands happened).
    for (let i = 0; i < 40; i++) {
      const start = Date.UTC(2025, 0, 3) + i * 9 * 86_400_000;
      await playRequest(store, 'acme', randomRequest(projects[i % 2]!, `user${i % 3}`, 'admin', `usage-${i}`), undefined, (step) => new Date(start + step * 3_600_000));
    }
    await before.caughtUp();
    await before.stop();
    const [usageBefore] = await sql<{ n: number }[]>`select count(*)::int as n from project_usage`;
    expect(usageBefore!.n).toBe(0);
    expect(await sql`select 1 from projection_checkpoints where name = ${PROJECT_USAGE_PROJECTION}`).toHaveLength(0);
    const [eventsBefore] = await sql<{ n: number; last: string }[]>`select count(*)::int as n, max(position)::text as last from events`;

    // The new deployment knows the report: it starts at event zero and replays history.
    const after = await startProjector({ sql, projections: PROJECTIONS, log: () => {} });
    try {
      await after.caughtUp();
      await expectReadModelsMatchFold(sql, { usage: true });
      const months = await sql<{ month: string }[]>`select distinct month from project_usage order by month`;
      expect(months.length).toBeGreaterThan(3);
      // It remembers requests on their way and READY VMs (with their month), nothing that ended.
      const [open] = await sql<{ n: number }[]>`
        select count(*)::int as n from project_usage_open_requests o
        join vm_requests r on r.id = o.id
        where r.status in ('FAILED', 'REJECTED', 'CANCELLED', 'DECOMMISSIONED') or (r.status = 'READY') <> (o.ready_month is not null)`;
      expect(open!.n).toBe(0);
      const [ended] = await sql<{ n: number }[]>`select count(*)::int as n from vm_requests where status = 'DECOMMISSIONED'`;
      expect(ended!.n).toBeGreaterThan(0);
      await expectSameAsFreshRebuild(sql, PROJECTIONS.find((p) => p.name === PROJECT_USAGE_PROJECTION)!);
    } finally {
      await after.stop();
    }
    const [eventsAfter] = await sql<{ n: number; last: string }[]>`select count(*)::int as n, max(position)::text as last from events`;
    expect(eventsAfter).toEqual(eventsBefore);
  });
});
