import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApproveVmRequestWithinQuotaDocument,
  CancelVmRequestDocument,
  CreateVmRequestWithinQuotaDocument,
  type CreateVmRequestInput,
  ProjectQuotaDocument,
  ProjectUsageChangedDocument,
  ProjectUsageChangesDocument,
  type QuotaAndUsageFragment,
  SetProjectQuotaDocument,
  type SetProjectQuotaInput,
} from './generated/graphql.ts';
import { dataOf, http, subscribeWs, wsClient } from './graphql-clients.ts';
import { setupTenant, type Tenant } from './graphql-fixtures.ts';
import { person } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  server = await startTestServer({ pollIntervalMs: 50 });
  [a, b] = [await setupTenant(server), await setupTenant(server)];
});
afterAll(() => server?.close());

const eventCount = async (): Promise<number> =>
  (await server.database.sql<{ n: number }[]>`select count(*)::int as n from events`)[0]!.n;

const zero = { vms: 0, vcpus: 0, memoryGb: 0, diskGb: 0, monthlyCostEur: 0 };
const m = { vms: 1, vcpus: 4, memoryGb: 8, diskGb: 100, monthlyCostEur: 50 };
const twice = (f: typeof m) => ({ vms: f.vms * 2, vcpus: f.vcpus * 2, memoryGb: f.memoryGb * 2, diskGb: f.diskGb * 2, monthlyCostEur: f.monthlyCostEur * 2 });

const setQuota = async (token: string, input: SetProjectQuotaInput) =>
  dataOf(await http(server.url, token, SetProjectQuotaDocument, { input })).setProjectQuota;

const project = async (token: string, id: string): Promise<QuotaAndUsageFragment> => {
  const found = dataOf(await http(server.url, token, ProjectQuotaDocument, { id })).project;
  if (!found) throw new Error(`project ${id} not visible`);
  return found;
};

let names = 0;
const create = async (token: string, projectId: string, overrides: Partial<CreateVmRequestInput> = {}) =>
  dataOf(
    await http(server.url, token, CreateVmRequestWithinQuotaDocument, {
      input: { projectId, vmName: `quota-${++names}`, size: 'M', justification: 'Quota end-to-end check', ...overrides },
    }),
  ).createVmRequest;

