
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "AddProjectMemberResult": [
      "AddProjectMemberPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "ApproveVmRequestResult": [
      "ApproveVmRequestPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "ArchiveProjectResult": [
      "ArchiveProjectPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "CancelVmRequestResult": [
      "CancelVmRequestPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "CreateProjectResult": [
      "ConcurrencyError",
      "CreateProjectPayload",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "CreateVmRequestResult": [
      "ConcurrencyError",
      "CreateVmRequestPayload",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "Error": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "Node": [
      "Project",
      "VmRequest"
    ],
    "RejectVmRequestResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "RejectVmRequestPayload",
      "ValidationError"
    ],
    "RemoveProjectMemberResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "RemoveProjectMemberPayload",
      "ValidationError"
    ],
    "SetProjectQuotaResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "SetProjectQuotaPayload",
      "ValidationError"
    ],
    "UnarchiveProjectResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "UnarchiveProjectPayload",
      "ValidationError"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "AddProjectMemberResult": [
      "AddProjectMemberPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "ApproveVmRequestResult": [
      "ApproveVmRequestPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "ArchiveProjectResult": [
      "ArchiveProjectPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "CancelVmRequestResult": [
      "CancelVmRequestPayload",
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "CreateProjectResult": [
      "ConcurrencyError",
      "CreateProjectPayload",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "CreateVmRequestResult": [
      "ConcurrencyError",
      "CreateVmRequestPayload",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "Error": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "Node": [
      "Project",
      "VmRequest"
    ],
    "RejectVmRequestResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "RejectVmRequestPayload",
      "ValidationError"
    ],
    "RemoveProjectMemberResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "RemoveProjectMemberPayload",
      "ValidationError"
    ],
    "SetProjectQuotaResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "SetProjectQuotaPayload",
      "ValidationError"
    ],
    "UnarchiveProjectResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "UnarchiveProjectPayload",
      "ValidationError"
    ]
  }
};
      export default result;
    