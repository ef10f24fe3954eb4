import type { Cache, UpdatesConfig } from '@urql/exchange-graphcache';
import type { ProjectPageQuery as PageData, ProjectsQuery as ListData } from '../gql/graphql.ts';
import { VmRequestSummaryFragment } from './fragments.ts';
import { ProjectItemFragment, ProjectPageQuery, ProjectsQuery } from './projects.ts';

interface ChangedRequest {
  id?: unknown;
  status?: unknown;
  project?: { id?: unknown; usage?: unknown } | null;
}

/** Reads of one shape only (`first`): the documents in projects.ts. */
function firstOnly(args: Record<string, unknown> | null | undefined): args is { first: number } {
  return !!args && typeof args['first'] === 'number' && Object.keys(args).every((key) => key === 'first');
}

/**
 * A request change, as it concerns its project: a request its page does not list yet joins it (newest first), and one
 * that turned READY makes the project's usage stale. A feed that does not select the usage (the session's) leaves it
 * stale, so it is dropped from the cache there and then, and whatever shows it reads it again: a read caused by that
 * change, not a poll.
 */
export function syncProjectOfRequest(cache: Cache, request: ChangedRequest | null | undefined): void {
  if (!request || typeof request.id !== 'string' || typeof request.project?.id !== 'string') return;
  const projectId = request.project.id;
  const project = { __typename: 'Project', id: projectId };
  // A project-scoped feed (ProjectUsageChanges) brings the usage with the change; it is fresh, not stale.
  if (request.status === 'READY' && request.project.usage === undefined) cache.invalidate(project, 'usage');
  const summary = cache.readFragment(VmRequestSummaryFragment, { __typename: 'VmRequest', id: request.id });
  if (!summary) return;
  for (const field of cache.inspectFields(project)) {
    if (field.fieldName !== 'vmRequests' || !firstOnly(field.arguments)) continue;
    cache.updateQuery({ query: ProjectPageQuery, variables: { id: projectId, first: field.arguments.first } }, (data: PageData | null) => {
      const list = data?.project?.vmRequests;
      if (!data?.project || !list || list.edges.some((edge) => edge.node.id === summary.id)) return data;
      const edges = [{ __typename: 'VmRequestEdge' as const, node: summary }, ...list.edges];
      return { ...data, project: { ...data.project, vmRequests: { ...list, edges, totalCount: list.totalCount + 1 } } };
    });
  }
}

/** A project created here joins every cached projects list (oldest first: at the end, when that page is the last). */
export function addCreatedProject(cache: Cache, project: { id?: unknown } | null | undefined): void {
  if (!project || typeof project.id !== 'string') return;
  const item = cache.readFragment(ProjectItemFragment, { __typename: 'Project', id: project.id });
  if (!item) return;
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'projects' || !firstOnly(field.arguments)) continue;
    cache.updateQuery({ query: ProjectsQuery, variables: field.arguments }, (data: ListData | null) => {
      if (!data || data.projects.edges.some((edge) => edge.node.id === item.id)) return data;
      const edges = data.projects.pageInfo.hasNextPage ? data.projects.edges : [...data.projects.edges, { __typename: 'ProjectEdge' as const, node: item }];
      return { ...data, projects: { ...data.projects, edges, totalCount: data.projects.totalCount + 1 } };
    });
  }
}

const payloadOf = <K extends string>(result: unknown, field: string, key: K): Record<K, unknown> | null =>
  ((result as Record<string, Record<K, unknown> | null | undefined>)[field] ?? null);

export const projectUpdates: UpdatesConfig = {
  Subscription: {
    vmRequestChanges: (result, _args, cache) =>
      syncProjectOfRequest(cache, payloadOf(result, 'vmRequestChanges', 'vmRequest')?.vmRequest as ChangedRequest | undefined),
  },
  Mutation: {
    createVmRequest: (result, _args, cache) =>
      syncProjectOfRequest(cache, payloadOf(result, 'createVmRequest', 'vmRequest')?.vmRequest as ChangedRequest | undefined),
    createProject: (result, _args, cache) =>
      addCreatedProject(cache, payloadOf(result, 'createProject', 'project')?.project as { id?: unknown } | undefined),
  },
};
