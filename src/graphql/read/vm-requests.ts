import type { ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { and, eq, ilike, inArray, type SQL, sql } from 'drizzle-orm';
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
  /** Only requests of these projects (an empty list matches nothing), e.g. the ones a project admin administers. */
  projectIds?: readonly string[] | null;
  statuses?: readonly VmRequestStatus[] | null;
  /** Only the caller's own requests (an admin otherwise sees the whole tenant). */
  mine?: boolean | null;
  /** Part of the VM name, any case: already checked (see queries/vm-request-list.ts). */
  search?: string | null;
}

/** `text` matched literally by LIKE: its wildcards (and the escape character itself) escaped. */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * The WHERE conditions of a list: visibility first, then the filter (`statuses` left out when `withStatus` is false,
 * for counts per status).
 */
export const listConditions = (principal: Principal, filter: VmRequestListFilter, withStatus = true): SQL[] => {
  const conditions: SQL[] = [visibleTo(principal)];
  if (filter.projectId) conditions.push(eq(vmRequests.projectId, filter.projectId));
  if (filter.projectIds) conditions.push(filter.projectIds.length > 0 ? inArray(vmRequests.projectId, [...filter.projectIds]) : sql`false`);
  if (withStatus && filter.statuses && filter.statuses.length > 0) {
    conditions.push(inArray(vmRequests.status, [...filter.statuses]));
  }
  if (filter.mine) conditions.push(eq(vmRequests.requesterId, principal.userId));
  // No index serves a substring match (pg_trgm is not assumed to be installed): Postgres filters the rows the other
  // conditions select by index, at most one tenant's requests, which is fine at this scale.
  if (filter.search) conditions.push(ilike(vmRequests.vmName, `%${likeLiteral(filter.search)}%`));
  return conditions;
};

/** One page of the requests visible to the caller, in `direction` order of creation. */
export const pageOfVmRequests = async (
  db: DrizzleDb,
  principal: Principal,
  filter: VmRequestListFilter,
  direction: SortDirection,
  args: ResolveCursorConnectionArgs,
): Promise<VmRequestView[]> => {
  const page = keysetPage(vmRequests.createdAt, vmRequests.id, direction, args);
  const conditions = [...listConditions(principal, filter), ...page.where];
  const rows = await db
    .select({ row: getTableColumns(vmRequests), sortKey: createdSortKey })
    .from(vmRequests)
    .where(and(...conditions))
    .orderBy(...page.orderBy)
    .limit(args.limit);
  return rows.map(({ row, sortKey }) => vmRequestFromRow(row, sortKey));
};
