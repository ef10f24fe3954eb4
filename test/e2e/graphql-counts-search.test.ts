import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventStore } from '../../src/event-store/index.ts';
import { createSimulatedHypervisor, startProvisioning } from '../../src/provisioning/index.ts';
import {
  AddProjectMemberDocument,
  ApproveVmRequestDocument,
  CancelVmRequestDocument,
  CreateProjectDocument,
  PendingApprovalsCountDocument,
  ProjectUsageDocument,
  ProjectVmRequestsDocument,
  ProjectsCountDocument,
  type ProjectVmRequestFilter,
  VmRequestCountsDocument,
  VmRequestDocument,
  type VmRequestFilter,
  type VmRequestStatus,
} from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { person } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const STATUSES: VmRequestStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'PROVISIONING', 'READY', 'FAILED', 'DECOMMISSIONED'];

let server: TestServer;
let a: Tenant;
let b: Tenant;
let carolToken: string;
/** A second project of tenant A, of which alice (not bob) is a member. */
let secondProjectId: string;

type Row = { id: string; vmName: string; status: VmRequestStatus };

async function createProject(token: string, name: string, members: string[]): Promise<string> {
  const created = dataOf(await http(server.url, token, CreateProjectDocument, { input: { name } })).createProject;
  if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
  for (const userId of members) {
    const added = dataOf(
      await http(server.url, token, AddProjectMemberDocument, { input: { projectId: created.project.id, userId, role: 'MEMBER' } }),
    ).addProjectMember;
    expect(added.__typename).toBe('AddProjectMemberPayload');
  }
  return created.project.id;
}

