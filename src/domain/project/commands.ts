import type { Principal } from '../principal.ts';

export type CreateProject = {
  type: 'CreateProject';
  data: { actor: Principal; name: string; description?: string | null };
};
export type AddProjectMember = { type: 'AddProjectMember'; data: { actor: Principal; userId: string; role: string } };
export type RemoveProjectMember = { type: 'RemoveProjectMember'; data: { actor: Principal; userId: string } };
export type ArchiveProject = { type: 'ArchiveProject'; data: { actor: Principal } };
export type UnarchiveProject = { type: 'UnarchiveProject'; data: { actor: Principal } };

export type ProjectCommand = CreateProject | AddProjectMember | RemoveProjectMember | ArchiveProject | UnarchiveProject;

export type ProjectCommandType = ProjectCommand['type'];
