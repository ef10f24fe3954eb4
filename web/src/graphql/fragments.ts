import { graphql } from '../gql/index.ts';

/**
 * What the portal shows of a request in lists and headers. The session's live subscription selects the same fields,
 * so every change it delivers refreshes everything a list shows of that request (a READY VM's power state and pending
 * operation included: a change in vCenter or by another user repaints every row).
 */
export const VmRequestSummaryFragment = graphql(`
  fragment VmRequestSummary on VmRequest {
    id
    version
    vmName
    size
    status
    provisioningStage
    createdAt
    updatedAt
    requesterId
    requesterName
    hostname
    ipAddress
    failureCode
    failureMessage
    rejectionReason
    cancellationReason
    powerState
    pendingOperation
    decommissionedAt
    project {
      id
      name
    }
  }
`);
