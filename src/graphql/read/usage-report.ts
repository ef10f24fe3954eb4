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
  /** The most VMs of this size running at once on a counted day. */
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

/**
 * Figures of a group of VMs from its daily counts of running VMs over the month's counted days (index 0 is the
 * first day), and its sizes' figures: VM-days are the counts summed, the peak is the largest count (VMs come and go,
 * so a group's peak is not the sum of its parts' peaks).
 */
const figures = (sizes: UsageSizeFigures[], daily: readonly number[]): UsageFigures => ({
  sizes,
  vmDays: sizes.reduce((sum, s) => sum + s.vmDays, 0),
  costCents: sizes.reduce((sum, s) => sum + s.costCents, 0),
  peakVms: Math.max(0, ...daily),
});

const bySize = (a: { size: VmSize }, b: { size: VmSize }): number => VM_SIZES.indexOf(a.size) - VM_SIZES.indexOf(b.size);

/** Adds `counts` into `into`, day by day. */
const addDaily = (into: number[], counts: readonly number[]): void => {
  for (let i = 0; i < counts.length; i++) into[i] = (into[i] ?? 0) + counts[i]!;
};

/**
 * The month's figures from the READY intervals of usage_report_vms. A VM READY on day r and decommissioned on day e
 * (or still running) runs, in a month whose counted days are first..last, the days max(r, first)..min(e, last),
 * both included (docs/domain.md, "Monthly usage and cost"). One aggregate over the tenant's VMs READY before the end
 * of the month's last counted day (the (tenant_id, ready_at) index) and not ended before its first: per project,
 * size and day, how many VMs start and stop running (a VM starts on its first counted day and stops the day after its
 * last). A sweep over the counted days turns those into daily counts, from which VM-days and peaks follow for every
 * grouping. `scope`: the projects to report on, or null for all of the tenant's.
 */
export const readUsageReport = async (
  db: DrizzleDb,
  tenantId: string,
  month: ReportMonth,
  scope: readonly string[] | null,
): Promise<UsageReportView> => {
  const readyDay = sql`(${usageReportVms.readyAt} at time zone 'UTC')::date`;
  const endDay = sql`(${usageReportVms.endedAt} at time zone 'UTC')::date`;
  const conditions: SQL[] = [
    eq(usageReportVms.tenantId, tenantId),
    lt(usageReportVms.readyAt, sql`(${month.lastCountedDay}::date + 1)::timestamp at time zone 'UTC'`),
    sql`(${usageReportVms.endedAt} is null or ${usageReportVms.endedAt} >= ${month.firstDay}::date::timestamp at time zone 'UTC')`,
  ];
  if (scope !== null) conditions.push(inArray(usageReportVms.projectId, [...scope]));
  // Per VM a start (+1 on its first counted day) and, if it ended before the last counted day, a stop (-1 the day after).
  const change = sql`lateral (values
      (greatest(${readyDay}, ${month.firstDay}::date), 1),
      (case when ${endDay} < ${month.lastCountedDay}::date then ${endDay} + 1 end, -1)
    ) as change(day, delta)`;
  const rows =
    scope !== null && scope.length === 0
      ? []
      : await db
          .select({
            projectId: usageReportVms.projectId,
            projectName: projects.name,
            size: usageReportVms.size,
            day: sql<number>`(change.day - ${month.firstDay}::date)::int`,
            delta: sql<number>`sum(change.delta)::int`,
          })
          .from(usageReportVms)
          .crossJoin(change)
          .leftJoin(projects, eq(projects.id, usageReportVms.projectId))
          .where(and(...conditions, sql`change.day is not null`))
          .groupBy(usageReportVms.projectId, projects.name, usageReportVms.size, sql`change.day`)
          .orderBy(asc(usageReportVms.projectId));

  // Each project and size's running VMs on each counted day.
  const days = month.daysCounted;
  const groups = new Map<string, { projectId: string; projectName: string | null; size: VmSize; daily: number[] }>();
  for (const row of rows) {
    const key = `${row.projectId}/${row.size}`;
    let group = groups.get(key);
    // The projection refuses a READY of a size the catalogue lacks, so every row has a known size.
    if (!group) groups.set(key, (group = { projectId: row.projectId, projectName: row.projectName, size: row.size as VmSize, daily: new Array<number>(days).fill(0) }));
    if (row.day < days) group.daily[row.day]! += row.delta;
  }
  for (const group of groups.values()) for (let i = 1; i < days; i++) group.daily[i]! += group.daily[i - 1]!;

  const byProject = new Map<string, { projectName: string | null; sizes: UsageSizeFigures[]; daily: number[] }>();
  const totals = new Map<VmSize, UsageSizeFigures & { daily: number[] }>();
  const allDaily: number[] = new Array<number>(days).fill(0);
  for (const { projectId, projectName, size, daily } of groups.values()) {
    const vmDays = daily.reduce((sum, n) => sum + n, 0);
    if (vmDays === 0) continue;
    const price = vmSizeSpec(size).monthlyCostEur;
    const cents = proratedCents(price, vmDays, month.daysInMonth);
    const project = byProject.get(projectId) ?? { projectName, sizes: [], daily: new Array<number>(days).fill(0) };
    project.sizes.push({ size, monthlyCostEur: price, vmDays, costCents: cents, peakVms: Math.max(...daily) });
    addDaily(project.daily, daily);
    byProject.set(projectId, project);
    const total = totals.get(size) ?? { size, monthlyCostEur: price, vmDays: 0, costCents: 0, peakVms: 0, daily: new Array<number>(days).fill(0) };
    addDaily(total.daily, daily);
    totals.set(size, { ...total, vmDays: total.vmDays + vmDays, costCents: total.costCents + cents, peakVms: Math.max(...total.daily) });
    addDaily(allDaily, daily);
  }
  const projectRows = [...byProject].map(([projectId, { projectName, sizes, daily }]) => ({
    projectId,
    projectName,
    ...figures(sizes.sort(bySize), daily),
  }));
  projectRows.sort((a, b) => (a.projectName ?? '').localeCompare(b.projectName ?? '') || a.projectId.localeCompare(b.projectId));
  const totalSizes = [...totals.values()].map(({ daily: _daily, ...size }) => size).sort(bySize);
  return { ...month, projects: projectRows, totals: figures(totalSizes, allDaily) };
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
