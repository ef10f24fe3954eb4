import type { QuotaLimits } from '../quota.ts';
import type { ProjectRole } from './roles.ts';

export const PROJECT_STATUSES = ['ACTIVE', 'ARCHIVED'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export interface ProjectMember {
  userId: string;
  role: ProjectRole;
}

export interface Project {
  status: ProjectStatus;
  /** Number of events folded so far (the stream version). */
  version: number;
  name: string;
  description: string | null;
  createdBy: string;
  /** In the order they joined. */
  members: readonly ProjectMember[];
  /** The limits of the last ProjectQuotaSet; all null (unlimited) before any. */
  quota: QuotaLimits;
}

export type NoProject = { status: 'NONE'; version: number };

export type ProjectState = NoProject | Project;

export const initialProjectState = (): ProjectState => ({ status: 'NONE', version: 0 });

export const memberOf = (project: Project, userId: string): ProjectMember | undefined =>
  project.members.find((member) => member.userId === userId);
