import { gql } from '@urql/core';
import type { Cache, UpdatesConfig, Variables } from '@urql/exchange-graphcache';

/**
 * Keeps every cached request list (Query.vmRequests, any filter and page) in step with the requests'
 * changes, without a refetch: a request that now matches a list's filter joins it at its place (newest first), one
 * that no longer matches leaves it, and totalCount and statusCounts follow. A change arrives from the session's
 * feed (vmRequestChanges), a detail page's vmRequestUpdated, or a mutation's payload; each is applied once, because
 * what the lists are adjusted for is the status the request had in this cache just before that write.
 *
 * Project.vmRequests is project-updates.ts's (a project's page).
 *
 * Where the right edit cannot be decided from the cache, the one list field is invalidated instead, so it alone is
 * fetched again: see `adjust` for when.
 */

type Status = string;

interface RequestData {
  __typename?: string;
  id?: unknown;
  version?: unknown;
  status?: unknown;
}

/**
 * Each request's status in this cache, and the status it had before each write (a new client per user gets a new
 * cache). `before` is kept per write, keyed by the write's info object (graphcache hands the same one to every updater
 * of one write): the other lists' updaters run during this result's write and write their lists back, this request
 * in them, each as a write of its own. Kept per request only, such a write-back would become "the status before" and
 * hide this result's change (a created request seen as one that was already PENDING), so the lists would miss it.
 */
interface Seen {
  current: Map<string, Status>;
  before: WeakMap<object, Map<string, Status | undefined>>;
}
const seenByCache = new WeakMap<object, Seen>();
const seenOf = (cache: Cache): Seen => {
  let seen = seenByCache.get(cache);
  if (!seen) seenByCache.set(cache, (seen = { current: new Map(), before: new WeakMap() }));
  return seen;
};

interface Change {
  id: string;
  key: string;
  version: number;
  status: Status;
  /** undefined: the cache never held this request. */
  previous: Status | undefined;
  projectId: string | null;
  requesterId: string | null;
  vmName: string | null;
  createdAt: string | null;
}

interface ListFilter {
  projectId?: string | null;
  mine?: boolean | null;
  search?: string | null;
  status?: readonly Status[] | null;
}

const SELECTIONS = {
  rows: 'edges { cursor node { id createdAt } } pageInfo { hasNextPage }',
  total: 'totalCount',
  counts: 'statusCounts { status count }',
} as const;

// Fragments on Query with every argument a list may have: given a list's own arguments as variables, each reads
// and writes exactly that list's field. One per part, since a page may select some parts and not others. Built from
// strings (not graphql() calls): codegen would refuse a fragment's variables, and there is nothing to type.
const ARGS = 'first: $first, after: $after, last: $last, before: $before, filter: $filter';
const FRAGMENTS = {
  rows: gql(`fragment RequestListRows on Query { vmRequests(${ARGS}) { ${SELECTIONS.rows} } }`),
  total: gql(`fragment RequestListTotal on Query { vmRequests(${ARGS}) { ${SELECTIONS.total} } }`),
  counts: gql(`fragment RequestListCounts on Query { vmRequests(${ARGS}) { ${SELECTIONS.counts} } }`),
};
const listFragment = (part: keyof typeof SELECTIONS) => FRAGMENTS[part];

function changeOf(cache: Cache, data: RequestData | null | undefined, write: object): Change | null {
  if (!data || typeof data.id !== 'string' || typeof data.status !== 'string') return null;
  const key = cache.keyOfEntity({ __typename: 'VmRequest', id: data.id });
  if (!key) return null;
  const seen = seenOf(cache);
  // The status updater below ran for this very write (status is selected), so its `before` holds what it replaced.
  const before = seen.before.get(write);
  const previous = before?.has(key) ? before.get(key) : seen.current.get(key);
  const read = (field: string): unknown => cache.resolve(key, field);
  const project = read('project');
  return {
    id: data.id,
    key,
    version: typeof data.version === 'number' ? data.version : Number(read('version') ?? 0),
    status: data.status,
    previous,
    projectId: typeof project === 'string' ? asString(cache.resolve(project, 'id')) : null,
    requesterId: asString(read('requesterId')),
    vmName: asString(read('vmName')),
    createdAt: asString(read('createdAt')),
  };
}

const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Whether the request passes the list's conditions other than status; undefined when the cache cannot tell. */
function matchesBesidesStatus(cache: Cache, change: Change, filter: ListFilter): boolean | undefined {
  if (filter.projectId) {
    if (change.projectId === null) return undefined;
    if (change.projectId !== filter.projectId) return false;
  }
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    if (change.vmName === null) return undefined;
    // ILIKE on the server, with its wildcards escaped: a plain case-insensitive substring.
    if (!change.vmName.toLowerCase().includes(search)) return false;
  }
  if (filter.mine) {
    const viewer = cache.resolve('Query', 'viewer');
    const viewerId = typeof viewer === 'string' ? asString(cache.resolve(viewer, 'id')) : null;
    if (viewerId === null || change.requesterId === null) return undefined;
    if (change.requesterId !== viewerId) return false;
  }
  return true;
}

const withStatus = (filter: ListFilter, status: Status): boolean =>
  !filter.status || filter.status.length === 0 || filter.status.includes(status);

function applyChange(cache: Cache, data: RequestData | null | undefined, write: object): void {
  const change = changeOf(cache, data, write);
  if (!change) return;
  const created = change.previous === undefined && change.version === 1;
  if (!created && change.previous === change.status) return;
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'vmRequests') continue;
    const args = field.arguments ?? {};
    adjust(cache, change, created, args, (args['filter'] ?? {}) as ListFilter);
  }
}

