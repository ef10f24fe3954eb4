
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
      "ProvisioningNotConfiguredError",
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
    "DecommissionVmResult": [
      "ConcurrencyError",
      "DecommissionVmPayload",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "Error": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ProvisioningNotConfiguredError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "Node": [
      "Project",
      "VmRequest"
    ],
    "PowerOffVmResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "PowerOffVmPayload",
      "ValidationError"
    ],
    "PowerOnVmResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "PowerOnVmPayload",
      "ValidationError"
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
    "RemoveVmwareConnectionResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "RemoveVmwareConnectionPayload",
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
    "SetVmwareConnectionResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "SetVmwareConnectionPayload",
      "ValidationError"
    ],
    "TestVmwareConnectionResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "TestVmwareConnectionPayload",
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
      "ProvisioningNotConfiguredError",
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
    "DecommissionVmResult": [
      "ConcurrencyError",
      "DecommissionVmPayload",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ValidationError"
    ],
    "Error": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "ProvisioningNotConfiguredError",
      "QuotaExceededError",
      "ValidationError"
    ],
    "Node": [
      "Project",
      "VmRequest"
    ],
    "PowerOffVmResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "PowerOffVmPayload",
      "ValidationError"
    ],
    "PowerOnVmResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "PowerOnVmPayload",
      "ValidationError"
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
    "RemoveVmwareConnectionResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "RemoveVmwareConnectionPayload",
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
    "SetVmwareConnectionResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "SetVmwareConnectionPayload",
      "ValidationError"
    ],
    "TestVmwareConnectionResult": [
      "ConcurrencyError",
      "ForbiddenError",
      "InvalidStateError",
      "NotFoundError",
      "TestVmwareConnectionPayload",
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
    