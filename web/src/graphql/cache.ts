import { cacheExchange, type CacheExchangeOpts } from '@urql/exchange-graphcache';
import introspection from '../gql/possible-types.ts';
import { combineUpdates } from './combine-updates.ts';
import { pendingApprovalsUpdates } from './pending-approvals-updates.ts';
import { projectUpdates } from './project-updates.ts';
import { requestListUpdates } from './request-list-updates.ts';

/**
 * The normalized cache: every VmRequest and Project is stored once by id, so a change a subscription delivers updates
 * every list and detail showing it without a refetch. Types without an id of their own are embedded in their parent.
 */
export const cacheConfig: CacheExchangeOpts = {
  // From the schema: without it a fragment on an interface or union member (`... on Error`) is matched by guessing,
  // and a wrong guess drops its fields from the result (a refusal without its message).
  possibleTypes: introspection.possibleTypes,
  keys: {
    VmSizeSpec: (data) => String(data.size),
    Viewer: (data) => String(data.id),
    PageInfo: () => null,
    VmRequestConnection: () => null,
    VmRequestEdge: () => null,
    ProjectConnection: () => null,
    ProjectEdge: () => null,
    ProjectMember: () => null,
    ProjectUsage: () => null,
    ProjectQuota: () => null,
    ProjectUsageFigures: () => null,
    QuotaExceededError: () => null,
    UsageReport: () => null,
    UsageReportProject: () => null,
    UsageReportSize: () => null,
    UsageReportTotals: () => null,
    VmRequestStatusCount: () => null,
    VmRequestChange: () => null,
    TimelineEntry: () => null,
    AuditTrail: () => null,
    AuditEvent: () => null,
    FieldError: () => null,
    ValidationError: () => null,
    ConcurrencyError: () => null,
    ForbiddenError: () => null,
    InvalidStateError: () => null,
    NotFoundError: () => null,
    ProvisioningNotConfiguredError: () => null,
    VmOperationFailure: () => null,
    // The tenant's one connection: the settings page reads it past the cache and keeps what it shows itself.
    VmwareConnection: () => null,
    VmwareTemplate: () => null,
    VmwareIpPool: () => null,
    VmwareTls: () => null,
    TestVmwareConnectionPayload: () => null,
    RemoveVmwareConnectionPayload: () => null,
  },
  // List membership: which lists a created or changed request (or project) joins or leaves. Each list keeps its
  // updaters in its own module (add yours to the call); combineUpdates runs all of a field's updaters in order.
  updates: combineUpdates(pendingApprovalsUpdates, projectUpdates, requestListUpdates),
  resolvers: {
    Query: {
      // A request this cache holds (its create mutation's answer, the live feed) answers vmRequest(id) at once. Right
      // after a create the read model may not have it yet, and the query alone would say there is no such request.
      vmRequest: (_parent, args, cache) => {
        const key = cache.keyOfEntity({ __typename: 'VmRequest', id: String(args['id']) });
        return key && cache.resolve(key, 'id') ? key : (cache.resolve('Query', 'vmRequest', args) as string | null);
      },
    },
  },
};

export const portalCache = () => cacheExchange(cacheConfig);
