import { and, eq } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import type { Principal } from '../../domain/index.ts';
import { projectMembers } from '../../projections/projects.table.ts';

/**
 * The projects of the caller's tenant they are a PROJECT_ADMIN of (the project_members_tenant_user_idx index), as of
 * the projects read model: what scopes a project admin's approvals queue (queries/pending-approvals.ts).
 */
export const administeredProjectIds = async (db: DrizzleDb, principal: Principal): Promise<string[]> => {
  const rows = await db
    .select({ projectId: projectMembers.projectId })
    .from(projectMembers)
    .where(
      and(
        eq(projectMembers.tenantId, principal.tenantId),
        eq(projectMembers.userId, principal.userId),
        eq(projectMembers.role, 'PROJECT_ADMIN'),
      ),
    )
    .orderBy(projectMembers.projectId);
  return rows.map((row) => row.projectId);
};
