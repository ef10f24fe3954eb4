import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddProjectMemberDocument, ApproveVmRequestDocument, PendingApprovalsDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let tenant: Tenant;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await setupTenant(server);
});

afterAll(async () => {
  await server?.close();
});

// domain.md: a PROJECT_ADMIN manages the project's members; approving is for tenant admins only. The admin queue
// follows the approval rule, so a project admin has no queue. Should project admins ever approve, both change together.
describe('a PROJECT_ADMIN who is not a tenant admin', () => {
  it('manages members, but has no approval queue and cannot approve a request of their project', async () => {
    const promoted = dataOf(
      await http(server.url, tenant.adminToken, AddProjectMemberDocument, { input: { projectId: tenant.projectId, userId: 'alice', role: 'PROJECT_ADMIN' } }),
    ).addProjectMember;
    expect(promoted.__typename).toBe('AddProjectMemberPayload');
    const added = dataOf(
      await http(server.url, tenant.aliceToken, AddProjectMemberDocument, { input: { projectId: tenant.projectId, userId: 'carol', role: 'MEMBER' } }),
    ).addProjectMember;
    expect(added.__typename).toBe('AddProjectMemberPayload');

    const request = await createRequest(server, tenant.bobToken, tenant.projectId);
    for (const projectId of [undefined, tenant.projectId]) {
      const queue = await http(server.url, tenant.aliceToken, PendingApprovalsDocument, { projectId, first: 10 });
      expect(queue.data).toBeNull();
      expect(queue.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const approval = dataOf(
      await http(server.url, tenant.aliceToken, ApproveVmRequestDocument, { input: { id: request.id, expectedVersion: 1 } }),
    ).approveVmRequest;
    // Bob's request is not visible to alice (a user sees only her own), so it is NOT_FOUND before any role check.
    expect(approval).toMatchObject({ __typename: 'NotFoundError' });

    // The tenant admin's queue has it (once the read model shows it: queries do not wait for the projector).
    const adminQueue = async () =>
      dataOf(await http(server.url, tenant.adminToken, PendingApprovalsDocument, { projectId: tenant.projectId, first: 100 })).pendingApprovals.edges.map(
        (edge) => edge.node.id,
      );
    await expect.poll(adminQueue).toContain(request.id);
  });
});
