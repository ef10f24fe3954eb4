import { GraphQLError } from 'graphql';
import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { requirePrincipal } from '../principal.ts';
import { VmRequestRef } from '../types/vm-request.ts';
import type { VmRequestView } from '../views/vm-request.ts';

builder.subscriptionField('vmRequestUpdated', (t) =>
  t.field({
    type: VmRequestRef,
    description:
      'The current state first, then every newer version; completes after a final status (REJECTED, CANCELLED, ' +
      'FAILED, DECOMMISSIONED) has been delivered. A READY request stays watched: its power changes and its ' +
      'decommissioning follow. ' +
      'An absent or invisible request is an error with code NOT_FOUND (the two are not told apart).',
    args: { id: t.arg.id({ required: true, description: 'VmRequest.id, or the bare UUID.' }) },
    subscribe: async (_root, args, context) => {
      const principal = requirePrincipal(context);
      const id = idOf(args.id, 'VmRequest');
      const states = id ? await context.live.watchRequest(principal, id) : null;
      if (!states) throw new GraphQLError('VM request not found', { extensions: { code: 'NOT_FOUND' } });
      return states;
    },
    resolve: (state: VmRequestView) => state,
  }),
);
