import { expect, vi } from 'vitest';
import { AddProjectMemberDocument, CreateProjectDocument, ProjectDocument, VmRequestsDocument } from './generated/graphql.ts';
import { dataOf, http, httpRaw } from './graphql-clients.ts';
import type { TestServer } from '../support/server.ts';

/**
 * Projects and counts for the new-request form's tests, made and read through the API as any client would. Each
 * change waits until the project read model shows it, as a page loaded next would see it.
 */

/** How long a read model may lag behind on a busy machine. */
export const READ_MODEL_WAIT = { timeout: 30_000, interval: 50 };

async function projectAsSeenBy(server: TestServer, token: string, projectId: string) {
  return dataOf(await http(server.url, token, ProjectDocument, { id: projectId })).project;
}

export async function createProject(server: TestServer, adminToken: string, name: string, members: readonly string[] = []): Promise<string> {
  const created = dataOf(await http(server.url, adminToken, CreateProjectDocument, { input: { name } })).createProject;
  if (created.__typename !== 'CreateProjectPayload') throw new Error(`createProject: ${JSON.stringify(created)}`);
  for (const userId of members) {
    const added = dataOf(
      await http(server.url, adminToken, AddProjectMemberDocument, { input: { projectId: created.project.id, userId, role: 'MEMBER' } }),
    ).addProjectMember;
    expect(added.__typename).toBe('AddProjectMemberPayload');
  }
  await vi.waitFor(async () =>
    expect((await projectAsSeenBy(server, adminToken, created.project.id))?.members).toHaveLength(members.length + 1),
    READ_MODEL_WAIT,
  );
  return created.project.id;
}

export async function archiveProject(server: TestServer, adminToken: string, projectId: string): Promise<void> {
  const result = await httpRaw<{ archiveProject: { __typename: string } }>(server.url, adminToken, {
    query: 'mutation ($projectId: ID!) { archiveProject(input: { projectId: $projectId }) { __typename } }',
    variables: { projectId },
  });
  expect(result.data?.archiveProject.__typename).toBe('ArchiveProjectPayload');
  await vi.waitFor(async () => expect((await projectAsSeenBy(server, adminToken, projectId))?.status).toBe('ARCHIVED'), READ_MODEL_WAIT);
}

/** The requests `token`'s user has made (a user sees only their own). */
export async function requestsOf(server: TestServer, token: string) {
  return dataOf(await http(server.url, token, VmRequestsDocument, { first: 100 })).vmRequests.edges.map((edge) => edge.node);
}
