import { describe, expect } from 'vitest';
import type { Principal } from '../../../src/domain/index.ts';
import { usageReportFor, type UsageReportView } from '../../../src/graphql/read/usage-report.ts';
import {
  PROJECTIONS,
  projectsProjection,
  startProjector,
  USAGE_REPORT_PROJECTION,
  usageReportProjection,
  vmRequestsProjection,
} from '../../../src/projections/index.ts';
import type { Sql } from '../../../src/db/client.ts';
import { dbTest } from '../../support/db-test.ts';
import type { EventStore, JsonObject } from '../../../src/event-store/index.ts';
import { createProject, metadata, randomRequest, VM_REQUEST_STREAM } from './events.ts';
import { expectSameAsFreshRebuild } from './fold.ts';

const DAY = 86_400_000;
/**
 * The history runs from 2025-01-10 (150 days of starts, then up to 57 days of steps); the reports are read "on"
 * 2025-07-20, after all but a few of its events (a request whose steps run past it counts up to that day).
 */
const HISTORY_START = Date.UTC(2025, 0, 10);
const HISTORY_DAYS = 150;
const NOW = new Date(Date.UTC(2025, 6, 20, 15, 30));
const MONTHS = ['2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07'];
const PRICES: Record<string, number> = { S: 25, M: 50, L: 100, XL: 200 };

const TENANTS = [
  { id: 'acme', projects: ['Web, "shop"', 'Data lake', 'Build farm'] },
  { id: 'globex', projects: ['Research', 'Ops'] },
];

interface Project {
  tenantId: string;
  id: string;
  name: string;
  /** Its creator, PROJECT_ADMIN of it and of nothing else. */
  owner: string;
}

/**
 * Plays `count` random request lives, each starting at a random moment of the history, its steps hours to days
 * apart. Each step is its own append with its own occurredAt, as command handling writes them; a request's steps
 * share one transaction, so the history takes few commits (the machine is shared).
 */
