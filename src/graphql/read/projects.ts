import type { ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { and, asc, count, eq, exists, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import { isAdmin, type Principal, type ProjectMember, type ProjectRole, type ProjectStatus } from '../../domain/index.ts';
import { type ProjectRow, projectMembers, projects } from '../../projections/projects.table.ts';
import type { ProjectView } from '../views/project.ts';
import { keysetPage } from './keyset.ts';

const createdSortKey = sql<string>`to_char(${projects.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Who sees a project: an admin every project of the tenant, a user the projects they are a member of (the ones
 * they can request VMs in). A request's own project is shown to whoever sees the request (`findProjectOfRequest`).
 */
const visibleTo = (principal: Principal): SQL => {
  const tenant = eq(projects.tenantId, principal.tenantId);
  if (isAdmin(principal)) return tenant;
  const member = exists(
    sql`(select 1 from ${projectMembers} where ${projectMembers.projectId} = ${projects.id} and ${projectMembers.userId} = ${principal.userId})`,
  );
  return and(tenant, member) as SQL;
};

export type ProjectSortedView = ProjectView & { sortKey?: string };

export const projectFromRow = (row: ProjectRow, sortKey?: string): ProjectSortedView => ({
  kind: 'Project',
  id: row.id,
  tenantId: row.tenantId,
  name: row.name,
  description: row.description,
  // The projection writes the domain's status.
  status: row.status as ProjectStatus,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  version: row.version,
  members: null,
  ...(sortKey === undefined ? {} : { sortKey }),
});

export const findProject = async (db: DrizzleDb, principal: Principal, id: string): Promise<ProjectView | null> => {
  const [row] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.id, id), visibleTo(principal)))
    .limit(1);
  return row ? projectFromRow(row) : null;
};

/** Projects by id within one tenant, without the membership rule (for requests the caller already sees). */
export const projectsByIds = async (db: DrizzleDb, tenantId: string, ids: readonly string[]): Promise<ProjectView[]> => {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(projects)
    .where(and(eq(projects.tenantId, tenantId), inArray(projects.id, [...ids])));
  return rows.map((row) => projectFromRow(row));
};

export const pageOfProjects = async (
  db: DrizzleDb,
  principal: Principal,
  args: ResolveCursorConnectionArgs,
): Promise<ProjectSortedView[]> => {
  const page = keysetPage(projects.createdAt, projects.id, 'oldest-first', args);
  const rows = await db
    .select({ row: getTableColumns(projects), sortKey: createdSortKey })
    .from(projects)
    .where(and(visibleTo(principal), ...page.where))
    .orderBy(...page.orderBy)
    .limit(args.limit);
  return rows.map(({ row, sortKey }) => projectFromRow(row, sortKey));
};

/** How many projects the caller sees (all pages of pageOfProjects). */
export const countProjects = async (db: DrizzleDb, principal: Principal): Promise<number> => {
  const [row] = await db.select({ n: count() }).from(projects).where(visibleTo(principal));
  return row?.n ?? 0;
};

/** Current members of each project, in joining order. */
export const membersOf = async (
  db: DrizzleDb,
  tenantId: string,
  projectIds: readonly string[],
): Promise<Map<string, ProjectMember[]>> => {
  const byProject = new Map<string, ProjectMember[]>(projectIds.map((id) => [id, []]));
  if (projectIds.length === 0) return byProject;
  const rows = await db
    .select({ projectId: projectMembers.projectId, userId: projectMembers.userId, role: projectMembers.role })
    .from(projectMembers)
    .where(and(eq(projectMembers.tenantId, tenantId), inArray(projectMembers.projectId, [...projectIds])))
    .orderBy(asc(projectMembers.addedAt), asc(projectMembers.userId));
  for (const row of rows) byProject.get(row.projectId)?.push({ userId: row.userId, role: row.role as ProjectRole });
  return byProject;
};

