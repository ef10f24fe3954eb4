import { builder } from '../builder.ts';
import { mappingLiveErrors } from '../errors/live.ts';
import { idOf } from '../ids.ts';
import type { LiveChange } from '../live/vm-request-source.ts';
import { requirePrincipal } from '../principal.ts';
import { VmRequestChangeRef } from '../types/vm-request-change.ts';

/** A project id that is no id can match nothing; this one never occurs, so the feed stays silent. */
const NO_PROJECT = '00000000-0000-0000-0000-000000000000';

builder.subscriptionField('vmRequestChanges', (t) =>
  t.field({
    type: VmRequestChangeRef,
    description:
      'Every version of the requests the caller may see (of one project, if given), in order. With `since` (a cursor ' +
      'from an earlier change) it first replays every version after it, then goes live: reconnecting with the last ' +
      'cursor received misses nothing and repeats nothing. A `since` older than the versions kept is an error with ' +
      'code CURSOR_EXPIRED and the cursor to resume from.',
    args: {
      projectId: t.arg.id({
        required: false,
        description: 'Only requests of this project. An id that is not a project id matches nothing.',
      }),
      since: t.arg.string({
        required: false,
        description: 'A `cursor` from an earlier change: replay every version after it first, then go live.',
      }),
      mine: t.arg.boolean({
        required: false,
        description:
          "Only the caller's own requests, in the replay and live. Narrows an admin's feed; a user's feed holds only " +
          'their own requests anyway.',
      }),
    },
    subscribe: (_root, args, context) => {
      const principal = requirePrincipal(context);
      const projectId = args.projectId ? (idOf(args.projectId, 'Project') ?? NO_PROJECT) : null;
      const filter = { projectId, since: args.since ?? null, mine: args.mine ?? false };
      return mappingLiveErrors(() => context.live.watchChanges(principal, filter));
    },
    resolve: (change: LiveChange) => change,
  }),
);
