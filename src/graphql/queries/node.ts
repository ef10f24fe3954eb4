import { builder } from '../builder.ts';
import { parseGlobalId } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { findProject } from '../read/projects.ts';
import { findVmRequest } from '../read/vm-requests.ts';

builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'Any object by its global id; null when absent, not visible to the caller, or not an id at all.',
    args: { id: t.arg.id({ required: true, description: 'A global id (VmRequest.id or Project.id), or the bare UUID.' }) },
    resolve: async (_root, { id }, context) => {
      const principal = requirePrincipal(context);
      const parsed = parseGlobalId(id);
      if (!parsed) return null;
      return parsed.typename === 'VmRequest'
        ? findVmRequest(context.db, principal, parsed.id)
        : findProject(context.db, principal, parsed.id);
    },
  }),
);
