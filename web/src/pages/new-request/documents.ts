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
        fields {
          field
          message
        }
      }
      ... on Error {
        code
        message
      }
      ... on QuotaExceededError {
        ...QuotaRefusal
      }
    }
  }
`);
