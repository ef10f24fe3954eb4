import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import postgres from 'postgres';
import { describe, expect } from 'vitest';
import { createDb, type DrizzleDb } from '../../../src/db/client.ts';
import type { Principal, VmRequestEvent, VmSize } from '../../../src/domain/index.ts';
import type { EventStore } from '../../../src/event-store/index.ts';
import { globalId } from '../../../src/graphql/ids.ts';
import { usageReportFor, type UsageReportView } from '../../../src/graphql/read/usage-report.ts';
import { usageCsv } from '../../../src/http/usage-csv.ts';
import { projectsProjection, startProjector, usageReportProjection } from '../../../src/projections/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { appendStep, createProject, memberAdded, PROJECT_STREAM, VM_REQUEST_STREAM } from './events.ts';

// The report's calendar at its edges, with every figure worked out by hand below (not by the code under test):
// a VM READY a millisecond before or at midnight UTC between two months, VMs decommissioned or found deleted
// mid-month and on a month's last or first day, a leap-year February, a project admin of two of three projects,
// and a reader whose Postgres session is not in UTC.

const TENANT = 'acme';
const admin: Principal = { tenantId: TENANT, userId: 'admin', roles: ['admin'] };
/** PROJECT_ADMIN of the first two projects, a plain member of the third. */
const pa: Principal = { tenantId: TENANT, userId: 'pa', roles: ['user'] };
const NAMES = ['Zürich, "Ops" – Ærø ✓', 'Leap', 'Other'] as const;

type End = { type: 'VmDecommissioned' | 'VmDeletionObserved'; at: string };

/** A request's whole life as command handling writes it, each step at its own moment. */
async function vm(store: EventStore, projectId: string, size: VmSize, readyAt: string, end?: End): Promise<void> {
  const id = randomUUID();
  const before = new Date(new Date(readyAt).getTime() - 3_600_000);
  const steps: { actor: string; event: VmRequestEvent; at: Date }[] = [
    {
      actor: 'alice',
      event: { type: 'VmRequestCreated', data: { projectId, vmName: `vm-${id.slice(0, 8)}`, size, justification: 'Edges of the calendar', requester: { id: 'alice', email: null, name: null } } },
      at: before,
    },
    { actor: 'admin', event: { type: 'VmRequestApproved', data: { approvedBy: 'admin' } }, at: before },
    { actor: 'system:provisioning', event: { type: 'VmRequestProvisioningStarted', data: {} }, at: before },
    { actor: 'system:provisioning', event: { type: 'VmRequestReady', data: { vmwareVmId: `vm-${id}`, hostname: `h-${id.slice(0, 8)}` } }, at: new Date(readyAt) },
  ];
  if (end?.type === 'VmDecommissioned') {
    steps.push({ actor: 'admin', event: { type: 'VmDecommissionRequested', data: { requestedBy: 'admin' } }, at: new Date(end.at) });
    steps.push({ actor: 'system:provisioning', event: { type: 'VmDecommissioned', data: {} }, at: new Date(end.at) });
  } else if (end) {
    steps.push({ actor: 'system:reconciliation', event: { type: 'VmDeletionObserved', data: {} }, at: new Date(end.at) });
  }
  let version = 0;
  for (const step of steps) {
    version = await appendStep(store, TENANT, VM_REQUEST_STREAM, id, version, { actor: step.actor, events: [step.event] }, { occurredAt: step.at });
  }
}

