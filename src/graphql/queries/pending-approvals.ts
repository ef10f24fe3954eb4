import { GraphQLError } from 'graphql';
import { isAdmin } from '../../domain/index.ts';
import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { administeredProjectIds } from '../read/administered-projects.ts';
import { CONNECTION_NODES, selectedColumns } from '../read/vm-request-columns.ts';
import { VmRequestConnection } from '../types/connections.ts';
import { VmRequestRef } from '../types/vm-request.ts';
import { emptyConnection } from './empty-connection.ts';
import { vmRequestConnection } from './vm-request-connection.ts';

builder.queryField('pendingApprovals', (t) =>
  t.connection(
    {
      type: VmRequestRef,
      authScopes: { authenticated: true },
      description:
        "The approvals queue: PENDING requests, oldest first. A tenant admin gets the tenant's; a project admin " +
        '(PROJECT_ADMIN, not a tenant admin) gets those of the projects they administer that they may see (today: ' +
        'their own requests, see docs/domain.md, Visibility), to watch, not to decide (approving is for tenant admins); ' +
        'anyone else gets FORBIDDEN. totalCount and statusCounts count the same requests.',
      args: {
        projectId: t.arg.id({
          required: false,
          description: 'Only requests of this project. An id that is not a project id, or (for a project admin) of a project they do not administer, matches nothing.',
        }),
      },
      resolve: async (_root, { projectId: projectArg, ...args }, context, info) => {
        const principal = requirePrincipal(context);
        // A tenant admin's queue is the whole tenant; anyone else's is scoped to the projects they administer.
        const projectIds = isAdmin(principal) ? null : await administeredProjectIds(context.db, principal);
        if (projectIds?.length === 0) throw new GraphQLError('Not allowed for your role', { extensions: { code: 'FORBIDDEN' } });
        const projectId = projectArg ? idOf(projectArg, 'Project') : null;
        if (projectArg && !projectId) return emptyConnection();
        const filter = { projectId, projectIds, statuses: ['PENDING' as const] };
        return vmRequestConnection(context.db, principal, filter, 'oldest-first', args, selectedColumns(info, CONNECTION_NODES));
      },
    },
    VmRequestConnection,
  ),
);
