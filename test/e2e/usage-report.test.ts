import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, JsonObject } from '../../src/event-store/index.ts';
import { globalId, idOf } from '../../src/graphql/ids.ts';
import {
  AddProjectMemberDocument,
  ApproveVmRequestDocument,
  type UsageReportQuery,
  UsageReportDocument,
  VmRequestDocument,
} from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
/** A project from before the naming rules (created straight in the log): a comma and quotes in its name. */
const LEGACY_NAME = 'Legacy, "quoted" name';
let legacyProjectId: string;
let readyToday: string;

type Report = UsageReportQuery['usageReport'];

const NOW = new Date();
const TODAY = NOW.getUTCDate();
const CURRENT_MONTH = NOW.toISOString().slice(0, 7);
const NEXT_MONTH = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
const DAYS_THIS_MONTH = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() + 1, 0)).getUTCDate();

/** Appends one command's events to a stream with the time it happened, as command handling would have then. */
async function append(store: EventStore, tenantId: string, streamType: string, streamId: string, version: number, at: string, events: { type: string; data: object }[]) {
  await store.append(streamId, version === 0 ? 'no_stream' : version, events.map((e) => ({ type: e.type, data: e.data as JsonObject })), {
    streamType,
    tenantId,
    metadata: { tenantId, userId: 'admin', correlationId: randomUUID(), causationId: null, commandId: randomUUID(), occurredAt: at },
  });
}

/** A request's life in the log: created at `createdAt`, then READY at `readyAt`, or ended by `end`. */
async function pastRequest(
  tenantId: string,
  projectId: string,
  size: string,
  createdAt: string,
  outcome: { readyAt: string } | { end: 'cancel' | 'fail'; at: string },
) {
  const store = server.services.store;
  const id = randomUUID();
  const requester = { id: 'alice', email: null, name: null };
  await append(store, tenantId, 'VmRequest', id, 0, createdAt, [
    { type: 'VmRequestCreated', data: { projectId, vmName: `old-${id.slice(0, 8)}`, size, justification: 'Needed before the report existed', requester } },
  ]);
  if ('end' in outcome && outcome.end === 'cancel') {
    await append(store, tenantId, 'VmRequest', id, 1, outcome.at, [{ type: 'VmRequestCancelled', data: {} }]);
    return;
  }
  await append(store, tenantId, 'VmRequest', id, 1, createdAt, [{ type: 'VmRequestApproved', data: { approvedBy: 'admin' } }]);
  await append(store, tenantId, 'VmRequest', id, 2, createdAt, [{ type: 'VmRequestProvisioningStarted', data: {} }]);
  if ('readyAt' in outcome) {
    await append(store, tenantId, 'VmRequest', id, 3, outcome.readyAt, [
      { type: 'VmRequestReady', data: { vmwareVmId: `vm-${id}`, hostname: `old-${id.slice(0, 8)}.internal` } },
    ]);
  } else {
    await append(store, tenantId, 'VmRequest', id, 3, outcome.at, [
      { type: 'VmRequestProvisioningFailed', data: { errorCode: 'TEMPLATE_NOT_FOUND', errorMessage: 'No template', attempts: 1 } },
    ]);
  }
}

const report = async (token: string, month: string): Promise<Report> => dataOf(await http(server.url, token, UsageReportDocument, { month })).usageReport;

