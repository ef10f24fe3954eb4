import { noCounts } from '../read/vm-request-counts.ts';
import { withCounts } from './counted-connection.ts';

/** The answer for a filter nothing can match (e.g. a project id that is not an id): no rows, every count 0. */
export const emptyConnection = () =>
  withCounts(
    {
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    },
    noCounts,
  );
