import { PROJECT_STATUSES, type ProjectStatus } from '../../domain/index.ts';
import { builder } from '../builder.ts';

const DESCRIPTIONS: Record<ProjectStatus, string> = {
  ACTIVE: 'Open for new VM requests.',
  ARCHIVED: 'Closed: no VM can be requested in it and its members cannot change; earlier requests keep their course.',
};

export const ProjectStatusEnum = builder.enumType('ProjectStatus', {
  description: 'Whether a project takes new VM requests.',
  values: Object.fromEntries(PROJECT_STATUSES.map((status) => [status, { value: status, description: DESCRIPTIONS[status] }])) as Record<
    ProjectStatus,
    { value: ProjectStatus; description: string }
  >,
});
