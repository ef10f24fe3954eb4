import { and, asc, eq, getTableColumns, or, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import type { Principal } from '../../domain/index.ts';
import type { GlobalCheckpoint } from '../../event-store/index.ts';
import { type VmRequestRow, vmRequests } from '../../projections/vm-requests.table.ts';
import { type ProjectRow, projects } from '../../projections/projects.table.ts';
import { projectFromRow } from '../read/projects.ts';
import type { ProjectView } from '../views/project.ts';
import { rowCursor, vmRequestFromRow, visibleTo } from '../read/vm-request-rows.ts';
import type { LiveChange } from './types.ts';
import { VM_REQUESTS_PROJECTION } from '../../projections/vm-requests.ts';

export { VM_REQUESTS_PROJECTION };

export const changeFromRow = (row: VmRequestRow): LiveChange => ({
  view: vmRequestFromRow(row),
  checkpoint: { transactionId: row.changedTx, position: row.changedPosition },
  cursor: rowCursor(row),
});

/**
 * Rows read together with their project (one round trip), so every subscriber selecting `vmRequest { project }`
 * resolves it from memory instead of one query per change. One project view per project and page, so related
 * data loaded for it (members) is shared too.
 */
const selectWithProject = (db: DrizzleDb) =>
  db
    .select({ row: getTableColumns(vmRequests), project: getTableColumns(projects) })
    .from(vmRequests)
    .leftJoin(projects, and(eq(projects.id, vmRequests.projectId), eq(projects.tenantId, vmRequests.tenantId)));

const toChanges = (rows: { row: VmRequestRow; project: ProjectRow | null }[]): LiveChange[] => {
  const projectViews = new Map<string, ProjectView>();
  return rows.map(({ row, project }) => {
    const change = changeFromRow(row);
    if (project) {
      let view = projectViews.get(project.id);
      if (!view) {
        view = projectFromRow(project);
        projectViews.set(project.id, view);
      }
      change.view.project = view;
    }
    return change;
  });
};

const changedAfter = (after: GlobalCheckpoint): SQL =>
  sql`(${vmRequests.changedTx}, ${vmRequests.changedPosition}) > (${after.transactionId.toString()}::bigint, ${after.position.toString()}::bigint)`;

const cursorOrder = [asc(vmRequests.changedTx), asc(vmRequests.changedPosition)];

/**
 * Rows changed after each tenant's own cursor, in cursor order (one query, one index range per tenant). The live
 * feed reads what changed this way rather than by the ids a notification names: a row changed again since its
 * notification, a notification split over several payloads, or one lost while reconnecting cannot then make it
 * skip or reorder anything.
 */
export const rowsChangedAfter = async (
  db: DrizzleDb,
  bounds: readonly { tenantId: string; after: GlobalCheckpoint }[],
  limit: number,
): Promise<LiveChange[]> => {
  if (bounds.length === 0) return [];
  const rows = await selectWithProject(db)
    .where(or(...bounds.map(({ tenantId, after }) => and(eq(vmRequests.tenantId, tenantId), changedAfter(after)))))
    .orderBy(...cursorOrder)
    .limit(limit);
  return toChanges(rows);
};

/** A change feed's replay: what the caller may see, optionally of one project, changed after `after`. */
export const visibleChangesAfter = async (
  db: DrizzleDb,
  principal: Principal,
  projectId: string | null,
  after: GlobalCheckpoint,
  limit: number,
): Promise<LiveChange[]> => {
  const conditions = [visibleTo(principal), changedAfter(after)];
  if (projectId) conditions.push(eq(vmRequests.projectId, projectId));
  const rows = await selectWithProject(db)
    .where(and(...conditions))
    .orderBy(...cursorOrder)
    .limit(limit);
  return toChanges(rows);
};

/** The current row of one request if the caller may see it. */
export const visibleRow = async (db: DrizzleDb, principal: Principal, id: string): Promise<LiveChange | null> => {
  const rows = await selectWithProject(db)
    .where(and(eq(vmRequests.id, id), visibleTo(principal)))
    .limit(1);
  return toChanges(rows)[0] ?? null;
};

/** Everything at or below this cursor is in the read model: the projection's checkpoint. */
export const projectionCheckpoint = async (db: DrizzleDb): Promise<GlobalCheckpoint> => {
  const rows = await db.execute<{ transaction_id: string; position: string }>(
    sql`select transaction_id::text, position::text from projection_checkpoints where name = ${VM_REQUESTS_PROJECTION}`,
  );
  const row = rows[0];
  return row ? { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) } : { transactionId: 0n, position: 0n };
};