const csv = (token: string | null, query: string) =>
  fetch(`${server.origin}/reports/usage.csv${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

beforeAll(async () => {
  server = await startTestServer({ pollIntervalMs: 50, provisioning: { stageMs: 10 } });
  tenant = await setupTenant(server);
  other = await setupTenant(server);
  const added = dataOf(
    await http(server.url, tenant.adminToken, AddProjectMemberDocument, { input: { projectId: tenant.projectId, userId: 'alice', role: 'PROJECT_ADMIN' } }),
  ).addProjectMember;
  expect(added.__typename).toBe('AddProjectMemberPayload');

  legacyProjectId = randomUUID();
  await append(server.services.store, tenant.tenant, 'Project', legacyProjectId, 0, '2026-10-01T08:00:00.000Z', [
    { type: 'ProjectCreated', data: { name: LEGACY_NAME, createdBy: 'admin' } },
    { type: 'MemberAdded', data: { userId: 'admin', role: 'PROJECT_ADMIN' } },
  ]);
  const web = idOf(tenant.projectId, 'Project')!;
  // November 2026 has 30 days. M (50 EUR) READY on the 20th: 11 days, 11/30 of 50 EUR = 18.33.
  await pastRequest(tenant.tenant, legacyProjectId, 'M', '2026-11-18T10:00:00.000Z', { readyAt: '2026-11-20T09:00:00.000Z' });
  // S (25 EUR) READY since October 5th: all 30 days of November (25.00), 27 of October's 31 (21.77).
  await pastRequest(tenant.tenant, web, 'S', '2026-10-04T12:00:00.000Z', { readyAt: '2026-10-05T23:59:00.000Z' });
  // Never ran: cost nothing.
  await pastRequest(tenant.tenant, legacyProjectId, 'M', '2026-11-25T10:00:00.000Z', { end: 'cancel', at: '2026-11-25T11:00:00.000Z' });
  await pastRequest(tenant.tenant, web, 'XL', '2026-11-03T10:00:00.000Z', { end: 'fail', at: '2026-11-03T12:00:00.000Z' });
  // The other tenant: L (100 EUR) READY on November 2nd, 29 days.
  await pastRequest(other.tenant, idOf(other.projectId, 'Project')!, 'L', '2026-11-01T10:00:00.000Z', { readyAt: '2026-11-02T00:00:00.000Z' });

  // And one VM the real way, READY today: requested by alice, approved, provisioned.
  const request = await createRequest(server, tenant.aliceToken, tenant.projectId, { size: 'L' });
  readyToday = request.id;
  const approved = dataOf(await http(server.url, tenant.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: 1 } })).approveVmRequest;
  expect(approved.__typename).toBe('ApproveVmRequestPayload');
});

afterAll(async () => {
  await server?.close();
});

const NOVEMBER = (webId: string, legacyId: string) => ({
  month: '2026-11',
  daysInMonth: 30,
  daysCounted: 30,
  complete: true,
  projects: [
    {
      projectId: legacyId,
      projectName: LEGACY_NAME,
      sizes: [{ size: 'M', monthlyCostEur: 50, vmDays: 11, costCents: 1833, peakVms: 1 }],
      vmDays: 11,
      costCents: 1833,
      peakVms: 1,
    },
    {
      projectId: webId,
      projectName: `Web ${tenant.tenant}`,
      sizes: [{ size: 'S', monthlyCostEur: 25, vmDays: 30, costCents: 2500, peakVms: 1 }],
      vmDays: 30,
      costCents: 2500,
      peakVms: 1,
    },
  ],
  totals: {
    sizes: [
      { size: 'S', monthlyCostEur: 25, vmDays: 30, costCents: 2500, peakVms: 1 },
      { size: 'M', monthlyCostEur: 50, vmDays: 11, costCents: 1833, peakVms: 1 },
    ],
    vmDays: 41,
    costCents: 4333,
    peakVms: 2,
  },
});

describe('usageReport', () => {
  it("gives a tenant admin every project's VM-days, prorated cost and peak of a past month", async () => {
    const legacyId = globalId('Project', legacyProjectId);
    await expect.poll(() => report(tenant.adminToken, '2026-11'), { timeout: 20_000 }).toEqual(NOVEMBER(tenant.projectId, legacyId));
    // October: only the S VM, READY on the 5th: 27 of 31 days.
    const october = await report(tenant.adminToken, '2026-10');
    expect(october.totals).toEqual({ sizes: [{ size: 'S', monthlyCostEur: 25, vmDays: 27, costCents: 2177, peakVms: 1 }], vmDays: 27, costCents: 2177, peakVms: 1 });
    expect(await report(tenant.adminToken, '2026-09')).toMatchObject({ projects: [], totals: { sizes: [], vmDays: 0, costCents: 0, peakVms: 0 } });
  });

  it('counts the current month up to today, with a VM provisioned today through the API', async () => {
    await expect.poll(async () => (await report(tenant.adminToken, CURRENT_MONTH)).totals.sizes.map((s) => s.size), { timeout: 30_000 }).toContain('L');
    const now = await report(tenant.adminToken, CURRENT_MONTH);
    expect(now).toMatchObject({ month: CURRENT_MONTH, daysInMonth: DAYS_THIS_MONTH, daysCounted: TODAY, complete: false });
    const web = now.projects.find((p) => p.projectId === tenant.projectId)!;
    expect(web.sizes).toEqual([
      // The S VM from October runs every day so far; the L VM since today.
      { size: 'S', monthlyCostEur: 25, vmDays: TODAY, costCents: Math.round((25 * TODAY * 100) / DAYS_THIS_MONTH), peakVms: 1 },
      { size: 'L', monthlyCostEur: 100, vmDays: 1, costCents: Math.round(10_000 / DAYS_THIS_MONTH), peakVms: 1 },
    ]);
    expect(web.peakVms).toBe(2);
    expect(dataOf(await http(server.url, tenant.adminToken, VmRequestDocument, { id: readyToday })).vmRequest?.status).toBe('READY');
  });

  it('shows a project admin only the projects they administer, refuses a plain member, and keeps tenants apart', async () => {
    await expect.poll(async () => (await report(tenant.adminToken, '2026-11')).projects.length, { timeout: 20_000 }).toBe(2);
    const alices = await report(tenant.aliceToken, '2026-11');
    expect(alices.projects.map((p) => p.projectName)).toEqual([`Web ${tenant.tenant}`]);
    expect(alices.totals).toEqual({ sizes: [{ size: 'S', monthlyCostEur: 25, vmDays: 30, costCents: 2500, peakVms: 1 }], vmDays: 30, costCents: 2500, peakVms: 1 });

    const bobs = await http(server.url, tenant.bobToken, UsageReportDocument, { month: '2026-11' });
    expect(bobs.data).toBeNull();
    expect(bobs.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await expect.poll(async () => (await report(other.adminToken, '2026-11')).totals.costCents, { timeout: 20_000 }).toBe(9667);
    const others = await report(other.adminToken, '2026-11');
    expect(others.projects.map((p) => [p.projectId, p.vmDays])).toEqual([[other.projectId, 29]]);
  });

  it.each(['2026-13', '2026-1', 'November', '', ' 2026-11', NEXT_MONTH])('refuses month %j as BAD_USER_INPUT', async (month) => {
    for (const token of [tenant.adminToken, tenant.bobToken]) {
      const result = await http(server.url, token, UsageReportDocument, { month });
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'month' });
      expect(result.errors?.[0]?.message).toMatch(month === NEXT_MONTH ? /is in the future/ : /YYYY-MM/);
    }
  });
});

describe('GET /reports/usage.csv', () => {
  const euros = (cents: number) => (cents / 100).toFixed(2);
  const rowsOf = (r: Report) => [
    ['month', 'project_id', 'project_name', 'size', 'vm_days', 'monthly_price_eur', 'cost_eur', 'peak_vms'],
    ...r.projects.flatMap((p) =>
      p.sizes.map((s) => [r.month, p.projectId, p.projectName ?? '', s.size, `${s.vmDays}`, `${s.monthlyCostEur}`, euros(s.costCents), `${s.peakVms}`]),
    ),
    ...r.totals.sizes.map((s) => [r.month, '', 'Total (all projects)', s.size, `${s.vmDays}`, `${s.monthlyCostEur}`, euros(s.costCents), `${s.peakVms}`]),
    [r.month, '', 'Total (all projects)', '', `${r.totals.vmDays}`, '', euros(r.totals.costCents), `${r.totals.peakVms}`],
  ];

  it('is the GraphQL report as an RFC 4180 download: BOM, CRLF, quoted comma and quotes, attachment', async () => {
    await expect.poll(async () => (await report(tenant.adminToken, '2026-11')).projects.length, { timeout: 20_000 }).toBe(2);
    const response = await csv(tenant.adminToken, '?month=2026-11');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="dvmm-usage-2026-11.csv"');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain(`,"Legacy, ""quoted"" name",M,11,50,18.33,1\r\n`);

    const parsed = parse(bytes, { bom: true, record_delimiter: '\r\n' }) as string[][];
    expect(parsed).toEqual(rowsOf(await report(tenant.adminToken, '2026-11')));
    expect(parsed.at(-1)).toEqual(['2026-11', '', 'Total (all projects)', '', '41', '', '43.33', '2']);
  });

  it("follows the API's rules: a project admin's projects, 401, 403, 400 as JSON, nothing for another tenant", async () => {
    const alices = parse(Buffer.from(await (await csv(tenant.aliceToken, '?month=2026-11')).arrayBuffer()), { bom: true }) as string[][];
    expect(alices).toEqual(rowsOf(await report(tenant.aliceToken, '2026-11')));
    expect(alices.some((row) => row.includes(LEGACY_NAME))).toBe(false);

    const others = parse(Buffer.from(await (await csv(other.adminToken, '?month=2026-11')).arrayBuffer()), { bom: true }) as string[][];
    expect(others).toEqual(rowsOf(await report(other.adminToken, '2026-11')));
    expect(others.flat().join()).not.toContain(tenant.tenant);

    const anonymous = await csv(null, '?month=2026-11');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const forged = await csv('not-a-token', '?month=2026-11');
    expect(forged.status).toBe(401);

    const bob = await csv(tenant.bobToken, '?month=2026-11');
    expect(bob.status).toBe(403);
    expect(bob.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await bob.json()).toMatchObject({ code: 'FORBIDDEN' });

    for (const query of ['', '?month=2026-13', `?month=${NEXT_MONTH}`, '?month=2026-11%0A']) {
      const bad = await csv(tenant.adminToken, query);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'BAD_USER_INPUT', field: 'month' });
    }
  });
});
