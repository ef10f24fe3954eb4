import { and, eq, type SQL, sql } from 'drizzle-orm';
import { isAdmin, type Principal, type ProvisioningStage, type VmRequestStatus, type VmSize } from '../../domain/index.ts';
import { encodeCursor } from '../../projections/changes.ts';
import { type VmRequestRow, vmRequests } from '../../projections/vm-requests.table.ts';
import type { VmRequestView } from '../views/vm-request.ts';

/** Creation time in UTC with microseconds: the connection sort key, exact where a JS Date would round. */
export const createdSortKey = sql<string>`to_char(${vmRequests.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** domain.md Visibility, as SQL: a user sees the requests they created, an admin every request of the tenant. */
export const visibleTo = (principal: Principal): SQL =>
  isAdmin(principal)
    ? eq(vmRequests.tenantId, principal.tenantId)
    : (and(eq(vmRequests.tenantId, principal.tenantId), eq(vmRequests.requesterId, principal.userId)) as SQL);

/** The same rule in memory, for views that did not come through `visibleTo` (live changes, command results). */
export const canSee = (principal: Principal, request: Pick<VmRequestView, 'tenantId' | 'requesterId'>): boolean =>
  request.tenantId === principal.tenantId && (isAdmin(principal) || request.requesterId === principal.userId);

export const rowCursor = (row: Pick<VmRequestRow, 'changedTx' | 'changedPosition'>): string =>
  encodeCursor({ transactionId: row.changedTx, position: row.changedPosition });

// The projection writes these columns from domain events, so they hold the domain's values.
export const vmRequestFromRow = (row: VmRequestRow, sortKey?: string): VmRequestView => ({
  kind: 'VmRequest',
  id: row.id,
  tenantId: row.tenantId,
  projectId: row.projectId,
  vmName: row.vmName,
  size: row.size as VmSize,
  justification: row.justification,
  status: row.status as VmRequestStatus,
  version: row.version,
  requesterId: row.requesterId,
  requesterEmail: row.requesterEmail,
  requesterName: row.requesterName,
  decidedBy: row.decidedBy,
  rejectionReason: row.rejectionReason,
  cancellationReason: row.cancellationReason,
  provisioningStage: row.provisioningStage as ProvisioningStage | null,
  vmwareVmId: row.vmwareVmId,
  hostname: row.hostname,
  ipAddress: row.ipAddress,
  warning: row.provisioningWarning,
  failureCode: row.failureCode,
  failureMessage: row.failureMessage,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  cursor: rowCursor(row),
  ...(sortKey === undefined ? {} : { sortKey }),
});
