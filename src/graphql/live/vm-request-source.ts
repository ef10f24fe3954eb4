import { and, asc, eq, getTableColumns, or, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import type { Principal } from '../../domain/index.ts';
import type { GlobalCheckpoint } from '../../event-store/index.ts';
import type { Bound, Change, LiveSource } from '../../live/types.ts';
import { type ProjectRow, projects } from '../../projections/projects.table.ts';
import { type VmRequestVersionRow, vmRequests, vmRequestVersionHorizon, vmRequestVersions } from '../../projections/vm-requests.table.ts';
import { VM_REQUESTS_PROJECTION } from '../../projections/vm-requests.ts';
import { projectFromRow } from '../read/projects.ts';
import { vmRequestFromRow, visibleTo } from '../read/vm-request-rows.ts';
import type { ProjectView } from '../views/project.ts';
import type { VmRequestView } from '../views/vm-request.ts';

/** One version of a request: the row as one event left it, with that event's cursor. */
export interface LiveChange extends Change {
  view: VmRequestView;
}

/** Registry routes: every request of the tenant (admins), one requester's (users), one request (vmRequestUpdated). */
export const ALL_REQUESTS = 'all';
export const requesterRoute = (userId: string): string => `requester:${userId}`;
export const requestRoute = (id: string): string => `request:${id}`;

const v = vmRequestVersions;

/**
 * Versions read together with their project (one round trip), so every subscriber selecting `vmRequest { project }`
 * resolves it from memory instead of one query per change. One project view per project and page, so related data
 * loaded for it (members) is shared too.
 */
const selectWithProject = (db: DrizzleDb, table: typeof vmRequestVersions | typeof vmRequests = v) =>
  db
    .select({ row: getTableColumns(table as typeof vmRequestVersions), project: getTableColumns(projects) })
    .from(table)
    .leftJoin(projects, and(eq(projects.id, table.projectId), eq(projects.tenantId, table.tenantId)));

const toChanges = (rows: { row: VmRequestVersionRow; project: ProjectRow | null }[]): LiveChange[] => {
  const projectViews = new Map<string, ProjectView>();
  return rows.map(({ row, project }) => {
    const view = vmRequestFromRow(row);
    if (project) {
      let projectView = projectViews.get(project.id);
      if (!projectView) projectViews.set(project.id, (projectView = projectFromRow(project)));
      view.project = projectView;
    }
    return { tenantId: row.tenantId, checkpoint: { transactionId: row.changedTx, position: row.changedPosition }, cursor: view.cursor as string, view };
  });
};

const after = (cursor: GlobalCheckpoint): SQL =>
  sql`(${v.changedTx}, ${v.changedPosition}) > (${cursor.transactionId.toString()}::bigint, ${cursor.position.toString()}::bigint)`;

const cursorOrder = [asc(v.changedTx), asc(v.changedPosition)];

const checkpointOf = (row: { transaction_id: string; position: string } | undefined): GlobalCheckpoint | null =>
  row ? { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) } : null;

/** The vm_requests read model's checkpoint on the server `db` reads: its rows there include every version up to it. */
export const vmRequestCheckpoint = async (db: DrizzleDb): Promise<GlobalCheckpoint> => {
  const rows = await db.execute<{ transaction_id: string; position: string }>(
    sql`select transaction_id::text, position::text from projection_checkpoints where name = ${VM_REQUESTS_PROJECTION}`,
  );
  return checkpointOf(rows[0]) ?? { transactionId: 0n, position: 0n };
};

/**
 * Where the feed reads versions: `readAt(atLeast, read)` runs the read on a server that shows every version up to
 * `atLeast` (a read replica, else the primary). The checkpoint and the horizon are always read on the primary (`db`):
 * the checkpoint read after LISTEN must cover everything not notified afterwards.
 */
export type ReadAt = <T>(atLeast: GlobalCheckpoint | null, read: (db: DrizzleDb) => Promise<T>) => Promise<T>;

export const onPrimary = (db: DrizzleDb): ReadAt => (_atLeast, read) => read(db);

/** The vm_requests projection's versions as the live feed reads them. */
export const vmRequestSource = (db: DrizzleDb, readAt: ReadAt = onPrimary(db)): LiveSource<LiveChange> => ({
  projection: VM_REQUESTS_PROJECTION,

  async changesAfter(bounds: readonly Bound[], limit: number, atLeast: GlobalCheckpoint) {
    if (bounds.length === 0) return [];
    const rows = await readAt(atLeast, (reader) =>
      selectWithProject(reader)
        .where(or(...bounds.map((bound) => and(eq(v.tenantId, bound.tenantId), after(bound.after)))))
        .orderBy(...cursorOrder)
        .limit(limit),
    );
    return toChanges(rows);
  },

  routes: (change) => [ALL_REQUESTS, requesterRoute(change.view.requesterId), requestRoute(change.view.id)],

  checkpoint: () => vmRequestCheckpoint(db),

  async horizon() {
    const rows = await db.execute<{ transaction_id: string; position: string }>(
      sql`select changed_tx::text as transaction_id, changed_position::text as position from ${vmRequestVersionHorizon}`,
    );
    return checkpointOf(rows[0]);
  },
});

/**
 * A change feed's catch-up: the versions the caller may see after `cursor`, optionally of one project and only of
 * the caller's own requests (`mine`).
 */
export const visibleVersionsAfter = async (
  db: DrizzleDb,
  principal: Principal,
  filter: { projectId: string | null; mine: boolean },
  cursor: GlobalCheckpoint,
  limit: number,
): Promise<LiveChange[]> => {
  const conditions = [visibleTo(principal, v), after(cursor)];
  if (filter.projectId) conditions.push(eq(v.projectId, filter.projectId));
  if (filter.mine) conditions.push(eq(v.requesterId, principal.userId));
  const rows = await selectWithProject(db)
    .where(and(...conditions))
    .orderBy(...cursorOrder)
    .limit(limit);
  return toChanges(rows);
};

/** A request watch's catch-up: the versions of one request after `cursor` (visibility is checked per change). */
export const requestVersionsAfter = async (db: DrizzleDb, id: string, cursor: GlobalCheckpoint, limit: number): Promise<LiveChange[]> => {
  const rows = await selectWithProject(db)
    .where(and(eq(v.id, id), after(cursor)))
    .orderBy(...cursorOrder)
    .limit(limit);
  return toChanges(rows);
};

/**
 * A project usage feed's catch-up: the versions of every request of one project after `cursor`, whoever made them.
 * Only for feeds that hand out the project, never the requests (projectUsageChanged).
 */
export const projectVersionsAfter = async (
  db: DrizzleDb,
  tenantId: string,
  projectId: string,
  cursor: GlobalCheckpoint,
  limit: number,
): Promise<LiveChange[]> => {
  const rows = await selectWithProject(db)
    .where(and(eq(v.tenantId, tenantId), eq(v.projectId, projectId), after(cursor)))
    .orderBy(...cursorOrder)
    .limit(limit);
  return toChanges(rows);
};

/** The request's current state (its newest version, from vm_requests) if the caller may see it. */
export const currentVersion = async (db: DrizzleDb, principal: Principal, id: string): Promise<LiveChange | null> => {
  const rows = await selectWithProject(db, vmRequests)
    .where(and(eq(vmRequests.id, id), visibleTo(principal)))
    .limit(1);
  return toChanges(rows)[0] ?? null;
};