describe('setProjectQuota and Project.quota / Project.usage', () => {
  it('an admin sets limits at the version they saw; quota and usage agree with what is refused', async () => {
    const before = await project(a.adminToken, a.projectId);
    expect(before.quota).toEqual({ maxVms: null, maxVCpus: null, maxRamGb: null, maxStorageGb: null });
    expect(before.usage).toEqual({ running: zero, held: zero, counted: zero });

    const set = await setQuota(a.adminToken, { projectId: a.projectId, expectedVersion: before.version, maxVms: 2, maxVCpus: 100 });
    if (set.__typename !== 'SetProjectQuotaPayload') throw new Error(JSON.stringify(set));
    expect(set.project.quota).toEqual({ maxVms: 2, maxVCpus: 100, maxRamGb: null, maxStorageGb: null });
    expect(set.project.version).toBe(before.version + 1);

    for (let i = 0; i < 2; i++) expect((await create(a.aliceToken, a.projectId)).__typename).toBe('CreateVmRequestPayload');
    const refused = await create(a.aliceToken, a.projectId, { size: 'S' });
    expect(refused).toMatchObject({ __typename: 'QuotaExceededError', code: 'QUOTA_EXCEEDED', resource: 'VMS', limit: 2, used: 2, requested: 1 });
    expect(refused.__typename === 'QuotaExceededError' && refused.message).toMatch(/2 VMs/);
    // Read from the ledger the check used: no waiting for a projector, and the same figures.
    const after = await project(a.adminToken, a.projectId);
    expect(after.usage).toEqual({ running: zero, held: twice(m), counted: twice(m) });
  });

  it('lowering a limit takes nothing away, but the approval is checked again', async () => {
    const first = await create(a.aliceToken, a.projectId, { vmName: 'lowered-1' });
    expect(first).toMatchObject({ __typename: 'QuotaExceededError' }); // still at 2 from the test above
    const current = await project(a.adminToken, a.projectId);
    const raised = await setQuota(a.adminToken, { projectId: a.projectId, expectedVersion: current.version, maxVms: 3 });
    expect(raised.__typename).toBe('SetProjectQuotaPayload');
    const created = await create(a.aliceToken, a.projectId, { vmName: 'lowered-2' });
    if (created.__typename !== 'CreateVmRequestPayload') throw new Error(JSON.stringify(created));

    const lowered = await setQuota(a.adminToken, { projectId: a.projectId, expectedVersion: current.version + 1, maxVms: 1 });
    expect(lowered.__typename).toBe('SetProjectQuotaPayload');
    expect((await project(a.adminToken, a.projectId)).usage.counted.vms).toBe(3);

    const events = await eventCount();
    const approve = dataOf(
      await http(server.url, a.adminToken, ApproveVmRequestWithinQuotaDocument, { input: { id: created.vmRequest.id, expectedVersion: 1 } }),
    ).approveVmRequest;
    expect(approve).toMatchObject({ __typename: 'QuotaExceededError', resource: 'VMS', limit: 1, used: 2, requested: 1 });
    expect(await eventCount()).toBe(events);
  });

  it('bad input, a user, another tenant, a stale version: clear refusals, nothing written', async () => {
    const { version } = await project(b.adminToken, b.projectId);
    const events = await eventCount();

    const invalid = await setQuota(b.adminToken, { projectId: b.projectId, expectedVersion: version, maxVms: -1, maxRamGb: 1_000_001, maxStorageGb: 1_000_000 });
    expect(invalid).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'maxVms' });
    expect(invalid.__typename === 'ValidationError' && invalid.fields.map((f) => f.field)).toEqual(['maxVms', 'maxRamGb']);
    expect(invalid.__typename === 'ValidationError' && invalid.fields[1]!.message).toMatch(/0 to 1,000,000/);

    expect(await setQuota(b.aliceToken, { projectId: b.projectId, expectedVersion: version, maxVms: 5 })).toMatchObject({
      __typename: 'ForbiddenError',
      code: 'FORBIDDEN',
    });
    expect(await setQuota(a.adminToken, { projectId: b.projectId, expectedVersion: version, maxVms: 5 })).toMatchObject({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
    expect(await setQuota(b.adminToken, { projectId: 'not-an-id', expectedVersion: version, maxVms: 5 })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await setQuota(b.adminToken, { projectId: b.projectId, expectedVersion: version - 1, maxVms: 5 })).toMatchObject({
      __typename: 'ConcurrencyError',
      expectedVersion: version - 1,
      actualVersion: version,
    });
    expect(await eventCount()).toBe(events);
    expect((await project(b.adminToken, b.projectId)).quota.maxVms).toBeNull();
  });
});

