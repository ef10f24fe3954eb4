import { builder } from '../builder.ts';
import type { LiveChange } from '../live/vm-request-source.ts';
import { VmRequestRef } from './vm-request.ts';

export const VmRequestChangeRef = builder.objectRef<LiveChange>('VmRequestChange').implement({
  description: 'A request as one change left it. Pass `cursor` as `since` when reconnecting to miss nothing.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Where this change is in the feed: pass it as `since` to resume after it.' }),
    vmRequest: t.field({ type: VmRequestRef, description: 'The request as this change left it.', resolve: (change) => change.view }),
  }),
});
