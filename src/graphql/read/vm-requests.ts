import type { ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { and, eq, getTableColumns, ilike, inArray, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import { isAdmin, type Principal, type VmRequestStatus } from '../../domain/index.ts';
import { vmRequests } from '../../projections/vm-requests.table.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { keysetPageOf, type SortDirection } from './keyset.ts';
import { decodePageCursor } from './page-cursor.ts';
import { preparedFor } from './prepared.ts';
import { ALL_COLUMNS, type VmRequestColumn } from './vm-request-columns.ts';
import { createdSortKey, type SelectedVmRequestRow, vmRequestFromRow, visibility, visibleTo } from './vm-request-rows.ts';

const TABLE_COLUMNS = getTableColumns(vmRequests);

/** The table's columns to select: those given, or all of them. */
const pick = (columns: readonly VmRequestColumn[] | null): Partial<typeof TABLE_COLUMNS> =>
  columns === ALL_COLUMNS ? TABLE_COLUMNS : Object.fromEntries(columns.map((column) => [column, TABLE_COLUMNS[column]]));

const columnsKey = (columns: readonly VmRequestColumn[] | null): string => (columns === ALL_COLUMNS ? '*' : columns.join(','));

const VISIBILITY_PLACEHOLDERS = { tenantId: sql.placeholder('tenantId'), userId: sql.placeholder('userId') };

/** The request if it exists and the caller may see it; null otherwise (the two are not told apart). */
export const findVmRequest = async (
  db: DrizzleDb,
  principal: Principal,
  id: string,
  columns: readonly VmRequestColumn[] | null = ALL_COLUMNS,
): Promise<VmRequestView | null> => {
  const admin = isAdmin(principal);
  const query = preparedFor(db, `one ${admin ? 'admin' : 'own'} ${columnsKey(columns)}`, () =>
    db
      .select(pick(columns))
      .from(vmRequests)
      .where(and(eq(vmRequests.id, sql.placeholder('id')), visibility(admin, VISIBILITY_PLACEHOLDERS)))
      .limit(1)
      .prepare('vm_request'),
  );
  const [row] = await query.execute({ id, tenantId: principal.tenantId, userId: principal.userId });
  return row ? vmRequestFromRow(row as SelectedVmRequestRow) : null;
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
  columns: readonly VmRequestColumn[] | null = ALL_COLUMNS,
): Promise<VmRequestView[]> => {
  const admin = isAdmin(principal);
  const after = args.after ? decodePageCursor(args.after) : null;
  const before = args.before ? decodePageCursor(args.before) : null;
  const search = filter.search ? `%${likeLiteral(filter.search)}%` : null;
  const statuses = filter.statuses && filter.statuses.length > 0 ? [...filter.statuses] : null;
  // What makes one statement differ from another; the values are the statement's parameters.
  const shape = [
    'page',
    admin ? 'admin' : 'own',
    direction,
    args.inverted ? 'inverted' : '',
    filter.projectId ? 'project' : '',
    filter.projectIds ? 'projects' : '',
    statuses ? 'statuses' : '',
    filter.mine ? 'mine' : '',
    search ? 'search' : '',
    after ? 'after' : '',
    before ? 'before' : '',
    columnsKey(columns),
  ].join(' ');
  const query = preparedFor(db, shape, () => {
    const page = keysetPageOf(vmRequests.createdAt, vmRequests.id, direction, {
      after: after ? { createdAt: sql.placeholder('afterCreatedAt'), id: sql.placeholder('afterId') } : null,
      before: before ? { createdAt: sql.placeholder('beforeCreatedAt'), id: sql.placeholder('beforeId') } : null,
      inverted: args.inverted,
    });
    const conditions: SQL[] = [visibility(admin, VISIBILITY_PLACEHOLDERS)];
    if (filter.projectId) conditions.push(eq(vmRequests.projectId, sql.placeholder('projectId')));
    if (filter.projectIds) conditions.push(sql`${vmRequests.projectId} = any(${sql.placeholder('projectIds')}::uuid[])`);
    if (statuses) conditions.push(sql`${vmRequests.status} = any(${sql.placeholder('statuses')}::text[])`);
    if (filter.mine) conditions.push(eq(vmRequests.requesterId, sql.placeholder('userId')));
    // No index serves a substring match (pg_trgm is not assumed to be installed): Postgres filters the rows the other
    // conditions select by index, at most one tenant's requests, which is fine at this scale.
    if (search) conditions.push(ilike(vmRequests.vmName, sql.placeholder('search')));
    return db
      .select({ ...pick(columns), sortKey: createdSortKey })
      .from(vmRequests)
      .where(and(...conditions, ...page.where))
      .orderBy(...page.orderBy)
      .limit(sql.placeholder('limit'))
      .prepare('vm_request_page');
  });
  const rows = await query.execute({
    tenantId: principal.tenantId,
    userId: principal.userId,
    projectId: filter.projectId,
    projectIds: filter.projectIds ? [...filter.projectIds] : undefined,
    statuses,
    search,
    afterCreatedAt: after?.createdAt,
    afterId: after?.id,
    beforeCreatedAt: before?.createdAt,
    beforeId: before?.id,
    limit: args.limit,
  });
  return rows.map(({ sortKey, ...row }) => vmRequestFromRow(row as SelectedVmRequestRow, sortKey as string));
};