describe('live usage', () => {
  it("a subscriber of a project's changes gets the project's usage and quota, fresh with every change (graphql-ws)", async () => {
    const admin = await server.token(person(b.tenant, 'admin', 'admin'));
    const { version } = await project(admin, b.projectId);
    expect((await setQuota(admin, { projectId: b.projectId, expectedVersion: version, maxVms: 5 })).__typename).toBe('SetProjectQuotaPayload');

    const client = wsClient(server.wsUrl, admin);
    try {
      const subscribers = server.services.live.subscriberCount();
      const changes = subscribeWs(client, ProjectUsageChangesDocument, { projectId: b.projectId });
      await expect.poll(() => server.services.live.subscriberCount(), { timeout: 10_000 }).toBeGreaterThan(subscribers);
      // Create, then cancel, and watch the figures follow.
      const created = await create(b.aliceToken, b.projectId, { size: 'L' });
      if (created.__typename !== 'CreateVmRequestPayload') throw new Error(JSON.stringify(created));
      const l = { vms: 1, vcpus: 8, memoryGb: 16, diskGb: 200, monthlyCostEur: 100 };
      const pending = await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.id === created.vmRequest.id));
      const onCreate = pending.find((v) => v.vmRequestChanges.vmRequest.id === created.vmRequest.id)!.vmRequestChanges.vmRequest;
      expect(onCreate.status).toBe('PENDING');
      expect(onCreate.project.quota.maxVms).toBe(5);
      expect(onCreate.project.usage).toEqual({ running: zero, held: l, counted: l });

      const cancelled = dataOf(await http(server.url, b.aliceToken, CancelVmRequestDocument, { input: { id: created.vmRequest.id } })).cancelVmRequest;
      expect(cancelled.__typename).toBe('CancelVmRequestPayload');
      const all = await changes.waitUntil((values) => values.some((v) => v.vmRequestChanges.vmRequest.status === 'CANCELLED'));
      const onCancel = all.find((v) => v.vmRequestChanges.vmRequest.status === 'CANCELLED')!.vmRequestChanges.vmRequest;
      expect(onCancel.project.usage).toEqual({ running: zero, held: zero, counted: zero });
      expect(changes.errors).toEqual([]);
      changes.unsubscribe();
    } finally {
      await client.dispose();
    }
  });

  it("projectUsageChanged: a plain member follows every request of the project, anyone's, getting only the project", async () => {
    const c = await setupTenant(server);
    // bob is a member; his own vmRequestChanges would hold none of alice's requests.
    const client = wsClient(server.wsUrl, c.bobToken);
    try {
      const subscribers = server.services.live.subscriberCount();
      const usage = subscribeWs(client, ProjectUsageChangedDocument, { projectId: c.projectId });
      // The project as it is now comes first, so nothing falls between a page's read and the feed.
      const [first] = await usage.waitFor(1);
      expect(first!.projectUsageChanged).toMatchObject({ id: c.projectId, usage: { running: zero, held: zero, counted: zero } });
      await expect.poll(() => server.services.live.subscriberCount(), { timeout: 10_000 }).toBeGreaterThan(subscribers);

      const l = { vms: 1, vcpus: 8, memoryGb: 16, diskGb: 200, monthlyCostEur: 100 };
      const created = await create(c.aliceToken, c.projectId, { size: 'L' });
      if (created.__typename !== 'CreateVmRequestPayload') throw new Error(JSON.stringify(created));
      await usage.waitUntil((values) => values.some((v) => v.projectUsageChanged.usage.held.vms === 1));
      expect(usage.values.at(-1)!.projectUsageChanged.usage).toEqual({ running: zero, held: l, counted: l });

      const cancelled = dataOf(await http(server.url, c.aliceToken, CancelVmRequestDocument, { input: { id: created.vmRequest.id } })).cancelVmRequest;
      expect(cancelled.__typename).toBe('CancelVmRequestPayload');
      await usage.waitUntil((values) => values.length >= 3 && values.at(-1)!.projectUsageChanged.usage.counted.vms === 0);
      expect(usage.values.at(-1)!.projectUsageChanged.usage).toEqual({ running: zero, held: zero, counted: zero });
      expect(usage.errors).toEqual([]);
      usage.unsubscribe();

      // Someone who does not see the project (not a member; another tenant's admin): NOT_FOUND, nothing delivered.
      const outsiders = [wsClient(server.wsUrl, await server.token(person(c.tenant, 'carol'))), wsClient(server.wsUrl, a.adminToken)];
      try {
        for (const outsider of outsiders) {
          const refused = subscribeWs(outsider, ProjectUsageChangedDocument, { projectId: c.projectId });
          await refused.ended();
          expect(refused.values).toEqual([]);
          expect(JSON.stringify(refused.errors)).toContain('NOT_FOUND');
        }
      } finally {
        await Promise.all(outsiders.map((each) => each.dispose()));
      }
    } finally {
      await client.dispose();
    }
  });
});
