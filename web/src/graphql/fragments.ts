import { graphql } from '../gql/index.ts';

/**
 * What the portal shows of a request in lists and headers. The session's live subscription selects the same fields,
 * so every change it delivers refreshes everything a list shows of that request (a READY VM's power state, pending
 * and failed operation included: a change in vCenter or by another user repaints every row, and the detail page never
 * shows a new power state beside the failure it cleared).
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
    lastOperationFailure {
      operation
      code
      message
      attempts
      at
    }
    project {
      id
      name
    }
  }
`);
