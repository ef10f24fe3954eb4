import { HYPERVISOR_ERROR_CODES, type HypervisorErrorCode, isHypervisorErrorCode } from '../../provisioning/hypervisor-error.ts';
import { builder } from '../builder.ts';

const DESCRIPTIONS: Record<HypervisorErrorCode, string> = {
  CONNECTION_FAILED: 'The hypervisor could not be reached (retried before failing).',
  CONNECTION_TIMEOUT: 'The hypervisor did not answer in time (retried before failing).',
  INSUFFICIENT_RESOURCES: 'The cluster lacked CPU, memory or disk for the VM (retried before failing).',
  DATASTORE_NOT_AVAILABLE: 'The datastore for the VM was unavailable (retried before failing).',
  TEMPLATE_NOT_FOUND: 'The template the VM is cloned from does not exist.',
  VM_CONFIG_INVALID: 'The hypervisor refused the VM configuration.',
  NETWORK_NOT_FOUND: 'The network the VM is attached to does not exist.',
  CLUSTER_NOT_FOUND: 'The cluster the VM is placed in does not exist.',
  FOLDER_NOT_FOUND: 'The inventory folder the VM is placed in does not exist.',
  RESOURCE_POOL_NOT_FOUND: 'The resource pool the VM is placed in does not exist.',
  DATASTORE_NOT_FOUND: 'The datastore the VM is placed on does not exist.',
  AUTHENTICATION_FAILED: "The hypervisor refused the tenant's credentials (the connection needs new ones).",
  HYPERVISOR_NOT_CONFIGURED: 'The tenant has no hypervisor connection, and this server does not simulate one.',
  VM_NOT_FOUND: 'The VM an operation after READY was for no longer exists on the hypervisor.',
  UNKNOWN:
    'Any other failure: one the hypervisor adapter could not classify, or a stored code this server does not know ' +
    '(failureMessage still says what happened).',
};

// The hypervisor adapters' codes (src/provisioning/hypervisor-error.ts) are the only ones provisioning records.
export const ProvisioningFailureCodeEnum = builder.enumType('ProvisioningFailureCode', {
  description: 'Why provisioning, or a power or decommission operation (VmOperationFailure), failed for good, as the hypervisor adapter classified it.',
  values: Object.fromEntries(HYPERVISOR_ERROR_CODES.map((code) => [code, { value: code, description: DESCRIPTIONS[code] }])) as Record<
    HypervisorErrorCode,
    { value: HypervisorErrorCode; description: string }
  >,
});

/**
 * A stored failure code as the enum shows it. The event store keeps whatever code was recorded (an older adapter's,
 * or one written by hand); a code the enum lacks would fail the whole field, so it shows as UNKNOWN instead.
 */
export const failureCodeOf = (stored: string | null): HypervisorErrorCode | null =>
  stored === null ? null : isHypervisorErrorCode(stored) ? stored : 'UNKNOWN';
