import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import { projectUsage } from '../../projections/project-usage.table.ts';

/** What a project's provisioned VMs add up to (src/projections/project-usage.ts), over every month. */
export interface ProjectUsageView {
  vms: number;
  vcpus: number;
  memoryGb: number;
  diskGb: number;
  monthlyCostEur: number;
}

const NONE: ProjectUsageView = { vms: 0, vcpus: 0, memoryGb: 0, diskGb: 0, monthlyCostEur: 0 };

/** Usage of each of a tenant's projects, with one query; a project with no READY VM yet has zeros. */
export const usageOf = async (
  db: DrizzleDb,
  tenantId: string,
  projectIds: readonly string[],
): Promise<Map<string, ProjectUsageView>> => {
  const byProject = new Map<string, ProjectUsageView>(projectIds.map((id) => [id, NONE]));
  if (projectIds.length === 0) return byProject;
  // The read model keeps a row per month; a project's total is their sum (int: sums of small ints fit easily).
  const rows = await db
    .select({
      projectId: projectUsage.projectId,
      vms: sql<number>`sum(${projectUsage.vms})::int`,
      vcpus: sql<number>`sum(${projectUsage.vcpus})::int`,
      memoryGb: sql<number>`sum(${projectUsage.memoryGb})::int`,
      diskGb: sql<number>`sum(${projectUsage.diskGb})::int`,
      monthlyCostEur: sql<number>`sum(${projectUsage.monthlyCostEur})::int`,
    })
    .from(projectUsage)
    .where(and(eq(projectUsage.tenantId, tenantId), inArray(projectUsage.projectId, [...projectIds])))
    .groupBy(projectUsage.projectId);
  for (const { projectId, ...usage } of rows) byProject.set(projectId, usage);
  return byProject;
};
