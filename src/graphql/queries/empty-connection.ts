/** The answer for a filter nothing can match (e.g. a project id that is not an id). */
export const emptyConnection = () => ({
  edges: [],
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
});
