import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { VmRequestConnection } from '../types/connections.ts';
import { VmRequestFilter } from '../types/vm-request-filter.ts';
import { VmRequestRef } from '../types/vm-request.ts';
import { emptyConnection } from './empty-connection.ts';
import { vmRequestList } from './vm-request-list.ts';

builder.queryField('vmRequests', (t) =>
  t.connection(
    {
      type: VmRequestRef,
      description: 'Requests visible to the caller (a user: their own; an admin: the whole tenant), newest first.',
      args: { filter: t.arg({ type: VmRequestFilter, required: false, description: 'Conditions on the requests.' }) },
      resolve: (_root, { filter, ...args }, context, info) => {
        requirePrincipal(context);
        const projectId = filter?.projectId ? idOf(filter.projectId, 'Project') : null;
        // A project id that is not one: no project has it, so no request matches.
        if (filter?.projectId && !projectId) return emptyConnection();
        return vmRequestList(context, { ...filter, projectId }, args, info);
      },
    },
    VmRequestConnection,
  ),
);
