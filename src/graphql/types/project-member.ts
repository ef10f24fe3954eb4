import type { ProjectMember } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { ProjectRoleEnum } from './enums.ts';

export const ProjectMemberRef = builder.objectRef<ProjectMember>('ProjectMember').implement({
  description: 'A member of a project.',
  fields: (t) => ({
    userId: t.exposeID('userId', { description: "The member's user id (the `sub` of their token)." }),
    role: t.expose('role', { type: ProjectRoleEnum, description: 'What they may do in the project.' }),
  }),
});