/** A request that never ran: cancelled, or failed in provisioning. */
async function neverRan(store: EventStore, projectId: string, at: string, how: 'cancel' | 'fail'): Promise<void> {
  const id = randomUUID();
  const when = { occurredAt: new Date(at) };
  const created: VmRequestEvent = {
    type: 'VmRequestCreated',
    data: { projectId, vmName: `gone-${id.slice(0, 8)}`, size: 'XL', justification: 'Never ran', requester: { id: 'alice', email: null, name: null } },
  };
  let version = await appendStep(store, TENANT, VM_REQUEST_STREAM, id, 0, { actor: 'alice', events: [created] }, when);
  if (how === 'cancel') {
    await appendStep(store, TENANT, VM_REQUEST_STREAM, id, version, { actor: 'alice', events: [{ type: 'VmRequestCancelled', data: {} }] }, when);
    return;
  }
  version = await appendStep(store, TENANT, VM_REQUEST_STREAM, id, version, { actor: 'admin', events: [{ type: 'VmRequestApproved', data: { approvedBy: 'admin' } }] }, when);
  version = await appendStep(store, TENANT, VM_REQUEST_STREAM, id, version, { actor: 'system', events: [{ type: 'VmRequestProvisioningStarted', data: {} }] }, when);
  const failed: VmRequestEvent = { type: 'VmRequestProvisioningFailed', data: { errorCode: 'TEMPLATE_NOT_FOUND', errorMessage: 'No template', attempts: 1 } };
  await appendStep(store, TENANT, VM_REQUEST_STREAM, id, version, { actor: 'system', events: [failed] }, when);
}

interface Row {
  vmDays: number;
  costCents: number;
  peakVms: number;
  sizes: Record<string, [vmDays: number, costCents: number, peakVms: number]>;
}

/** The report in the shape the expectations are written in: per project name, and the totals. */
const shape = (report: UsageReportView): Record<string, Row> => {
  const row = (f: UsageReportView['totals']): Row => ({
    vmDays: f.vmDays,
    costCents: f.costCents,
    peakVms: f.peakVms,
    sizes: Object.fromEntries(f.sizes.map((s) => [s.size, [s.vmDays, s.costCents, s.peakVms]])),
  });
  return { ...Object.fromEntries(report.projects.map((p) => [p.projectName, row(p)])), TOTAL: row(report.totals) };
};

const read = async (db: DrizzleDb, who: Principal, month: string, now: string) => {
  const outcome = await usageReportFor(db, who, month, new Date(now));
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.report;
};

const [ZURICH, LEAP, OTHER] = NAMES;

// November 2026 has 30 days. By hand, per VM (price S 25, M 50, L 100, XL 200 EUR a month):
//   Zürich S  READY Oct 31 23:59:59.999 UTC, runs on: Oct 1 day (25 x 1/31 = 0.806 -> 81), Nov 30 days (2500)
//   Zürich M  READY Nov 1 00:00 UTC, decommissioned Nov 10 08:00: Oct nothing, Nov days 1-10 (50 x 10/30 -> 1667)
//   Zürich L  READY Nov 20 09:00, found deleted Nov 25 23:59: Nov days 20-25 (100 x 6/30 = 2000)
//   Zürich XL READY Nov 30 23:59:59, decommissioned Dec 1 00:00:00: Nov 1 day (200/30 -> 667), Dec 1 day (200/31 -> 645)
//   Leap M    READY Nov 20 00:00, runs on: Nov days 20-30 (11/30 of 50 -> 1833), the example
//   Other L   READY Nov 5, runs on: Nov days 5-30 (100 x 26/30 = 86.666 -> 8667)
//   Zürich: a cancelled and a failed XL in November: nothing.
// Peaks: Zürich has 2 on days 1-10 (S, M), 20-25 (S, L), 30 (S, XL). pa's two projects: 3 on days 20-25 (S, L, Leap M)
// and 30 (S, XL, Leap M). The tenant: 4 on the same days with Other's L. M never runs twice on a day (Zürich's ends
// on the 10th, Leap's starts on the 20th): peak 1; L runs twice on days 20-25: peak 2.
const NOVEMBER_ZURICH: Row = {
  vmDays: 47,
  costCents: 2500 + 1667 + 2000 + 667,
  peakVms: 2,
  sizes: { S: [30, 2500, 1], M: [10, 1667, 1], L: [6, 2000, 1], XL: [1, 667, 1] },
};
const NOVEMBER_LEAP: Row = { vmDays: 11, costCents: 1833, peakVms: 1, sizes: { M: [11, 1833, 1] } };
const NOVEMBER_OTHER: Row = { vmDays: 26, costCents: 8667, peakVms: 1, sizes: { L: [26, 8667, 1] } };

