import type { StatusCount, VmRequestCounts } from '../read/vm-request-counts.ts';
import { builder } from '../builder.ts';
import { type Counts, countsOf } from '../queries/counted-connection.ts';
import { ProjectConnection, VmRequestConnection } from './connections.ts';
import { VmRequestStatusEnum } from './enums.ts';

// Counts are separate queries, run only when a document selects them (each is cached for the operation).

const VmRequestStatusCountRef = builder.objectRef<StatusCount>('VmRequestStatusCount').implement({
  description: 'How many requests of the list have one status.',
  fields: (t) => ({
    status: t.field({ type: VmRequestStatusEnum, description: 'The status counted.', resolve: (entry) => entry.status }),
    count: t.exposeInt('count', { description: 'Requests with that status (0 included).' }),
  }),
});

builder.objectFields(VmRequestConnection, (t) => ({
  totalCount: t.int({
    description:
      "How many requests the list's filter matches for the caller (the same visibility rules as its rows), over all pages.",
    resolve: (connection) => countsOf<VmRequestCounts>(connection).total(),
  }),
  statusCounts: t.field({
    type: [VmRequestStatusCountRef],
    description:
      "How many requests have each status, one entry per VmRequestStatus (in the enum's order, 0 included), for the list's filter without its status condition: the counts for status tabs while one status is selected. Visibility applies as for the rows.",
    resolve: (connection) => countsOf<VmRequestCounts>(connection).byStatus(),
  }),
}));

builder.objectField(ProjectConnection, 'totalCount', (t) =>
  t.int({
    description: 'How many projects the caller can see, over all pages.',
    resolve: (connection) => countsOf<Counts>(connection).total(),
  }),
);
