import { graphql } from '../gql/index.ts';

/**
 * What the approvals queue shows of a request: the summary every list has, plus what an admin decides on
 * (justification, the size's resources and cost, the requester's email).
 */
export const PendingApprovalFragment = graphql(`
  fragment PendingApproval on VmRequest {
    ...VmRequestSummary
    justification
    requesterEmail
    decidedBy
    spec {
      size
      vcpus
      memoryGb
      diskGb
      monthlyCostEur
    }
  }
`);

/** How many queue rows the page reads at once; the queue is meant to be worked down, so more is rarely needed. */
export const QUEUE_PAGE = 100;

export const PendingApprovalsQuery = graphql(`
  query PendingApprovals($first: Int!) {
    pendingApprovals(first: $first) {
      totalCount
      pageInfo {
        hasNextPage
      }
      edges {
        node {
          ...PendingApproval
        }
      }
    }
  }
`);

/**
 * The queue's own feed, selecting the fields the session-wide feed leaves out (justification, spec), so a request
 * created by anyone arrives complete and can join the queue without a refetch. `since` makes it resume after a drop.
 */
export const ApprovalQueueChanges = graphql(`
  subscription ApprovalQueueChanges($since: String) {
    vmRequestChanges(since: $since) {
      cursor
      vmRequest {
        ...PendingApproval
      }
    }
  }
`);

export const ApproveRequest = graphql(`
  mutation ApproveRequest($input: ApproveVmRequestInput!) {
    approveVmRequest(input: $input) {
      __typename
      ... on ApproveVmRequestPayload {
        vmRequest {
          ...PendingApproval
        }
      }
      ...Refusal
      ... on ConcurrencyError {
        actualVersion
      }
      ... on InvalidStateError {
        currentStatus
      }
      ... on QuotaExceededError {
        ...QuotaRefusal
      }
    }
  }
`);

export const RejectRequest = graphql(`
  mutation RejectRequest($input: RejectVmRequestInput!) {
    rejectVmRequest(input: $input) {
      __typename
      ... on RejectVmRequestPayload {
        vmRequest {
          ...PendingApproval
        }
      }
      ...Refusal
      ... on ConcurrencyError {
        actualVersion
      }
      ... on InvalidStateError {
        currentStatus
      }
    }
  }
`);

/** One request's current state, for the notice shown after another admin decided it first. */
export const DecidedRequest = graphql(`
  query DecidedRequest($id: ID!) {
    vmRequest(id: $id) {
      ...VmRequestSummary
      decidedBy
    }
  }
`);
