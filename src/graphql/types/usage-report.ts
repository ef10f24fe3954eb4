import type { UsageFigures, UsageProjectFigures, UsageReportView, UsageSizeFigures } from '../read/usage-report.ts';
import { builder } from '../builder.ts';
import { globalId } from '../ids.ts';
import { VmSizeEnum } from './enums.ts';

const COST_CENTS =
  'Prorated cost in EUR cents: the monthly price x the VM-days / the days of the month, rounded to the nearest cent (half up).';
const SUM_CENTS = "Cost in EUR cents: the sum of the sizes' costCents (each rounded on its own), so the rows add up.";
const PEAK =
  'The most VMs READY at the same time on a counted day of the month. No event ends a READY VM yet, so this is the number READY by the last counted day.';

const UsageReportSizeRef = builder.objectRef<UsageSizeFigures>('UsageReportSize').implement({
  description: "One VM size's usage in the month: of one project, or (in totals) of every project of the report.",
  fields: (t) => ({
    size: t.expose('size', { type: VmSizeEnum, description: 'The size.' }),
    monthlyCostEur: t.exposeInt('monthlyCostEur', { description: "The size's list price for a whole month, in EUR (as vmSizes)." }),
    vmDays: t.exposeInt('vmDays', {
      description: 'Days VMs of this size were READY in the month, one per VM and day; the day a VM became READY counts.',
    }),
    costCents: t.exposeInt('costCents', { description: COST_CENTS }),
    peakVms: t.exposeInt('peakVms', { description: PEAK }),
  }),
});

const UsageReportProjectRef = builder.objectRef<UsageProjectFigures>('UsageReportProject').implement({
  description: "One project's usage in the month.",
  fields: (t) => ({
    projectId: t.id({ description: "The project's global id (as Project.id).", resolve: (p) => globalId('Project', p.projectId) }),
    projectName: t.exposeString('projectName', {
      nullable: true,
      description: "The project's name; null only for a moment, while the projects read model catches up with a new project.",
    }),
    sizes: t.expose('sizes', { type: [UsageReportSizeRef], description: 'Per size, only sizes with VM-days, smallest first.' }),
    vmDays: t.exposeInt('vmDays', { description: "VM-days of all the project's sizes." }),
    costCents: t.exposeInt('costCents', { description: SUM_CENTS }),
    peakVms: t.exposeInt('peakVms', { description: PEAK }),
  }),
});

const UsageReportTotalsRef = builder.objectRef<UsageFigures>('UsageReportTotals').implement({
  description: 'Every project of the report together.',
  fields: (t) => ({
    sizes: t.expose('sizes', { type: [UsageReportSizeRef], description: 'Per size over all the projects, only sizes with VM-days, smallest first.' }),
    vmDays: t.exposeInt('vmDays', { description: 'VM-days of all the projects.' }),
    costCents: t.exposeInt('costCents', { description: "Cost in EUR cents: the sum of the projects' costCents." }),
    peakVms: t.exposeInt('peakVms', { description: PEAK }),
  }),
});

export const UsageReportRef = builder.objectRef<UsageReportView>('UsageReport').implement({
  description:
    'VM usage and cost of one calendar month (UTC), per project, from the READY times of the VMs (docs/domain.md, "Monthly usage and cost"). A VM runs from the day it became READY, that day included, until now: DVMM records no VM being stopped or deleted. The current month counts its days up to today.',
  fields: (t) => ({
    month: t.exposeString('month', { description: 'The month, YYYY-MM.' }),
    daysInMonth: t.exposeInt('daysInMonth', { description: 'Days of the month (28 to 31): what a monthly price is divided by.' }),
    daysCounted: t.exposeInt('daysCounted', { description: 'Days counted so far: daysInMonth for a past month, today\'s day of the month (UTC) for the current one.' }),
    complete: t.exposeBoolean('complete', { description: 'The month is over: its figures will not change.' }),
    projects: t.expose('projects', {
      type: [UsageReportProjectRef],
      description: 'The projects with VM-days in the month that the caller may report on, by name.',
    }),
    totals: t.expose('totals', { type: UsageReportTotalsRef, description: 'All of those projects together.' }),
  }),
});
