import {
  POWER_STATES,
  type PowerState,
  PROJECT_ROLES,
  PROVISIONING_STAGES,
  type ProjectRole,
  type ProvisioningStage,
  QUOTA_RESOURCES,
  type QuotaResource,
  VM_REQUEST_STATUSES,
  VM_OPERATIONS,
  VM_SIZES,
  type VmOperation,
  type VmRequestStatus,
  vmSizeSpec,
} from '../../domain/index.ts';
import { builder } from '../builder.ts';

/** Enum values with their descriptions; a Record per enum, so a value the domain adds cannot go undescribed. */
const described = <V extends string>(values: readonly V[], describe: (value: V) => string) =>
  Object.fromEntries(values.map((value) => [value, { value, description: describe(value) }])) as Record<V, { value: V; description: string }>;

// Enums come from the domain's lists, so the schema cannot drift from the rules.
export const VmSizeEnum = builder.enumType('VmSize', {
  description: 'The sizes a VM can be requested in (vmSizes gives the same as data).',
  values: described(VM_SIZES, (size) => {
    const spec = vmSizeSpec(size);
    return `${spec.vcpus} vCPUs, ${spec.memoryGb} GB memory, ${spec.diskGb} GB disk; ${spec.monthlyCostEur} EUR a month.`;
  }),
});

const STATUSES: Record<VmRequestStatus, string> = {
  PENDING: 'Waiting for an admin to approve or reject it; the requester may cancel it.',
  APPROVED: 'Approved; provisioning starts next.',
  REJECTED: 'Rejected by an admin, with a reason. Final.',
  CANCELLED: 'Cancelled by the requester. Final.',
  PROVISIONING: 'The VM is being set up on the hypervisor (see provisioningStage and provisioningAttempt).',
  READY:
    'The VM exists (see hostname and ipAddress): provisioning is over. It may be powered off and on (powerState, ' +
    'pendingOperation) and is left only for DECOMMISSIONED.',
  FAILED: 'Provisioning failed for good (see failureCode and failureMessage). Final.',
  DECOMMISSIONED:
    'The VM was deleted (decommissionVm, or found deleted outside DVMM; see decommissionedAt) and no longer counts ' +
    "against the project's quota. Final.",
};

export const VmRequestStatusEnum = builder.enumType('VmRequestStatus', {
  description:
    'Where a VM request is in its lifecycle. REJECTED, CANCELLED, FAILED and DECOMMISSIONED are final: never left. ' +
    'READY ends provisioning and is left only when the VM is decommissioned.',
  values: described(VM_REQUEST_STATUSES, (status) => STATUSES[status]),
});

const STAGES: Record<ProvisioningStage, string> = {
  CLONING: 'Cloning the VM from its template.',
  CONFIGURING: 'Configuring it: CPUs, memory and disk of its size, and its hostname.',
  POWERING_ON: 'Powering it on.',
  WAITING_FOR_NETWORK: 'Waiting for it to report an IP address.',
};

export const ProvisioningStageEnum = builder.enumType('ProvisioningStage', {
  description: 'The steps of provisioning, in the order they are reached.',
  values: described(PROVISIONING_STAGES, (stage) => STAGES[stage]),
});

const ROLES: Record<ProjectRole, string> = {
  MEMBER: 'May request VMs in the project.',
  PROJECT_ADMIN: "May request VMs in the project and manage its members. (Approving is for tenant admins only.)",
};

export const ProjectRoleEnum = builder.enumType('ProjectRole', {
  description: "A member's role in a project.",
  values: described(PROJECT_ROLES, (role) => ROLES[role]),
});

const QUOTA_RESOURCE_TEXT: Record<QuotaResource, string> = {
  VMS: 'The number of VMs (ProjectQuota.maxVms; ProjectUsageFigures.vms).',
  VCPUS: 'Virtual CPUs (ProjectQuota.maxVCpus; ProjectUsageFigures.vcpus).',
  RAM_GB: 'Memory in GB (ProjectQuota.maxRamGb; ProjectUsageFigures.memoryGb).',
  STORAGE_GB: 'Disk in GB (ProjectQuota.maxStorageGb; ProjectUsageFigures.diskGb).',
};

export const QuotaResourceEnum = builder.enumType('QuotaResource', {
  description: 'What a project quota limits.',
  values: described(QUOTA_RESOURCES, (resource) => QUOTA_RESOURCE_TEXT[resource]),
});

const POWER_STATE_TEXT: Record<PowerState, string> = {
  ON: 'Running: as provisioned, powered on by DVMM, or found running in vCenter.',
  OFF: 'Powered off, by DVMM or (as found in vCenter) outside it.',
  UNKNOWN: 'vCenter reported a power state that is neither on nor off (e.g. suspended), or none.',
};

export const PowerStateEnum = builder.enumType('PowerState', {
  description: "A READY VM's power, as DVMM last set it or last found it in vCenter.",
  values: described(POWER_STATES, (state) => POWER_STATE_TEXT[state]),
});

const OPERATION_TEXT: Record<VmOperation, string> = {
  POWER_OFF: 'Power the VM off (powerOffVm).',
  POWER_ON: 'Power the VM on (powerOnVm).',
  DECOMMISSION: "Delete the VM and release its quota (decommissionVm); the request becomes DECOMMISSIONED.",
};

export const VmOperationEnum = builder.enumType('VmOperation', {
  description: 'What can be done to a READY VM; DVMM carries it out on the hypervisor, retrying before it gives up.',
  values: described(VM_OPERATIONS, (operation) => OPERATION_TEXT[operation]),
});
