import {
  PROJECT_ROLES,
  PROVISIONING_STAGES,
  type ProjectRole,
  type ProvisioningStage,
  QUOTA_RESOURCES,
  type QuotaResource,
  VM_REQUEST_STATUSES,
  VM_SIZES,
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
  REJECTED: 'Rejected by an admin, with a reason. Terminal.',
  CANCELLED: 'Cancelled by the requester. Terminal.',
  PROVISIONING: 'The VM is being set up on the hypervisor (see provisioningStage and provisioningAttempt).',
  READY: 'The VM exists and is running (see hostname and ipAddress). Terminal.',
  FAILED: 'Provisioning failed for good (see failureCode and failureMessage). Terminal.',
  DECOMMISSIONED: 'The VM was deleted (by a decommission, or outside DVMM) and its quota released. Terminal.',
};

export const VmRequestStatusEnum = builder.enumType('VmRequestStatus', {
  description: 'Where a VM request is in its lifecycle; a terminal status is never left.',
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
