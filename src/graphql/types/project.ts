import { builder } from '../builder.ts';
import { globalId } from '../ids.ts';
import { loadersFor } from '../read/loaders.ts';
import type { ProjectView } from '../views/project.ts';
import { ProjectMemberRef } from './project-member.ts';
import { ProjectStatusEnum } from './project-status.ts';
import { DateTimeScalar } from './scalars.ts';

export const ProjectRef = builder.objectRef<ProjectView>('Project');

ProjectRef.implement({
  description:
    'A project of the tenant: VMs are requested for a project, by its members. Admins see every project, users the ' +
    'ones they are a member of.',
  interfaces: [builder.nodeInterfaceRef()],
  isTypeOf: (value) => (value as { kind?: unknown }).kind === 'Project',
  fields: (t) => ({
    id: t.id({ description: 'Its global id (opaque; usable with `node(id:)`).', resolve: (project) => globalId('Project', project.id) }),
    name: t.exposeString('name', { description: '3 to 100 characters, unique in the tenant ignoring case.' }),
    description: t.exposeString('description', { nullable: true, description: 'Up to 2000 characters, possibly several lines; null when none.' }),
    status: t.expose('status', { type: ProjectStatusEnum, description: 'Whether it takes new VM requests.' }),
    createdBy: t.exposeID('createdBy', { description: 'The admin who created it (a user id); always a PROJECT_ADMIN of it.' }),
    createdAt: t.expose('createdAt', { type: DateTimeScalar, description: 'When it was created.' }),
    version: t.exposeInt('version', {
      description:
        'The number of its events (creation, member and status changes, quota changes): what setProjectQuota must send ' +
        'as expectedVersion.',
    }),
    members: t.field({
      type: [ProjectMemberRef],
      description: 'Its members with their roles.',
      resolve: (project, _args, context) => loadersFor(context).membersOf(project),
    }),
  }),
});
