import type { Cache, UpdatesConfig } from '@urql/exchange-graphcache';
import type { PendingApprovalFragment as Row, PendingApprovalsQuery as QueueData } from '../gql/graphql.ts';
import { ApprovalsAccessQuery } from './approvals-access.ts';
import { PendingApprovalFragment, PendingApprovalsQuery } from './pending-approvals.ts';

interface RequestLike {
  __typename?: string;
  id?: unknown;
  status?: unknown;
}

/**
 * Keeps every cached approvals queue (Query.pendingApprovals) to the requests that are PENDING now, whoever changed
 * them: a request that turned PENDING joins in creation order, one that was approved, rejected or cancelled leaves.
 * A request joins only once the cache holds everything a queue row shows (the queue page's own feed selects it):
 * adding a partial one would make the queue a cache miss and refetch it.
 */
export function syncPendingApprovals(cache: Cache, request: RequestLike | null | undefined): void {
  if (!request || typeof request.id !== 'string' || typeof request.status !== 'string') return;
  const id = request.id;
  const pending = request.status === 'PENDING';
  const found = pending ? cache.readFragment(PendingApprovalFragment, { __typename: 'VmRequest', id }) : null;
  const scope = queueProjects(cache);
  // A project admin's queue holds only their projects' requests; the feed also brings their own of other projects.
  const row = found && (!scope || scope.has(found.project.id)) ? found : null;
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'pendingApprovals' || !isQueueArgs(field.arguments)) continue;
    cache.updateQuery({ query: PendingApprovalsQuery, variables: field.arguments }, (data) =>
      data ? { ...data, pendingApprovals: pending ? (row ? withRow(data.pendingApprovals, row) : data.pendingApprovals) : without(data.pendingApprovals, id) } : data,
    );
  }
}

type Queue = QueueData['pendingApprovals'];

/**
 * The projects whose requests belong in the queue: every project (null) for a tenant admin or when the cache does
 * not know who is signed in, else the ones the viewer is a PROJECT_ADMIN of (the server's scope of pendingApprovals).
 */
function queueProjects(cache: Cache): ReadonlySet<string> | null {
  const access = cache.readQuery({ query: ApprovalsAccessQuery });
  if (!access || access.viewer.roles.includes('admin')) return null;
  return new Set(access.viewer.adminOfProjects);
}

/** The queue documents this page reads (first only): other shapes are left to their own owners. */
function isQueueArgs(args: Record<string, unknown> | null | undefined): args is { first: number } {
  return !!args && typeof args['first'] === 'number' && Object.keys(args).every((key) => key === 'first');
}

function withRow(queue: Queue, row: Row): Queue {
  if (queue.edges.some((edge) => edge.node.id === row.id)) return queue;
  // Oldest first: its place is after every older row. Past the last row of a partial page it belongs to a later page.
  const at = queue.edges.findIndex((edge) => edge.node.createdAt > row.createdAt);
  if (at === -1 && queue.pageInfo.hasNextPage) return { ...queue, totalCount: queue.totalCount + 1 };
  const edges = [...queue.edges];
  // urql reads __typename into every object (the generated types leave it out); the cache keys writes by it.
  edges.splice(at === -1 ? edges.length : at, 0, { __typename: 'VmRequestEdge', node: row } as Queue['edges'][number]);
  return { ...queue, edges, totalCount: queue.totalCount + 1 };
}

function without(queue: Queue, id: string): Queue {
  const edges = queue.edges.filter((edge) => edge.node.id !== id);
  return edges.length === queue.edges.length ? queue : { ...queue, edges, totalCount: Math.max(0, queue.totalCount - 1) };
}

const requestOf = (result: unknown, field: string): RequestLike | null => {
  const value = (result as Record<string, { vmRequest?: RequestLike } | null | undefined>)[field];
  return value?.vmRequest ?? null;
};

/** The graphcache updaters that call syncPendingApprovals: every result that carries a request's new status. */
export const pendingApprovalsUpdates: UpdatesConfig = {
  Subscription: {
    vmRequestChanges: (result, _args, cache) => syncPendingApprovals(cache, requestOf(result, 'vmRequestChanges')),
  },
  Mutation: {
    createVmRequest: (result, _args, cache) => syncPendingApprovals(cache, requestOf(result, 'createVmRequest')),
    approveVmRequest: (result, _args, cache) => syncPendingApprovals(cache, requestOf(result, 'approveVmRequest')),
    rejectVmRequest: (result, _args, cache) => syncPendingApprovals(cache, requestOf(result, 'rejectVmRequest')),
    cancelVmRequest: (result, _args, cache) => syncPendingApprovals(cache, requestOf(result, 'cancelVmRequest')),
  },
};
