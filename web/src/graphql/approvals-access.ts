import { graphql } from '../gql/index.ts';

/** The projects the signed-in user is a PROJECT_ADMIN of: whether they have an approvals queue to watch. */
export const ApprovalsAccessQuery = graphql(`
  query ApprovalsAccess {
    viewer {
      id
      roles
      adminOfProjects
    }
  }
`);
