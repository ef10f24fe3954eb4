import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { findProject } from '../read/projects.ts';
import { ProjectRef } from '../types/project.ts';

builder.queryField('project', (t) =>
  t.field({
    type: ProjectRef,
    nullable: true,
    description: 'Null when absent or not visible (admins see every project of the tenant, users their own).',
    args: { id: t.arg.id({ required: true, description: 'Project.id, or the bare UUID.' }) },
    resolve: (_root, args, context) => {
      const id = idOf(args.id, 'Project');
      return id ? findProject(context.db, requirePrincipal(context), id) : null;
    },
  }),
);