describe('the monthly report at the edges of the calendar', () => {
  dbTest('UTC month boundaries, mid-month ends, a leap February, a project admin of two projects, any session time zone', async ({ sql, store, database, url }) => {
    const projectIds: string[] = [];
    for (const [i, name] of NAMES.entries()) {
      const id = await createProject(store, TENANT, name, `owner-${i}`);
      await appendStep(store, TENANT, PROJECT_STREAM, id, 2, memberAdded(`owner-${i}`, 'pa', i < 2 ? 'PROJECT_ADMIN' : 'MEMBER'));
      projectIds.push(id);
    }
    const [zurich, leap, other] = projectIds as [string, string, string];
    await vm(store, zurich, 'S', '2026-10-31T23:59:59.999Z');
    await vm(store, zurich, 'M', '2026-11-01T00:00:00.000Z', { type: 'VmDecommissioned', at: '2026-11-10T08:00:00.000Z' });
    await vm(store, zurich, 'L', '2026-11-20T09:00:00.000Z', { type: 'VmDeletionObserved', at: '2026-11-25T23:59:00.000Z' });
    await vm(store, zurich, 'XL', '2026-11-30T23:59:59.000Z', { type: 'VmDecommissioned', at: '2026-12-01T00:00:00.000Z' });
    await neverRan(store, zurich, '2026-11-12T10:00:00.000Z', 'cancel');
    await neverRan(store, zurich, '2026-11-13T10:00:00.000Z', 'fail');
    await vm(store, leap, 'M', '2026-11-20T00:00:00.000Z');
    await vm(store, other, 'L', '2026-11-05T12:00:00.000Z');
    // February 2024 has 29 days:
    //   Leap M READY Feb 20 10:00, decommissioned Mar 1 00:30: Feb days 20-29 (50 x 10/29 = 17.24 -> 1724), Mar 1 day (50/31 -> 161)
    //   Leap S READY Jan 15, decommissioned Feb 29 23:00: Jan days 15-31 (25 x 17/31 = 13.71 -> 1371), every day of Feb
    //   (29/29: the full 2500), nothing in March.
    await vm(store, leap, 'M', '2024-02-20T10:00:00.000Z', { type: 'VmDecommissioned', at: '2024-03-01T00:30:00.000Z' });
    await vm(store, leap, 'S', '2024-01-15T08:00:00.000Z', { type: 'VmDecommissioned', at: '2024-02-29T23:00:00.000Z' });

    const projector = await startProjector({ sql, projections: [projectsProjection, usageReportProjection], log: () => {} });
    await projector.caughtUp();
    await projector.stop();

    // The same reads from a session in UTC and from sessions far east and west of it: the report's days are UTC days.
    const zones = ['Pacific/Kiritimati', 'America/Los_Angeles'];
    const others = zones.map((TimeZone) => postgres(url, { max: 2, onnotice: () => {}, connection: { TimeZone } }));
    try {
      expect(await others[0]!`show timezone`).toEqual([{ TimeZone: 'Pacific/Kiritimati' }]);
      for (const db of [database.db, ...others.map((s) => createDb(s))]) {
        const now = '2026-12-07T12:00:00.000Z';
        expect(shape(await read(db, admin, '2026-11', now))).toEqual({
          [ZURICH]: NOVEMBER_ZURICH,
          [LEAP]: NOVEMBER_LEAP,
          [OTHER]: NOVEMBER_OTHER,
          TOTAL: {
            vmDays: 47 + 11 + 26,
            costCents: 2500 + 1667 + 2000 + 667 + 1833 + 8667,
            peakVms: 4,
            sizes: { S: [30, 2500, 1], M: [21, 3500, 1], L: [32, 10_667, 2], XL: [1, 667, 1] },
          },
        });
        // pa administers Zürich and Leap, and is only a member of Other: both of theirs, nothing of Other's.
        expect(shape(await read(db, pa, '2026-11', now))).toEqual({
          [ZURICH]: NOVEMBER_ZURICH,
          [LEAP]: NOVEMBER_LEAP,
          TOTAL: { vmDays: 58, costCents: 8667, peakVms: 3, sizes: { S: [30, 2500, 1], M: [21, 3500, 1], L: [6, 2000, 1], XL: [1, 667, 1] } },
        });
        // A millisecond before midnight UTC on October 31st is October's last day.
        expect(shape(await read(db, admin, '2026-10', now))).toEqual({
          [ZURICH]: { vmDays: 1, costCents: 81, peakVms: 1, sizes: { S: [1, 81, 1] } },
          TOTAL: { vmDays: 1, costCents: 81, peakVms: 1, sizes: { S: [1, 81, 1] } },
        });
        // The current month, on its 7th: S and Leap's M every day so far, the XL decommissioned at midnight on the 1st
        // (that day counts), Other's L every day.
        const december = await read(db, pa, '2026-12', now);
        expect(december).toMatchObject({ daysInMonth: 31, daysCounted: 7, complete: false });
        expect(shape(december)).toEqual({
          [ZURICH]: { vmDays: 8, costCents: 565 + 645, peakVms: 2, sizes: { S: [7, 565, 1], XL: [1, 645, 1] } },
          [LEAP]: { vmDays: 7, costCents: 1129, peakVms: 1, sizes: { M: [7, 1129, 1] } },
          TOTAL: { vmDays: 15, costCents: 565 + 645 + 1129, peakVms: 3, sizes: { S: [7, 565, 1], M: [7, 1129, 1], XL: [1, 645, 1] } },
        });

        const leapFebruary = { vmDays: 39, costCents: 2500 + 1724, peakVms: 2, sizes: { S: [29, 2500, 1], M: [10, 1724, 1] } };
        const february = await read(db, admin, '2024-02', now);
        expect(february).toMatchObject({ daysInMonth: 29, daysCounted: 29, complete: true });
        expect(shape(february)).toEqual({ [LEAP]: leapFebruary, TOTAL: leapFebruary });
        // Read on February 29th itself, the last hour of the month: the same figures, not yet complete.
        const onThe29th = await read(db, pa, '2024-02', '2024-02-29T23:30:00.000Z');
        expect(onThe29th).toMatchObject({ daysInMonth: 29, daysCounted: 29, complete: false });
        expect(shape(onThe29th)).toEqual({ [LEAP]: leapFebruary, TOTAL: leapFebruary });
        expect(shape(await read(db, admin, '2024-01', now))).toMatchObject({ TOTAL: { vmDays: 17, costCents: 1371, sizes: { S: [17, 1371, 1] } } });
        expect(shape(await read(db, admin, '2024-03', now))).toMatchObject({ TOTAL: { vmDays: 1, costCents: 161, sizes: { M: [1, 161, 1] } } });
      }
    } finally {
      await Promise.all(others.map((s) => s.end()));
    }

    // As the auditor's spreadsheet reads the download: the BOM, then the name with its comma, quotes and non-ASCII
    // letters in one quoted cell, the same figures as above.
    const november = await read(database.db, pa, '2026-11', '2026-12-07T12:00:00.000Z');
    const bytes = Buffer.from(usageCsv(november), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain(`,"Zürich, ""Ops"" – Ærø ✓",S,30,25,25.00,1\r\n`);
    const rows = parse(bytes, { bom: true, record_delimiter: '\r\n' }) as string[][];
    expect(rows.filter((row) => row[2] === ZURICH)).toEqual([
      ['2026-11', globalId('Project', zurich), ZURICH, 'S', '30', '25', '25.00', '1'],
      ['2026-11', globalId('Project', zurich), ZURICH, 'M', '10', '50', '16.67', '1'],
      ['2026-11', globalId('Project', zurich), ZURICH, 'L', '6', '100', '20.00', '1'],
      ['2026-11', globalId('Project', zurich), ZURICH, 'XL', '1', '200', '6.67', '1'],
    ]);
    expect(rows.at(-1)).toEqual(['2026-11', '', 'Total (all projects)', '', '58', '', '86.67', '3']);
    expect(rows.map((row) => row[2])).not.toContain(OTHER);
  });
});
