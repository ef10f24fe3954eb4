import { expect } from 'vitest';
import {
  AddProjectMemberDocument,
  CreateProjectDocument,
  CreateVmRequestDocument,
  type CreateVmRequestInput,
  type VmRequestFieldsFragment,
} from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { person } from '../support/personas.ts';
import type { TestServer } from '../support/server.ts';

export interface Tenant {
  tenant: string;
  adminToken: string;
  /** A second admin, so approvals need not be self-approvals. */
  otherAdminToken: string;
  aliceToken: string;
  bobToken: string;
  projectId: string;
}

let counter = 0;

/** A tenant with two admins, two members (alice, bob) and one project both are members of. */
export async function setupTenant(server: TestServer, tenant = `t${++counter}-${Date.now().toString(36)}`): Promise<Tenant> {
  const adminToken = await server.token(person(tenant, 'admin', 'admin'));
  const otherAdminToken = await server.token(person(tenant, 'admin2', 'admin'));
  const aliceToken = await server.token(person(tenant, 'alice'));
  const bobToken = await server.token(person(tenant, 'bob'));
  const created = dataOf(
    await http(server.url, adminToken, CreateProjectDocument, { input: { name: `Web ${tenant}`, description: 'Web shop' } }),
  ).createProject;
  if (created.__typename !== 'CreateProjectPayload') throw new Error(`createProject: ${JSON.stringify(created)}`);
  const projectId = created.project.id;
  for (const userId of ['alice', 'bob']) {
    const added = dataOf(
      await http(server.url, adminToken, AddProjectMemberDocument, { input: { projectId, userId, role: 'MEMBER' } }),
    ).addProjectMember;
    expect(added.__typename).toBe('AddProjectMemberPayload');
  }
  return { tenant, adminToken, otherAdminToken, aliceToken, bobToken, projectId };
}

export async function createRequest(
  server: TestServer,
  token: string,
  projectId: string,
  overrides: Partial<CreateVmRequestInput> = {},
): Promise<VmRequestFieldsFragment> {
  const result = dataOf(
    await http(server.url, token, CreateVmRequestDocument, {
      input: {
        projectId,
        vmName: `vm-${++counter}`,
        size: 'M',
        justification: 'Needed for the load tests next week',
        ...overrides,
      },
    }),
  ).createVmRequest;
  if (result.__typename !== 'CreateVmRequestPayload') throw new Error(`createVmRequest: ${JSON.stringify(result)}`);
  return result.vmRequest;
}

