import { PROJECT_ROLES, PROVISIONING_STAGES, VM_REQUEST_STATUSES, VM_SIZES } from '../../domain/index.ts';
import { builder } from '../builder.ts';

// Enums come from the domain's lists, so the schema cannot drift from the rules.
export const VmSizeEnum = builder.enumType('VmSize', { values: VM_SIZES });

export const VmRequestStatusEnum = builder.enumType('VmRequestStatus', { values: VM_REQUEST_STATUSES });

export const ProvisioningStageEnum = builder.enumType('ProvisioningStage', { values: PROVISIONING_STAGES });

export const ProjectRoleEnum = builder.enumType('ProjectRole', { values: PROJECT_ROLES });
