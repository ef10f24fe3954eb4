import { and, asc, eq, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../../db/client.ts';
import { isAdmin, type Principal, VM_SIZES, type VmSize, vmSizeSpec } from '../../domain/index.ts';
import { parseReportMonth, proratedCents, type ReportMonth } from '../../domain/usage-month.ts';
import { projectMembers, projects } from '../../projections/projects.table.ts';
import { usageReportVms } from '../../projections/usage-report.table.ts';

/** One size's figures in a month: of one project, or of every project in the report (totals). */
export interface UsageSizeFigures {
  size: VmSize;
  /** The size's list price per month, in EUR. */
  monthlyCostEur: number;
  /** Days the VMs of this size were READY in the month (each VM counts each of its days once). */
  vmDays: number;
  /** The prorated cost in EUR cents (domain/usage-month.ts). */
  costCents: number;
  /** The most VMs of this size READY at once on a counted day. */
  peakVms: number;
}

export interface UsageFigures {
  /** Only sizes with VM-days, in catalogue order. */
  sizes: UsageSizeFigures[];
  vmDays: number;
  /** The sum of the sizes' rounded costs, so a spreadsheet's sums agree with it. */
  costCents: number;
  peakVms: number;
}

export interface UsageProjectFigures extends UsageFigures {
  projectId: string;
  /** Null only while the projects read model has not caught up with a project the usage model already has. */
  projectName: string | null;
}

export interface UsageReportView extends ReportMonth {
  /** Projects with VM-days in the month, by name. */
  projects: UsageProjectFigures[];
  totals: UsageFigures;
}

/**
 * Whose projects `principal` may report on: every project of the tenant for an admin (null), the projects they are
 * PROJECT_ADMIN of for anyone else, or 'forbidden' when they are admin of none.
 */
export const reportScope = async (db: DrizzleDb, principal: Principal): Promise<string[] | null | 'forbidden'> => {
  if (isAdmin(principal)) return null;
  const rows = await db
    .select({ projectId: projectMembers.projectId })
    .from(projectMembers)
    .where(
      and(
        eq(projectMembers.tenantId, principal.tenantId),
        eq(projectMembers.userId, principal.userId),
        eq(projectMembers.role, 'PROJECT_ADMIN'),
      ),
    );
  return rows.length > 0 ? rows.map((row) => row.projectId) : 'forbidden';
};

const figures = (sizes: UsageSizeFigures[]): UsageFigures => ({
  sizes,
  vmDays: sizes.reduce((sum, s) => sum + s.vmDays, 0),
  costCents: sizes.reduce((sum, s) => sum + s.costCents, 0),
  // No event ends a READY VM, so every VM counted in the month is still READY on its last counted day, when the
  // count of VMs running at once is therefore highest: the peak of a group is the sum of its parts' peaks.
  peakVms: sizes.reduce((sum, s) => sum + s.peakVms, 0),
});

const bySize = (a: { size: VmSize }, b: { size: VmSize }): number => VM_SIZES.indexOf(a.size) - VM_SIZES.indexOf(b.size);

/**
 * The month's figures from the READY intervals of usage_report_vms: one aggregate over the tenant's VMs READY
 * before the end of the month's last counted day (the (tenant_id, ready_at) index), grouped by project and size.
 * A VM READY on day r runs, in a month whose counted days are first..last, the days max(r, first)..last, both
 * included: until now, since nothing ends a READY VM (docs/domain.md, "Monthly usage and cost").
 * `scope`: the projects to report on, or null for all of the tenant's.
 */
export const readUsageReport = async (
  db: DrizzleDb,
  tenantId: string,
  month: ReportMonth,
  scope: readonly string[] | null,
): Promise<UsageReportView> => {
  const readyDay = sql`(${usageReportVms.readyAt} at time zone 'UTC')::date`;
  const conditions: SQL[] = [
    eq(usageReportVms.tenantId, tenantId),
    lt(usageReportVms.readyAt, sql`(${month.lastCountedDay}::date + 1)::timestamp at time zone 'UTC'`),
  ];
  if (scope !== null) conditions.push(inArray(usageReportVms.projectId, [...scope]));
  const rows =
    scope !== null && scope.length === 0
      ? []
      : await db
          .select({
            projectId: usageReportVms.projectId,
            projectName: projects.name,
            size: usageReportVms.size,
            vmDays: sql<number>`sum(${month.lastCountedDay}::date - greatest(${readyDay}, ${month.firstDay}::date) + 1)::int`,
            vms: sql<number>`count(*)::int`,
          })
          .from(usageReportVms)
          .leftJoin(projects, eq(projects.id, usageReportVms.projectId))
          .where(and(...conditions))
          .groupBy(usageReportVms.projectId, projects.name, usageReportVms.size)
          .orderBy(asc(usageReportVms.projectId));

  const byProject = new Map<string, { projectName: string | null; sizes: UsageSizeFigures[] }>();
  const totals = new Map<VmSize, UsageSizeFigures>();
  for (const row of rows) {
    // The projection refuses a READY of a size the catalogue lacks, so every row has a known size.
    const size = row.size as VmSize;
    const price = vmSizeSpec(size).monthlyCostEur;
    const cents = proratedCents(price, row.vmDays, month.daysInMonth);
    const project = byProject.get(row.projectId) ?? { projectName: row.projectName, sizes: [] };
    project.sizes.push({ size, monthlyCostEur: price, vmDays: row.vmDays, costCents: cents, peakVms: row.vms });
    byProject.set(row.projectId, project);
    const total = totals.get(size) ?? { size, monthlyCostEur: price, vmDays: 0, costCents: 0, peakVms: 0 };
    totals.set(size, { ...total, vmDays: total.vmDays + row.vmDays, costCents: total.costCents + cents, peakVms: total.peakVms + row.vms });
  }
  const projectRows = [...byProject].map(([projectId, { projectName, sizes }]) => ({
    projectId,
    projectName,
    ...figures(sizes.sort(bySize)),
  }));
  projectRows.sort((a, b) => (a.projectName ?? '').localeCompare(b.projectName ?? '') || a.projectId.localeCompare(b.projectId));
  return { ...month, projects: projectRows, totals: figures([...totals.values()].sort(bySize)) };
};

export type UsageReportOutcome =
  | { ok: true; report: UsageReportView }
  | { ok: false; code: 'BAD_USER_INPUT'; message: string; field: 'month' }
  | { ok: false; code: 'FORBIDDEN'; message: string };

/**
 * The report `principal` may see for `monthInput`, read as of `now`; or why not. The month is checked first, so a
 * bad one reads nothing. Shared by Query.usageReport and GET /reports/usage.csv, which must agree to the cent.
 */
export const usageReportFor = async (
  db: DrizzleDb,
  principal: Principal,
  monthInput: string,
  now: Date,
): Promise<UsageReportOutcome> => {
  const month = parseReportMonth(monthInput, now);
  if (!month.ok) return { ok: false, code: 'BAD_USER_INPUT', message: month.error.message, field: 'month' };
  const scope = await reportScope(db, principal);
  if (scope === 'forbidden') {
    return { ok: false, code: 'FORBIDDEN', message: 'The usage report is for tenant admins and project admins only' };
  }
  return { ok: true, report: await readUsageReport(db, principal.tenantId, month.value, scope) };
};