async function writeHistory(store: EventStore, projects: readonly Project[], count: number): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < count) {
      const i = next++;
      const project = projects[i % projects.length]!;
      const plan = randomRequest(project.id, `user-${i % 7}`, 'admin', `vm-${i}`);
      let at = HISTORY_START + Math.floor(Math.random() * HISTORY_DAYS * DAY);
      await store.transaction(async (tx) => {
        let version = 0;
        for (const step of plan.steps) {
          // 0 to 3 days after the step before (in whole minutes): READY lands on any day, sometimes a month on.
          at += Math.floor(Math.random() * 3 * 24 * 60) * 60_000;
          const events = step.events.map((event) => ({ type: event.type, data: event.data as unknown as JsonObject }));
          const appended = await store.append(plan.requestId, version === 0 ? 'no_stream' : version, events, {
            streamType: VM_REQUEST_STREAM,
            tenantId: project.tenantId,
            metadata: metadata(project.tenantId, step.actor, new Date(at)),
            sql: tx,
          });
          version = appended.nextExpectedVersion;
        }
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
}

interface Vm {
  streamId: string;
  tenantId: string;
  projectId: string;
  size: string;
  /** UTC day it became READY, YYYY-MM-DD. */
  readyOn: string;
  /** UTC day it was decommissioned or found deleted; null while it runs. */
  endedOn: string | null;
}

/** The VMs the log says exist: read straight from the events, request by request, without the projection's code. */
async function vmsFromEvents(sql: Sql): Promise<Vm[]> {
  const events = await sql<{ stream_id: string; event_type: string; data: Record<string, string>; metadata: { occurredAt: string }; tenant_id: string }[]>`
    select stream_id, event_type, data, metadata, tenant_id from events where stream_type = 'VmRequest' order by stream_id, stream_version`;
  const created = new Map<string, { projectId: string; size: string }>();
  const vms: Vm[] = [];
  for (const e of events) {
    if (e.event_type === 'VmRequestCreated') created.set(e.stream_id, { projectId: e.data.projectId!, size: e.data.size! });
    if (e.event_type === 'VmRequestReady') {
      const request = created.get(e.stream_id)!;
      vms.push({ streamId: e.stream_id, tenantId: e.tenant_id, ...request, readyOn: new Date(e.metadata.occurredAt).toISOString().slice(0, 10), endedOn: null });
    }
    if (e.event_type === 'VmDecommissioned' || e.event_type === 'VmDeletionObserved') {
      vms.findLast((vm) => vm.streamId === e.stream_id)!.endedOn = new Date(e.metadata.occurredAt).toISOString().slice(0, 10);
    }
  }
  return vms;
}

const daysOf = (month: string): string[] => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const days: string[] = [];
  for (let d = new Date(Date.UTC(year, m - 1, 1)); d.getUTCMonth() === m - 1; d = new Date(d.getTime() + DAY)) {
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
};

interface Expected {
  projects: { projectId: string; sizes: { size: string; vmDays: number; costCents: number; peakVms: number }[]; peakVms: number }[];
  vmDays: number;
  costCents: number;
  peakVms: number;
}

/**
 * The reference fold: walks the month day by day (up to today in the current month) and counts, on each day, the
 * VMs READY on or before it and not decommissioned before it (the day of the decommission counts). VM-days are those counts summed; a peak is the largest of them; a cost is the monthly
 * price x VM-days / days of the month, rounded to the cent per project and size.
 */
function expectedReport(vms: readonly Vm[], tenantId: string, projectIds: ReadonlySet<string>, month: string): Expected {
  const allDays = daysOf(month);
  const today = NOW.toISOString().slice(0, 10);
  const counted = allDays.filter((day) => day <= today);
  const mine = vms.filter((vm) => vm.tenantId === tenantId && projectIds.has(vm.projectId));
  const running = (day: string, match: (vm: Vm) => boolean) =>
    mine.filter((vm) => match(vm) && vm.readyOn <= day && (vm.endedOn === null || day <= vm.endedOn)).length;
  const projects = [...projectIds].flatMap((projectId) => {
    const sizes = ['S', 'M', 'L', 'XL'].flatMap((size) => {
      const perDay = counted.map((day) => running(day, (vm) => vm.projectId === projectId && vm.size === size));
      const vmDays = perDay.reduce((a, b) => a + b, 0);
      if (vmDays === 0) return [];
      return [{ size, vmDays, costCents: Math.round((PRICES[size]! * vmDays * 100) / allDays.length), peakVms: Math.max(...perDay) }];
    });
    if (sizes.length === 0) return [];
    return [{ projectId, sizes, peakVms: Math.max(...counted.map((day) => running(day, (vm) => vm.projectId === projectId))) }];
  });
  const all = projects.flatMap((p) => p.sizes);
  return {
    projects: projects.sort((a, b) => a.projectId.localeCompare(b.projectId)),
    vmDays: all.reduce((sum, s) => sum + s.vmDays, 0),
    costCents: all.reduce((sum, s) => sum + s.costCents, 0),
    peakVms: Math.max(0, ...counted.map((day) => running(day, () => true))),
  };
}

const actual = (report: UsageReportView): Expected => ({
  projects: report.projects
    .map((p) => ({ projectId: p.projectId, sizes: p.sizes.map(({ size, vmDays, costCents, peakVms }) => ({ size, vmDays, costCents, peakVms })), peakVms: p.peakVms }))
    .sort((a, b) => a.projectId.localeCompare(b.projectId)),
  vmDays: report.totals.vmDays,
  costCents: report.totals.costCents,
  peakVms: report.totals.peakVms,
});

describe('usage_report, added after the fact', () => {
  dbTest(
    'its monthly figures equal a day-by-day fold of more than 10,000 events over eight months, replayed and live alike',
    { timeout: 300_000 },
    async ({ sql, store, database }) => {
      const projects: Project[] = [];
      for (const tenant of TENANTS) {
        for (const [i, name] of tenant.projects.entries()) {
          const owner = `owner-${tenant.id}-${i}`;
          projects.push({ tenantId: tenant.id, id: await createProject(store, tenant.id, name, owner), name, owner });
        }
      }

      // The deployment before the report: only older read models run while most of the history is written.
      const before = await startProjector({ sql, projections: [vmRequestsProjection, projectsProjection], log: () => {} });
      await writeHistory(store, projects, 1_500);
      await before.caughtUp();
      await before.stop();
      expect(await sql`select 1 from projection_checkpoints where name = ${USAGE_REPORT_PROJECTION}`).toHaveLength(0);

      // The new deployment starts the report at event zero and replays, while more history arrives live. Small
      // batches, so that many requests are created in one batch and READY in a later one.
      const after = await startProjector({ sql, projections: PROJECTIONS, batchSize: 500, log: () => {} });
      try {
        await writeHistory(store, projects, 500);
        await after.caughtUp();

        const [counts] = await sql<{ events: number; ready: number; ended: number; failed: number; cancelled: number; months: number }[]>`
          select count(*)::int as events,
                 count(*) filter (where event_type = 'VmRequestReady')::int as ready,
                 count(*) filter (where event_type in ('VmDecommissioned', 'VmDeletionObserved'))::int as ended,
                 count(*) filter (where event_type = 'VmRequestProvisioningFailed')::int as failed,
                 count(*) filter (where event_type = 'VmRequestCancelled')::int as cancelled,
                 count(distinct substr(metadata->>'occurredAt', 1, 7)) filter (where event_type = 'VmRequestReady')::int as months
          from events`;
        expect(counts!.events).toBeGreaterThan(10_000);
        expect(counts!.failed).toBeGreaterThan(50);
        expect(counts!.cancelled).toBeGreaterThan(50);
        expect(counts!.ended).toBeGreaterThan(50);
        expect(counts!.months).toBeGreaterThanOrEqual(6);

        const vms = await vmsFromEvents(sql);
        expect(vms).toHaveLength(counts!.ready);
        // Mid-month READYs (not on the 1st) are the rule, not the exception.
        expect(vms.filter((vm) => !vm.readyOn.endsWith('-01')).length).toBeGreaterThan(vms.length * 0.9);

        for (const tenant of TENANTS) {
          const admin: Principal = { tenantId: tenant.id, userId: 'admin', roles: ['admin'] };
          const tenantProjects = projects.filter((p) => p.tenantId === tenant.id);
          const owner = tenantProjects[0]!;
          const projectAdmin: Principal = { tenantId: tenant.id, userId: owner.owner, roles: ['user'] };
          for (const month of MONTHS) {
            const report = await usageReportFor(database.db, admin, month, NOW);
            if (!report.ok) throw new Error(`report refused: ${report.message}`);
            expect({ month, ...actual(report.report) }).toEqual({
              month,
              ...expectedReport(vms, tenant.id, new Set(tenantProjects.map((p) => p.id)), month),
            });
            expect(report.report.projects.every((p) => p.projectName === projects.find((q) => q.id === p.projectId)!.name)).toBe(true);

            const own = await usageReportFor(database.db, projectAdmin, month, NOW);
            if (!own.ok) throw new Error(`report refused: ${own.message}`);
            expect(actual(own.report)).toEqual(expectedReport(vms, tenant.id, new Set([owner.id]), month));
          }
        }
        // The current month counts up to today; it is not complete.
        const july = await usageReportFor(database.db, { tenantId: 'acme', userId: 'admin', roles: ['admin'] }, '2025-07', NOW);
        expect(july.ok && { daysCounted: july.report.daysCounted, daysInMonth: july.report.daysInMonth, complete: july.report.complete }).toEqual({
          daysCounted: 20,
          daysInMonth: 31,
          complete: false,
        });

        // Requests that never ran leave no row behind; a decommissioned VM's interval is closed.
        const [leftovers] = await sql<{ n: number }[]>`
          select count(*)::int as n from usage_report_vms u join vm_requests r on r.id = u.id
          where r.status in ('REJECTED', 'CANCELLED', 'FAILED') or (r.status in ('READY', 'DECOMMISSIONED')) <> (u.ready_at is not null)
             or (r.status = 'DECOMMISSIONED') <> (u.ended_at is not null)`;
        expect(leftovers!.n).toBe(0);

        await expectSameAsFreshRebuild(sql, usageReportProjection);
      } finally {
        await after.stop();
      }
    },
  );
});
