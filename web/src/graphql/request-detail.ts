import { graphql } from '../gql/index.ts';

/** Everything the request detail page shows; the query and the live subscription select the same. */
export const RequestDetailFragment = graphql(`
  fragment RequestDetail on VmRequest {
    ...VmRequestSummary
    justification
    requesterEmail
    decidedBy
    provisioningAttempt
    nextRetryAt
    provisioningWarning
    vmwareVmId
    spec {
      size
      vcpus
      memoryGb
      diskGb
      monthlyCostEur
    }
    timeline {
      type
      occurredAt
      actorId
      details
    }
    auditTrail {
      verified
      sealedUpTo
      events {
        type
        recordedAt
        position
        hash
      }
    }
  }
`);

export const RequestDetailQuery = graphql(`
  query RequestDetailPage($id: ID!) {
    vmRequest(id: $id) {
      ...RequestDetail
    }
  }
`);

/** The request's state first, then every newer version: the page walks live and stops after a terminal status. */
export const RequestDetailUpdates = graphql(`
  subscription RequestDetailUpdates($id: ID!) {
    vmRequestUpdated(id: $id) {
      ...RequestDetail
    }
  }
`);

export const CancelRequest = graphql(`
  mutation CancelRequest($input: CancelVmRequestInput!) {
    cancelVmRequest(input: $input) {
      __typename
      ... on CancelVmRequestPayload {
        vmRequest {
          ...RequestDetail
        }
      }
      ...Refusal
    }
  }
`);

export const PowerOffVm = graphql(`
  mutation PowerOffVm($input: PowerOffVmInput!) {
    powerOffVm(input: $input) {
      __typename
      ... on PowerOffVmPayload {
        vmRequest {
          ...RequestDetail
        }
      }
      ... on ConcurrencyError {
        actualVersion
      }
      ...Refusal
    }
  }
`);

export const PowerOnVm = graphql(`
  mutation PowerOnVm($input: PowerOnVmInput!) {
    powerOnVm(input: $input) {
      __typename
      ... on PowerOnVmPayload {
        vmRequest {
          ...RequestDetail
        }
      }
      ... on ConcurrencyError {
        actualVersion
      }
      ...Refusal
    }
  }
`);

export const DecommissionVm = graphql(`
  mutation DecommissionVm($input: DecommissionVmInput!) {
    decommissionVm(input: $input) {
      __typename
      ... on DecommissionVmPayload {
        vmRequest {
          ...RequestDetail
        }
      }
      ... on ConcurrencyError {
        actualVersion
      }
      ...Refusal
    }
  }
`);
