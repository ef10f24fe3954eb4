import { builder } from '../builder.ts';
import { findProject } from '../read/projects.ts';
import { loadersFor } from '../read/loaders.ts';
import { requirePrincipal } from '../principal.ts';
import type { ProjectView } from '../views/project.ts';
import { ProjectMemberRef } from './project-member.ts';
import { DateTimeScalar } from './scalars.ts';

export const ProjectRef = builder.objectRef<ProjectView>('Project');

builder.node(ProjectRef, {
  id: { resolve: (project) => project.id },
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'Project',
  loadWithoutCache: (id, context) => findProject(context.db, requirePrincipal(context), id),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    status: t.exposeString('status'),
    createdBy: t.exposeID('createdBy'),
    createdAt: t.expose('createdAt', { type: DateTimeScalar }),
    members: t.field({
      type: [ProjectMemberRef],
      resolve: (project, _args, context) => loadersFor(context).membersOf(project),
    }),
  }),
});
