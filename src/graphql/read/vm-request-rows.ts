import { type AnyColumn, and, eq, type SQL, sql } from 'drizzle-orm';
import {
  isAdmin,
  type PowerState,
  type Principal,
  type ProvisioningStage,
  type VmOperation,
  type VmRequestStatus,
  type VmSize,
} from '../../domain/index.ts';
import { encodeCursor } from '../../projections/changes.ts';
import { type VmRequestRow, vmRequests } from '../../projections/vm-requests.table.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import type { CORE_COLUMNS } from './vm-request-columns.ts';

/** Creation time in UTC with microseconds: the connection sort key, exact where a JS Date would round. */
export const createdSortKey = sql<string>`to_char(${vmRequests.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * canSeeVmRequest (src/domain/vm-request/visibility.ts) as a WHERE condition, so a page or a lookup filters in the
 * database: the tenant's rows for an admin, the principal's own for anyone else. On vm_requests by default; any
 * table with a request's tenant and requester columns may pass them. Change the two together;
 * test/integration/vm-request-visibility.test.ts checks that they agree.
 */
export const visibleTo = (
  principal: Principal,
  columns: { tenantId: AnyColumn; requesterId: AnyColumn } = vmRequests,
): SQL => visibility(isAdmin(principal), { tenantId: principal.tenantId, userId: principal.userId }, columns);

/**
 * visibleTo's condition for an admin or anyone else, with the tenant and user as values or as placeholders (a
 * prepared statement's, see vm-requests.ts): one rule for both.
 */
export const visibility = (
  admin: boolean,
  values: { tenantId: unknown; userId: unknown },
  columns: { tenantId: AnyColumn; requesterId: AnyColumn } = vmRequests,
): SQL =>
  admin
    ? eq(columns.tenantId, values.tenantId)
    : (and(eq(columns.tenantId, values.tenantId), eq(columns.requesterId, values.userId)) as SQL);

export const rowCursor = (row: Pick<VmRequestRow, 'changedTx' | 'changedPosition'>): string =>
  encodeCursor({ transactionId: row.changedTx, position: row.changedPosition });

/**
 * A row read for a selection (vm-request-columns.ts): the core columns, and of the others those its fields need.
 * The view built from it leaves the others undefined; only resolvers of that selection ever read it.
 */
export type SelectedVmRequestRow = Pick<VmRequestRow, (typeof CORE_COLUMNS)[number]> & Partial<VmRequestRow>;

// The projection writes these columns from domain events, so they hold the domain's values.
export const vmRequestFromRow = (full: VmRequestRow | SelectedVmRequestRow, sortKey?: string): VmRequestView => {
  const row = full as VmRequestRow;
  return {
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
    provisioningAttempt: row.provisioningAttempts,
    nextRetryAt: row.nextRetryAt,
    vmwareVmId: row.vmwareVmId,
    hostname: row.hostname,
    ipAddress: row.ipAddress,
    warning: row.provisioningWarning,
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    powerState: row.powerState as PowerState | null,
    pendingOperation: row.pendingOperation as VmOperation | null,
    decommissionedAt: row.decommissionedAt,
    lastOperationFailure:
      row.failedOperation == null
        ? null
        : {
            operation: row.failedOperation as VmOperation,
            code: row.failedOperationCode ?? 'UNKNOWN',
            message: row.failedOperationMessage ?? '',
            attempts: row.failedOperationAttempts ?? 0,
            at: row.failedOperationAt,
          },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    cursor: rowCursor(row),
    ...(sortKey === undefined ? {} : { sortKey }),
  };
};
