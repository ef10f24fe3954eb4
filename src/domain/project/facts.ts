import type { ProjectState, ProjectStatus } from './state.ts';

/** What a VM request decision needs to know about its project, looked up by the command handler. */
export type ProjectFacts = { status: ProjectStatus; isMember: boolean };

/** Null when the project does not exist. */
export const projectFactsFor = (project: ProjectState, userId: string): ProjectFacts | null =>
  project.status === 'NONE'
    ? null
    : { status: project.status, isMember: project.members.some((member) => member.userId === userId) };