function adjust(
  cache: Cache,
  change: Change,
  created: boolean,
  args: Variables,
  filter: ListFilter,
): void {
  const matches = matchesBesidesStatus(cache, change, filter);
  if (matches === false) return;
  // Undecidable, so the list is fetched again: a condition the cache cannot check (the request's project, name or
  // requester not cached, or `mine` before the viewer's id is), or a request this cache never held that changed
  // (its earlier status, and so whether and how the list counted it, is unknown).
  if (matches === undefined || (!created && change.previous === undefined)) {
    cache.invalidate('Query', 'vmRequests', args);
    return;
  }
  const was = !created && withStatus(filter, change.previous!);
  const is = withStatus(filter, change.status);
  const update = (part: keyof typeof SELECTIONS, edit: (list: Record<string, unknown>) => Record<string, unknown> | null): boolean => {
    const fragment = listFragment(part);
    const data = cache.readFragment(fragment, 'Query', args) as { vmRequests?: Record<string, unknown> | null } | null;
    if (!data?.vmRequests) return false;
    const edited = edit(data.vmRequests);
    if (edited) cache.writeFragment(fragment, { __typename: 'Query', vmRequests: edited }, args);
    return true;
  };

  update('counts', (list) => {
    const counts = list['statusCounts'] as { __typename?: string; status: Status; count: number }[];
    return {
      ...list,
      statusCounts: counts.map((entry) => {
        const delta = (entry.status === change.status ? 1 : 0) - (!created && entry.status === change.previous ? 1 : 0);
        return delta === 0 ? entry : { ...entry, count: Math.max(0, entry.count + delta) };
      }),
    };
  });
  if (was === is) return;
  update('total', (list) => ({ ...list, totalCount: Math.max(0, (list['totalCount'] as number) + (is ? 1 : -1)) }));

  // A page read backwards (last/before) ends where its cursor says, which the cache cannot place a row against.
  if (args['last'] != null || args['before'] != null) {
    cache.invalidate('Query', 'vmRequests', args);
    return;
  }
  const rowsKnown = update('rows', (list) => {
    type Edge = { __typename?: string; cursor: string; node: { __typename?: string; id: string; createdAt: string } };
    const edges = list['edges'] as Edge[];
    const present = edges.some((edge) => edge.node.id === change.id);
    if (!is) return present ? { ...list, edges: edges.filter((edge) => edge.node.id !== change.id) } : null;
    if (present || change.createdAt === null) return null;
    const at = placeNewestFirst(edges.map((edge) => edge.node), { id: change.id, createdAt: change.createdAt });
    const firstPage = args['after'] == null;
    const hasNextPage = (list['pageInfo'] as { hasNextPage: boolean }).hasNextPage;
    // Newer than this page's first row: it belongs to an earlier page. Older than its last with more to come: a later.
    if ((at === 0 && !firstPage) || (at === edges.length && (hasNextPage || (!firstPage && edges.length === 0)))) return null;
    // Pages go by pageInfo's cursors; a row's own cursor is the server's to make, so the added row has none.
    const edge: Edge = { __typename: 'VmRequestEdge', cursor: '', node: { __typename: 'VmRequest', id: change.id, createdAt: change.createdAt } };
    return { ...list, edges: [...edges.slice(0, at), edge, ...edges.slice(at)] };
  });
  // The page's rows were selected without what placing one needs (createdAt): let it be fetched again.
  if (!rowsKnown) cache.invalidate('Query', 'vmRequests', args);
}

/** Where a row goes in a newest-first page: before the first row created before it (ties by id, as the server). */
export function placeNewestFirst(rows: readonly { id: string; createdAt: string }[], row: { id: string; createdAt: string }): number {
  const time = Date.parse(row.createdAt);
  const at = rows.findIndex((other) => {
    const otherTime = Date.parse(other.createdAt);
    return otherTime < time || (otherTime === time && other.id < row.id);
  });
  return at === -1 ? rows.length : at;
}

const requestOf = (result: unknown, field: string): RequestData | null => {
  const value = (result as Record<string, unknown>)[field];
  if (!value || typeof value !== 'object') return null;
  // vmRequestUpdated's value is the request; the others' a change or payload holding it.
  return 'vmRequest' in value ? ((value as { vmRequest?: RequestData }).vmRequest ?? null) : (value as RequestData);
};

export const requestListUpdates: UpdatesConfig = {
  VmRequest: {
    // Runs on every write of a request's status (queries too), before the root field's updater of the same result.
    status: (parent, _args, cache, info) => {
      if (typeof parent['status'] !== 'string') return;
      const seen = seenOf(cache);
      let before = seen.before.get(info);
      if (!before) seen.before.set(info, (before = new Map()));
      // A result holding the request twice writes it twice: what it replaced is what the first write found.
      if (!before.has(info.parentKey)) before.set(info.parentKey, seen.current.get(info.parentKey));
      seen.current.set(info.parentKey, parent['status']);
    },
  },
  Subscription: {
    vmRequestChanges: (result, _args, cache, info) => applyChange(cache, requestOf(result, 'vmRequestChanges'), info),
    vmRequestUpdated: (result, _args, cache, info) => applyChange(cache, requestOf(result, 'vmRequestUpdated'), info),
  },
  Mutation: {
    createVmRequest: (result, _args, cache, info) => applyChange(cache, requestOf(result, 'createVmRequest'), info),
    approveVmRequest: (result, _args, cache, info) => applyChange(cache, requestOf(result, 'approveVmRequest'), info),
    rejectVmRequest: (result, _args, cache, info) => applyChange(cache, requestOf(result, 'rejectVmRequest'), info),
    cancelVmRequest: (result, _args, cache, info) => applyChange(cache, requestOf(result, 'cancelVmRequest'), info),
  },
};
