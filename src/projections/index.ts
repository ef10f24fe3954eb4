import { projectUsageProjection } from './project-usage.ts';
import { projectsProjection } from './projects.ts';
import type { Projection } from './types.ts';
import { usageReportProjection } from './usage-report.ts';
import { vmRequestsProjection } from './vm-requests.ts';

export * from './vm-requests.table.ts';
export * from './projects.table.ts';
export * from './project-usage.table.ts';
export * from './usage-report.table.ts';
export * from './checkpoints.table.ts';
export * from './changes.ts';
export * from './types.ts';
export { startProjector, type BatchTrace, type Projector, type ProjectorOptions } from './runtime.ts';
export { readProjectionStatus, type ProjectionStatus } from './status.ts';
export { rebuildProjection, type RebuildOptions, type RebuildResult } from './rebuild.ts';
export { VM_REQUESTS_PROJECTION, vmRequestsProjection } from './vm-requests.ts';
export { PROJECTS_PROJECTION, projectsProjection } from './projects.ts';
export { PROJECT_USAGE_PROJECTION, projectUsageProjection } from './project-usage.ts';
export { USAGE_REPORT_PROJECTION, usageReportProjection } from './usage-report.ts';

/** Every read model the API serves, in the order `projections status` lists them. */
export const PROJECTIONS: readonly Projection[] = [
  vmRequestsProjection,
  projectsProjection,
  projectUsageProjection,
  usageReportProjection,
];
