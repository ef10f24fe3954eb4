import { graphql } from '../gql/index.ts';

/** Rows per page of the My requests list. */
export const MY_REQUESTS_PAGE = 20;

/**
 * The My requests list: the caller's own requests (`mine`, so an admin sees theirs too), newest first, one page, with
 * the counts for the status tabs. `viewer { id }` is read with it so the cache can tell whether a change it receives
 * is one of the caller's (request-list-updates.ts).
 */
export const MyRequestsQuery = graphql(`
  query MyRequests($first: Int!, $after: String, $filter: VmRequestFilter!) {
    viewer {
      id
    }
    vmRequests(first: $first, after: $after, filter: $filter) {
      totalCount
      statusCounts {
        status
        count
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...VmRequestSummary
        }
      }
    }
  }
`);

/** The projects for the list's project filter. */
export const RequestFilterProjectsQuery = graphql(`
  query RequestFilterProjects {
    projects(first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);
