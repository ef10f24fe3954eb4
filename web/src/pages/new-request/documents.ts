import { graphql } from '../../gql/index.ts';

/** What the form offers: the caller's projects (with members, to pick theirs) and the size catalogue. */
export const NewRequestOptionsQuery = graphql(`
  query NewRequestOptions {
    viewer {
      id
      roles
    }
    projects(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          status
          members {
            userId
            role
          }
        }
      }
    }
    vmSizes {
      size
      vcpus
      memoryGb
      diskGb
      monthlyCostEur
    }
  }
`);

// Each refusal by its own type, not \`... on Error\`: the cache has no schema, so it can only guess whether an
// interface fragment applies, and a guess that fails drops the message.
export const CreateVmRequestMutation = graphql(`
  mutation CreateVmRequestFromForm($input: CreateVmRequestInput!) {
    createVmRequest(input: $input) {
      __typename
      ... on CreateVmRequestPayload {
        vmRequest {
          ...VmRequestSummary
        }
      }
      ... on ValidationError {
        message
        fields {
          field
          message
        }
      }
      ... on InvalidStateError {
        message
        currentStatus
      }
      ... on ForbiddenError {
        message
      }
      ... on NotFoundError {
        message
      }
      ... on ConcurrencyError {
        message
      }
    }
  }
`);
