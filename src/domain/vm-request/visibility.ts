import { isAdmin, type Principal } from '../principal.ts';

/** What decides who may see a VM request: the tenant it belongs to and the user who asked for it. */
export interface VmRequestOwnership {
  tenantId: string;
  requesterId: string;
}

/**
 * docs/domain.md, Visibility: a user sees the VM requests they created, an admin every request of their tenant, and
 * nobody a request of another tenant. Whoever may not see a request must get the answer a missing one gets, so ids
 * cannot be probed across users or tenants. The read layer states the same rule as SQL (`visibleTo` in
 * src/graphql/read/vm-request-rows.ts); a test holds the two together.
 */
export const canSeeVmRequest = (principal: Pick<Principal, 'tenantId' | 'userId' | 'roles'>, request: VmRequestOwnership): boolean =>
  request.tenantId === principal.tenantId && (isAdmin(principal) || request.requesterId === principal.userId);
