import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AddProjectMemberDocument,
  ApproveVmRequestDocument,
  CancelVmRequestDocument,
  CreateProjectDocument,
  CreateVmRequestDocument,
  NodeDocument,
  PendingApprovalsDocument,
  ProjectDocument,
  ProjectsDocument,
  RejectVmRequestDocument,
  RemoveProjectMemberDocument,
  VmRequestChangesDocument,
  VmRequestDetailDocument,
  VmRequestDocument,
  VmRequestUpdatedDocument,
  VmRequestsDocument,
} from './generated/graphql.ts';
import { dataOf, http, httpRaw, subscribeSse, subscribeWs, wsClient } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { person } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let a: Tenant;
let b: Tenant;
/** alice's request in tenant A: nobody in B, and no other user in A, may see or touch it. */
let target: { id: string; version: number };
let carolToken: string;

const eventCount = async (): Promise<number> => (await server.database.sql<{ n: number }[]>`select count(*)::int as n from events`)[0]!.n;

beforeAll(async () => {
  server = await startTestServer();
  a = await setupTenant(server);
  b = await setupTenant(server);
  // carol is a user of tenant A in no project.
  carolToken = await server.token(person(a.tenant, 'carol'));
  const request = await createRequest(server, a.aliceToken, a.projectId);
  target = { id: request.id, version: request.version };
  // Wait for the read model, so "not visible" is not just "not projected yet".
  await vi.waitFor(
    async () => expect(dataOf(await http(server.url, a.adminToken, VmRequestDocument, { id: target.id })).vmRequest).not.toBeNull(),
    { timeout: 15_000 },
  );
});

afterAll(async () => {
  await server?.close();
});

