import { builder } from '../builder.ts';
import type { LiveChange } from '../live/vm-request-source.ts';
import { VmRequestRef } from './vm-request.ts';

export const VmRequestChangeRef = builder.objectRef<LiveChange>('VmRequestChange').implement({
  description: 'A request as one change left it. Pass `cursor` as `since` when reconnecting to miss nothing.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    vmRequest: t.field({ type: VmRequestRef, resolve: (change) => change.view }),
  }),
});
