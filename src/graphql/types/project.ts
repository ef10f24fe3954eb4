import { builder } from '../builder.ts';
import { globalId } from '../ids.ts';
import { loadersFor } from '../read/loaders.ts';
import type { ProjectView } from '../views/project.ts';
import { ProjectMemberRef } from './project-member.ts';
import { ProjectStatusEnum } from './project-status.ts';
import { DateTimeScalar } from './scalars.ts';

export const ProjectRef = builder.objectRef<ProjectView>('Project');

ProjectRef.implement({
  interfaces: [builder.nodeInterfaceRef()],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'Project',
  fields: (t) => ({
    id: t.id({ resolve: (project) => globalId('Project', project.id) }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    status: t.expose('status', { type: ProjectStatusEnum }),
    createdBy: t.exposeID('createdBy'),
    createdAt: t.expose('createdAt', { type: DateTimeScalar }),
    members: t.field({
      type: [ProjectMemberRef],
      resolve: (project, _args, context) => loadersFor(context).membersOf(project),
    }),
  }),
});
