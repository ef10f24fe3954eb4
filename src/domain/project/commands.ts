import type { Principal } from '../principal.ts';
import type { QuotaLimitsInput } from '../quota.ts';

export type CreateProject = {
  type: 'CreateProject';
  data: { actor: Principal; name: string; description?: string | null };
};
export type AddProjectMember = { type: 'AddProjectMember'; data: { actor: Principal; userId: string; role: string } };
export type RemoveProjectMember = { type: 'RemoveProjectMember'; data: { actor: Principal; userId: string } };
export type ArchiveProject = { type: 'ArchiveProject'; data: { actor: Principal } };
export type UnarchiveProject = { type: 'UnarchiveProject'; data: { actor: Principal } };

/** Replaces all four limits at once: an absent or null limit is no limit. */
export type SetProjectQuota = {
  type: 'SetProjectQuota';
  data: { actor: Principal; expectedVersion: number; limits: QuotaLimitsInput };
};

export type ProjectCommand =
  | CreateProject
  | AddProjectMember
  | RemoveProjectMember
  | ArchiveProject
  | UnarchiveProject
  | SetProjectQuota;

export type ProjectCommandType = ProjectCommand['type'];
