import { builder } from '../builder.ts';
import { requirePrincipal } from '../principal.ts';

builder.queryField('liveCursor', (t) =>
  t.field({
    type: 'String',
    description:
      "Where the live feed stands now: a cursor to pass as `vmRequestChanges(since:)`. Read it first, subscribe with it, " +
      'then query: every change made after the read model answered reaches the subscription, so nothing falls between ' +
      'a query and the subscription that keeps it fresh (a change may arrive that the query already showed; versions ' +
      'tell which is newer).',
    resolve: async (_root, _args, context) => {
      requirePrincipal(context);
      const cursor = await context.live.cursorNow(context.db);
      context.raiseReadFloor?.(cursor);
      return cursor;
    },
  }),
);