/** Every row of the list, page by page (2 a page, so totalCount must span pages), with the first page's counts. */
async function wholeList(token: string, filter?: VmRequestFilter) {
  const rows: Row[] = [];
  let after: string | null | undefined;
  let first: { totalCount: number; statusCounts: { status: VmRequestStatus; count: number }[] } | undefined;
  do {
    const page = dataOf(await http(server.url, token, VmRequestCountsDocument, { filter, first: 2, after })).vmRequests;
    first ??= page;
    // Every page reports the same counts: they do not depend on the page.
    expect({ totalCount: page.totalCount, statusCounts: page.statusCounts }).toEqual({ totalCount: first.totalCount, statusCounts: first.statusCounts });
    rows.push(...page.edges.map((edge) => edge.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return { rows, totalCount: first.totalCount, statusCounts: first.statusCounts };
}

/** Tenant A's requests by status, in the enum's order, once set up. */
const TENANT_A_COUNTS = [
  { status: 'PENDING', count: 3 },
  { status: 'APPROVED', count: 1 },
  { status: 'REJECTED', count: 0 },
  { status: 'CANCELLED', count: 1 },
  { status: 'PROVISIONING', count: 0 },
  { status: 'READY', count: 0 },
  { status: 'FAILED', count: 0 },
  { status: 'DECOMMISSIONED', count: 0 },
];

const countsOf = (rows: Row[]) => STATUSES.map((status) => ({ status, count: rows.filter((row) => row.status === status).length }));
const names = (rows: { vmName: string }[]) => rows.map((row) => row.vmName).sort();

beforeAll(async () => {
  server = await startTestServer({ pollIntervalMs: 50 });
  a = await setupTenant(server);
  b = await setupTenant(server);
  carolToken = await server.token(person(a.tenant, 'carol'));
  secondProjectId = await createProject(a.adminToken, `Data ${a.tenant}`, ['alice']);

  await createRequest(server, a.aliceToken, a.projectId, { vmName: 'alpha-web' });
  const alphaDb = await createRequest(server, a.aliceToken, a.projectId, { vmName: 'alpha-db' });
  await createRequest(server, a.aliceToken, a.projectId, { vmName: 'beta-web' });
  await createRequest(server, a.aliceToken, secondProjectId, { vmName: 'gamma-web' });
  const bobs = await createRequest(server, a.bobToken, a.projectId, { vmName: 'bob-web' });
  // The same name in another tenant: never counted, never found, for tenant A.
  await createRequest(server, b.aliceToken, b.projectId, { vmName: 'alpha-web' });
  const approved = dataOf(
    await http(server.url, a.adminToken, ApproveVmRequestDocument, { input: { id: alphaDb.id, expectedVersion: 1 } }),
  ).approveVmRequest;
  expect(approved.__typename).toBe('ApproveVmRequestPayload');
  const cancelled = dataOf(await http(server.url, a.bobToken, CancelVmRequestDocument, { input: { id: bobs.id } })).cancelVmRequest;
  expect(cancelled.__typename).toBe('CancelVmRequestPayload');
  // Counts read the read model: wait until it holds all of the above.
  await server.projector!.caughtUp();
});

afterAll(async () => {
  await server?.close();
});

describe('VmRequestConnection.totalCount and statusCounts', () => {
  it('match the rows each caller can page through, whatever the filter', async () => {
    const filters: (VmRequestFilter | undefined)[] = [
      undefined,
      { status: ['PENDING'] },
      { status: ['APPROVED', 'CANCELLED'] },
      { projectId: a.projectId },
      { projectId: secondProjectId, status: ['PENDING'] },
      { mine: true },
      { search: 'web' },
      { search: 'web', status: ['CANCELLED'] },
    ];
    for (const token of [a.adminToken, a.otherAdminToken, a.aliceToken, a.bobToken, carolToken, b.adminToken, b.aliceToken]) {
      for (const filter of filters) {
        const list = await wholeList(token, filter);
        expect(list.totalCount).toBe(list.rows.length);
        // statusCounts ignore the status condition: they count the rows of the same list without it.
        const withoutStatus = filter?.status ? (await wholeList(token, { ...filter, status: undefined })).rows : list.rows;
        expect(list.statusCounts).toEqual(countsOf(withoutStatus));
      }
    }
  });

  it('count what visibility allows: a user their own, an admin the tenant, never another tenant', async () => {
    const admin = await wholeList(a.adminToken);
    expect(names(admin.rows)).toEqual(['alpha-db', 'alpha-web', 'beta-web', 'bob-web', 'gamma-web']);
    expect(admin.totalCount).toBe(5);
    expect(admin.statusCounts).toEqual(TENANT_A_COUNTS);
    const alice = await wholeList(a.aliceToken, { status: ['APPROVED'] });
    expect(names(alice.rows)).toEqual(['alpha-db']);
    expect(alice.totalCount).toBe(1);
    // alice's four requests by status, although only APPROVED is listed; bob's cancelled one is not hers.
    expect(alice.statusCounts.filter((entry) => entry.count > 0)).toEqual([
      { status: 'PENDING', count: 3 },
      { status: 'APPROVED', count: 1 },
    ]);
    expect((await wholeList(a.adminToken, { mine: true })).totalCount).toBe(0);
    expect((await wholeList(carolToken)).totalCount).toBe(0);
    expect((await wholeList(b.adminToken)).totalCount).toBe(1);
  });

  it('are 0 for a projectId that is not a project id, and on pendingApprovals count the queue', async () => {
    const none = await wholeList(a.adminToken, { projectId: 'not-an-id' });
    expect(none).toEqual({ rows: [], totalCount: 0, statusCounts: countsOf([]) });
    const queue = dataOf(await http(server.url, a.adminToken, PendingApprovalsCountDocument, {})).pendingApprovals;
    expect(queue.totalCount).toBe(3);
    // Its status condition (PENDING) is left out of statusCounts, as on any list.
    expect(queue.statusCounts).toEqual(TENANT_A_COUNTS);
    const queueOfSecond = dataOf(await http(server.url, a.adminToken, PendingApprovalsCountDocument, { projectId: secondProjectId })).pendingApprovals;
    expect(queueOfSecond.totalCount).toBe(1);
    expect(dataOf(await http(server.url, b.adminToken, PendingApprovalsCountDocument, { projectId: a.projectId })).pendingApprovals.totalCount).toBe(0);
  });
});

describe('VmRequestFilter.search', () => {
  it('matches part of the VM name in any case, within what the caller sees', async () => {
    expect(names((await wholeList(a.adminToken, { search: 'WEB' })).rows)).toEqual(['alpha-web', 'beta-web', 'bob-web', 'gamma-web']);
    expect(names((await wholeList(a.adminToken, { search: 'lpha-' })).rows)).toEqual(['alpha-db', 'alpha-web']);
    expect(names((await wholeList(a.aliceToken, { search: 'web' })).rows)).toEqual(['alpha-web', 'beta-web', 'gamma-web']);
    expect(names((await wholeList(b.adminToken, { search: 'alpha' })).rows)).toEqual(['alpha-web']);
    expect(names((await wholeList(a.adminToken, { search: '  beta-web  ' })).rows)).toEqual(['beta-web']);
    // Blank: no search.
    expect((await wholeList(a.adminToken, { search: '   ' })).totalCount).toBe(5);
  });

  it('takes LIKE wildcards and the escape character literally', async () => {
    // Unescaped, each of these would match every name (`%`, `_`) or fail (`\`); no VM name contains them.
    for (const search of ['%', '_', '\\', 'alpha_web', 'alpha%', '%web', '\\%']) {
      const list = await wholeList(a.adminToken, { search });
      expect({ search, rows: list.rows, totalCount: list.totalCount }).toEqual({ search, rows: [], totalCount: 0 });
    }
  });

  it('refuses text no VM name can hold with BAD_USER_INPUT on filter.search', async () => {
    expect((await wholeList(a.adminToken, { search: 'x'.repeat(63) })).totalCount).toBe(0);
    for (const search of ['x'.repeat(64), 'x'.repeat(100_000), 'web\u0000', 'web\ud800']) {
      const result = await http(server.url, a.adminToken, VmRequestCountsDocument, { filter: { search }, first: 5 });
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
      expect(result.errors?.[0]?.message).toMatch(/^Search /);
    }
  });
});

describe('ProjectConnection.totalCount', () => {
  it('counts the projects each caller can page through', async () => {
    const expected: [string, number][] = [[a.adminToken, 2], [a.aliceToken, 2], [a.bobToken, 1], [carolToken, 0], [b.adminToken, 1]];
    for (const [token, count] of expected) {
      const ids: string[] = [];
      let after: string | null | undefined;
      do {
        const page = dataOf(await http(server.url, token, ProjectsCountDocument, { first: 1, after })).projects;
        expect(page.totalCount).toBe(count);
        ids.push(...page.edges.map((edge) => edge.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(ids).toHaveLength(count);
    }
  });
});

describe('Project.vmRequests', () => {
  const projectList = async (token: string, id: string, filter?: ProjectVmRequestFilter) => {
    const rows: Row[] = [];
    let after: string | null | undefined;
    let counts: { totalCount: number; statusCounts: { status: VmRequestStatus; count: number }[] } | undefined;
    do {
      const project = dataOf(await http(server.url, token, ProjectVmRequestsDocument, { id, filter, first: 2, after })).project;
      if (!project) return null;
      counts ??= project.vmRequests;
      rows.push(...project.vmRequests.edges.map((edge) => edge.node));
      after = project.vmRequests.pageInfo.hasNextPage ? project.vmRequests.pageInfo.endCursor : null;
    } while (after);
    return { rows, totalCount: counts?.totalCount, statusCounts: counts?.statusCounts };
  };

  it('is Query.vmRequests with the project as filter, for each caller', async () => {
    const filters: ProjectVmRequestFilter[] = [{}, { status: ['PENDING'] }, { search: 'web' }, { mine: true }];
    for (const token of [a.adminToken, a.aliceToken, a.bobToken]) {
      for (const projectId of [a.projectId, secondProjectId]) {
        for (const filter of filters) {
          const ofProject = await projectList(token, projectId, filter);
          if (ofProject === null) {
            // bob is no member of the second project: he cannot see it at all.
            expect([token, projectId]).toEqual([a.bobToken, secondProjectId]);
            continue;
          }
          const viaQuery = await wholeList(token, { ...filter, projectId });
          expect(ofProject).toEqual({ rows: viaQuery.rows, totalCount: viaQuery.totalCount, statusCounts: viaQuery.statusCounts });
        }
      }
    }
  });

  it('shows a user their own requests of the project, an admin all of them, newest first', async () => {
    const admin = await projectList(a.adminToken, a.projectId);
    expect(admin?.rows.map((row) => row.vmName)).toEqual(['bob-web', 'beta-web', 'alpha-db', 'alpha-web']);
    expect(admin?.totalCount).toBe(4);
    const bob = await projectList(a.bobToken, a.projectId);
    expect(bob?.rows.map((row) => row.vmName)).toEqual(['bob-web']);
    expect(bob?.statusCounts?.find((entry) => entry.status === 'CANCELLED')?.count).toBe(1);
    const selected = await projectList(a.aliceToken, a.projectId, { status: ['APPROVED'], search: 'ALPHA' });
    expect(selected?.rows.map((row) => row.vmName)).toEqual(['alpha-db']);
    expect(selected?.statusCounts?.filter((entry) => entry.count > 0)).toEqual([
      { status: 'PENDING', count: 1 },
      { status: 'APPROVED', count: 1 },
    ]);
    // Another tenant's admin does not see the project, so not its requests either.
    expect(await projectList(b.adminToken, a.projectId)).toBeNull();
  });
});

describe('Project.usage', () => {
  it('adds up the READY VMs of the project (its running figures, from the quota ledger)', async () => {
    const projectId = await createProject(a.adminToken, `Usage ${a.tenant}`, ['alice']);
    const usage = async (token: string, id = projectId) => dataOf(await http(server.url, token, ProjectUsageDocument, { id })).project?.usage;
    const zero = { vms: 0, vcpus: 0, memoryGb: 0, diskGb: 0, monthlyCostEur: 0 };

    const medium = await createRequest(server, a.aliceToken, projectId, { vmName: 'usage-m', size: 'M' });
    const large = await createRequest(server, a.aliceToken, projectId, { vmName: 'usage-l', size: 'L' });
    const cancelled = await createRequest(server, a.aliceToken, projectId, { vmName: 'usage-xl', size: 'XL' });
    for (const request of [medium, large]) {
      const approved = dataOf(
        await http(server.url, a.adminToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: 1 } }),
      ).approveVmRequest;
      expect(approved.__typename).toBe('ApproveVmRequestPayload');
    }
    await http(server.url, a.aliceToken, CancelVmRequestDocument, { input: { id: cancelled.id } });
    // Created, approved, cancelled: nothing provisioned yet (once the read model has seen all of it).
    await server.projector!.caughtUp();
    expect(await usage(a.adminToken)).toEqual(zero);

    const store = createEventStore(server.database.sql);
    const provisioning = await startProvisioning({
      sql: server.database.sql,
      store,
      hypervisor: createSimulatedHypervisor({ stageMs: 10 }),
      options: { pollIntervalMs: 50, projectorPollIntervalMs: 50 },
      log: () => {},
    });
    try {
      for (const request of [medium, large]) {
        await vi.waitFor(
          async () => expect(dataOf(await http(server.url, a.adminToken, VmRequestDocument, { id: request.id })).vmRequest?.status).toBe('READY'),
          { timeout: 30_000, interval: 100 },
        );
      }
    } finally {
      await provisioning.stop();
      await store.flush();
    }
    await server.projector!.caughtUp();
    // M (4 vCPU, 8 GB, 100 GB, 50 €) + L (8 vCPU, 16 GB, 200 GB, 100 €); the cancelled XL is not there.
    const expected = { vms: 2, vcpus: 12, memoryGb: 24, diskGb: 300, monthlyCostEur: 150 };
    expect(await usage(a.adminToken)).toEqual(expected);
    // Whoever sees the project sees its usage: a member too; another tenant sees no project at all.
    expect(await usage(a.aliceToken)).toEqual(expected);
    expect(dataOf(await http(server.url, b.adminToken, ProjectUsageDocument, { id: projectId })).project).toBeNull();
    // Other projects are untouched (the second has only a PENDING request).
    expect(await usage(a.adminToken, secondProjectId)).toEqual(zero);
  });
});
