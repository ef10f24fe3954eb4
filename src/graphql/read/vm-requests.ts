import type { ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import type { Principal, VmRequestStatus } from '../../domain/index.ts';
import { getTableColumns } from 'drizzle-orm';
import { vmRequests } from '../../projections/vm-requests.table.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { keysetPage, type SortDirection } from './keyset.ts';
import { createdSortKey, vmRequestFromRow, visibleTo } from './vm-request-rows.ts';

/** The request if it exists and the caller may see it; null otherwise (the two are not told apart). */
export const findVmRequest = async (db: DrizzleDb, principal: Principal, id: string): Promise<VmRequestView | null> => {
  const [row] = await db
    .select()
    .from(vmRequests)
    .where(and(eq(vmRequests.id, id), visibleTo(principal)))
    .limit(1);
  return row ? vmRequestFromRow(row) : null;
};

export interface VmRequestListFilter {
  projectId?: string | null;
  statuses?: readonly VmRequestStatus[] | null;
  /** Only the caller's own requests (an admin otherwise sees the whole tenant). */
  mine?: boolean | null;
}

/** One page of the requests visible to the caller, in `direction` order of creation. */
export const pageOfVmRequests = async (
  db: DrizzleDb,
  principal: Principal,
  filter: VmRequestListFilter,
  direction: SortDirection,
  args: ResolveCursorConnectionArgs,
): Promise<VmRequestView[]> => {
  const page = keysetPage(vmRequests.createdAt, vmRequests.id, direction, args);
  const conditions: SQL[] = [visibleTo(principal), ...page.where];
  if (filter.projectId) conditions.push(eq(vmRequests.projectId, filter.projectId));
  if (filter.statuses && filter.statuses.length > 0) conditions.push(inArray(vmRequests.status, [...filter.statuses]));
  if (filter.mine) conditions.push(eq(vmRequests.requesterId, principal.userId));
  const rows = await db
    .select({ row: getTableColumns(vmRequests), sortKey: createdSortKey })
    .from(vmRequests)
    .where(and(...conditions))
    .orderBy(...page.orderBy)
    .limit(args.limit);
  return rows.map(({ row, sortKey }) => vmRequestFromRow(row, sortKey));
};
