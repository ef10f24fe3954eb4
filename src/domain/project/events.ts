import type { QuotaLimits } from '../quota.ts';
import type { ProjectRole } from './roles.ts';

export type ProjectCreated = {
  type: 'ProjectCreated';
  /** createdBy is kept so the rule "the creator cannot be removed" needs nothing outside the stream. */
  data: { name: string; description?: string; createdBy: string };
};
/** Adding someone already in the project with another role changes their role. */
export type MemberAdded = { type: 'MemberAdded'; data: { userId: string; role: ProjectRole } };
export type MemberRemoved = { type: 'MemberRemoved'; data: { userId: string } };
export type ProjectArchived = { type: 'ProjectArchived'; data: Record<string, never> };
export type ProjectUnarchived = { type: 'ProjectUnarchived'; data: Record<string, never> };

/** The project's limits from now on, all four (null: unlimited); what requests already hold is kept. */
export type ProjectQuotaSet = { type: 'ProjectQuotaSet'; data: QuotaLimits };

export type ProjectEvent =
  | ProjectCreated
  | MemberAdded
  | MemberRemoved
  | ProjectArchived
  | ProjectUnarchived
  | ProjectQuotaSet;

export type ProjectEventType = ProjectEvent['type'];

export const projectEventSchemaVersions: Readonly<Record<ProjectEventType, number>> = {
  ProjectCreated: 1,
  MemberAdded: 1,
  MemberRemoved: 1,
  ProjectArchived: 1,
  ProjectUnarchived: 1,
  ProjectQuotaSet: 1,
};
