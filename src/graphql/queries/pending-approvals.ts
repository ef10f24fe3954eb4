import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { VmRequestConnection } from '../types/connections.ts';
import { VmRequestRef } from '../types/vm-request.ts';
import { emptyConnection } from './empty-connection.ts';
import { vmRequestConnection } from './vm-request-connection.ts';

builder.queryField('pendingApprovals', (t) =>
  t.connection(
    {
      type: VmRequestRef,
      authScopes: { admin: true },
      description: "The admin queue: the tenant's PENDING requests, oldest first. Admins only.",
      args: { projectId: t.arg.id({ required: false, description: 'Only requests of this project. An id that is not a project id matches nothing.' }) },
      resolve: (_root, { projectId: projectArg, ...args }, context) => {
        const principal = requirePrincipal(context);
        const projectId = projectArg ? idOf(projectArg, 'Project') : null;
        if (projectArg && !projectId) return emptyConnection();
        return vmRequestConnection(context.db, principal, { projectId, statuses: ['PENDING'] }, 'oldest-first', args);
      },
    },
    VmRequestConnection,
  ),
);