describe('queries show nothing of another tenant or (for users) of another user', () => {
  it('vmRequest and node: null, exactly as for an id that does not exist', async () => {
    for (const token of [b.adminToken, b.aliceToken, a.bobToken, carolToken]) {
      expect(dataOf(await http(server.url, token, VmRequestDocument, { id: target.id })).vmRequest).toBeNull();
      expect(dataOf(await http(server.url, token, VmRequestDetailDocument, { id: target.id })).vmRequest).toBeNull();
      expect(dataOf(await http(server.url, token, NodeDocument, { id: target.id })).node).toBeNull();
    }
    expect(dataOf(await http(server.url, a.adminToken, NodeDocument, { id: target.id })).node).toMatchObject({ __typename: 'VmRequest', id: target.id });
    expect(dataOf(await http(server.url, a.aliceToken, NodeDocument, { id: target.id })).node).toMatchObject({ id: target.id });
  });

  it('project, node and projects: another tenant never sees the project', async () => {
    for (const token of [b.adminToken, b.aliceToken]) {
      expect(dataOf(await http(server.url, token, ProjectDocument, { id: a.projectId })).project).toBeNull();
      expect(dataOf(await http(server.url, token, NodeDocument, { id: a.projectId })).node).toBeNull();
      const ids = dataOf(await http(server.url, token, ProjectsDocument, { first: 100 })).projects.edges.map((e) => e.node.id);
      expect(ids).not.toContain(a.projectId);
    }
    // A user in no project sees no project; a member sees theirs.
    expect(dataOf(await http(server.url, carolToken, ProjectDocument, { id: a.projectId })).project).toBeNull();
    expect(dataOf(await http(server.url, a.bobToken, ProjectDocument, { id: a.projectId })).project?.id).toBe(a.projectId);
  });

  it('vmRequests: users get only their own, admins only their tenant, whatever the filter', async () => {
    for (const token of [b.adminToken, b.aliceToken, a.bobToken, carolToken]) {
      for (const filter of [undefined, { projectId: a.projectId }, { status: ['PENDING' as const] }, { mine: false }]) {
        const ids = dataOf(await http(server.url, token, VmRequestsDocument, { filter, first: 100 })).vmRequests.edges.map((e) => e.node.id);
        expect(ids).not.toContain(target.id);
      }
    }
    const ownIds = dataOf(await http(server.url, a.aliceToken, VmRequestsDocument, { first: 100 })).vmRequests.edges.map((e) => e.node.id);
    expect(ownIds).toContain(target.id);
  });

  it('pendingApprovals: admins of another tenant see none of it; users are refused', async () => {
    for (const projectId of [undefined, a.projectId]) {
      const ids = dataOf(await http(server.url, b.adminToken, PendingApprovalsDocument, { projectId, first: 100 })).pendingApprovals.edges.map((e) => e.node.id);
      expect(ids).not.toContain(target.id);
    }
    const asUser = await http(server.url, a.aliceToken, PendingApprovalsDocument, { first: 10 });
    expect(asUser.data).toBeNull();
    expect(asUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const queue = dataOf(await http(server.url, a.adminToken, PendingApprovalsDocument, { first: 100 })).pendingApprovals;
    expect(queue.edges.map((e) => e.node.id)).toContain(target.id);
  });
});

describe('mutations cannot touch another tenant or (for users) another user', () => {
  it('answer NotFoundError, as for an id that does not exist, and write nothing', async () => {
    const before = await eventCount();
    const outsiders = [b.adminToken, b.otherAdminToken];
    for (const token of outsiders) {
      const approve = dataOf(await http(server.url, token, ApproveVmRequestDocument, { input: { id: target.id, expectedVersion: target.version } })).approveVmRequest;
      const reject = dataOf(await http(server.url, token, RejectVmRequestDocument, { input: { id: target.id, expectedVersion: target.version, reason: 'Not in our budget this year' } })).rejectVmRequest;
      const cancel = dataOf(await http(server.url, token, CancelVmRequestDocument, { input: { id: target.id } })).cancelVmRequest;
      const create = dataOf(await http(server.url, token, CreateVmRequestDocument, { input: { projectId: a.projectId, vmName: 'intruder', size: 'S', justification: 'Trying the other tenant project' } })).createVmRequest;
      const add = dataOf(await http(server.url, token, AddProjectMemberDocument, { input: { projectId: a.projectId, userId: 'mallory', role: 'PROJECT_ADMIN' } })).addProjectMember;
      const remove = dataOf(await http(server.url, token, RemoveProjectMemberDocument, { input: { projectId: a.projectId, userId: 'alice' } })).removeProjectMember;
      for (const result of [approve, reject, cancel, create, add, remove]) expect(result.__typename).toBe('NotFoundError');
    }
    // Within the tenant, a user cannot even see another user's request.
    const cancelByBob = dataOf(await http(server.url, a.bobToken, CancelVmRequestDocument, { input: { id: target.id } })).cancelVmRequest;
    expect(cancelByBob.__typename).toBe('NotFoundError');
    // The same ids as raw hand-written requests of another type (archive) are refused as well.
    const archive = await httpRaw<{ archiveProject: { __typename: string } }>(server.url, b.adminToken, {
      query: 'mutation($id: ID!) { archiveProject(input: { projectId: $id }) { __typename } }',
      variables: { id: a.projectId },
    });
    expect(archive.data?.archiveProject.__typename).toBe('NotFoundError');
    expect(await eventCount()).toBe(before);
    const still = dataOf(await http(server.url, a.adminToken, VmRequestDocument, { id: target.id })).vmRequest;
    expect(still).toMatchObject({ status: 'PENDING', version: target.version });
  });

  it('project names are unique per tenant only', async () => {
    const sameName = dataOf(await http(server.url, b.adminToken, CreateProjectDocument, { input: { name: `Web ${a.tenant}` } })).createProject;
    expect(sameName.__typename).toBe('CreateProjectPayload');
  });
});

describe('subscriptions deliver nothing of another tenant or (for users) of another user', () => {
  it('vmRequestUpdated on an invisible request fails with NOT_FOUND over graphql-ws and SSE', async () => {
    for (const token of [b.adminToken, a.bobToken]) {
      const ws = wsClient(server.wsUrl, token);
      const overWs = subscribeWs(ws, VmRequestUpdatedDocument, { id: target.id });
      await overWs.ended();
      expect(overWs.values).toEqual([]);
      expect(JSON.stringify(overWs.errors)).toContain('NOT_FOUND');
      await ws.dispose();
      const overSse = subscribeSse(server.url, token, VmRequestUpdatedDocument, { id: target.id });
      await overSse.ended();
      expect(overSse.values).toEqual([]);
      expect(JSON.stringify(overSse.errors)).toContain('NOT_FOUND');
    }
  });

  it('vmRequestChanges carries only what the subscriber may see', async () => {
    type Change = { vmRequestChanges: { vmRequest: { id: string; status: string } } };
    const ids = (values: Change[]) => values.map((v) => v.vmRequestChanges.vmRequest.id);
    const has = (id: string, status = 'PENDING') => (values: Change[]) =>
      values.some((v) => v.vmRequestChanges.vmRequest.id === id && v.vmRequestChanges.vmRequest.status === status);

    const adminA = wsClient(server.wsUrl, a.adminToken);
    const adminB = wsClient(server.wsUrl, b.adminToken);
    const bob = wsClient(server.wsUrl, a.bobToken);
    const seenByAdminBOfA = subscribeWs(adminB, VmRequestChangesDocument, { projectId: a.projectId });
    const seenByAdminA = subscribeWs(adminA, VmRequestChangesDocument, {});
    const seenByAdminB = subscribeWs(adminB, VmRequestChangesDocument, {});
    const seenByBob = subscribeWs(bob, VmRequestChangesDocument, {});
    const seenByBobSse = subscribeSse(server.url, a.bobToken, VmRequestChangesDocument, {});

    // A marker each subscriber may see, before and after alice's changes: once the later one has arrived, alice's
    // changes (committed before it, and fanned out in commit order) would have arrived too. The first round is
    // repeated until every subscriber has one, so it also proves that each subscription is registered.
    const markersOfBob: string[] = [];
    const markersInB: string[] = [];
    const arrived = async (wait: () => Promise<unknown>) => wait().then(() => true, () => false);
    const marker = async (timeoutMs: number) => {
      const ofBob = await createRequest(server, a.bobToken, a.projectId);
      const inB = await createRequest(server, b.aliceToken, b.projectId);
      markersOfBob.push(ofBob.id);
      markersInB.push(inB.id);
      const all = await Promise.all([
        arrived(() => seenByBob.waitUntil(has(ofBob.id), timeoutMs)),
        arrived(() => seenByBobSse.waitUntil(has(ofBob.id), timeoutMs)),
        arrived(() => seenByAdminB.waitUntil(has(inB.id), timeoutMs)),
        arrived(() => seenByAdminA.waitUntil(has(ofBob.id), timeoutMs)),
      ]);
      return all.every(Boolean);
    };
    for (let round = 0; !(await marker(2_000)); round++) if (round > 10) throw new Error('subscriptions never registered');
    const alices = await createRequest(server, a.aliceToken, a.projectId);
    await http(server.url, a.adminToken, ApproveVmRequestDocument, { input: { id: alices.id, expectedVersion: 1 } });
    await seenByAdminA.waitUntil(has(alices.id, 'APPROVED'));
    expect(await marker(15_000)).toBe(true);

    expect(ids(seenByAdminA.values)).toContain(alices.id);
    // Markers created before a subscription was registered may be missing; nothing else may be there.
    for (const id of ids(seenByBob.values)) expect(markersOfBob).toContain(id);
    for (const id of ids(seenByBobSse.values)) expect(markersOfBob).toContain(id);
    for (const id of ids(seenByAdminB.values)) expect(markersInB).toContain(id);
    expect(seenByAdminBOfA.values).toEqual([]);
    expect([seenByAdminA, seenByAdminB, seenByAdminBOfA, seenByBob, seenByBobSse].flatMap((s) => s.errors)).toEqual([]);

    for (const s of [seenByAdminA, seenByAdminB, seenByAdminBOfA, seenByBob, seenByBobSse]) s.unsubscribe();
    await Promise.all([adminA.dispose(), adminB.dispose(), bob.dispose()]);
  });
});
