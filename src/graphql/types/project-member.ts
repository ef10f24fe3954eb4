import type { ProjectMember } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { ProjectRoleEnum } from './enums.ts';

export const ProjectMemberRef = builder.objectRef<ProjectMember>('ProjectMember').implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    role: t.expose('role', { type: ProjectRoleEnum }),
  }),
});
