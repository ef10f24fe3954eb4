/** Outages and refusals a hypervisor may answer with (domain.md, Provisioning). */
export const RETRYABLE_CODES = [
  'CONNECTION_FAILED',
  'CONNECTION_TIMEOUT',
  'INSUFFICIENT_RESOURCES',
  'DATASTORE_NOT_AVAILABLE',
] as const;

export const NON_RETRYABLE_CODES = [
  'TEMPLATE_NOT_FOUND',
  'VM_CONFIG_INVALID',
  'NETWORK_NOT_FOUND',
  'CLUSTER_NOT_FOUND',
  'FOLDER_NOT_FOUND',
  'RESOURCE_POOL_NOT_FOUND',
  'DATASTORE_NOT_FOUND',
  'AUTHENTICATION_FAILED',
  'HYPERVISOR_NOT_CONFIGURED',
  'VM_NOT_FOUND',
  'UNKNOWN',
] as const;

export type RetryableCode = (typeof RETRYABLE_CODES)[number];
export type NonRetryableCode = (typeof NON_RETRYABLE_CODES)[number];
export type HypervisorErrorCode = RetryableCode | NonRetryableCode;

export const HYPERVISOR_ERROR_CODES: readonly HypervisorErrorCode[] = [...RETRYABLE_CODES, ...NON_RETRYABLE_CODES];

export const isHypervisorErrorCode = (value: string): value is HypervisorErrorCode =>
  (HYPERVISOR_ERROR_CODES as readonly string[]).includes(value);

export const isRetryableCode = (code: HypervisorErrorCode): boolean =>
  (RETRYABLE_CODES as readonly string[]).includes(code);

/**
 * What an adapter throws when the hypervisor fails an operation. It is an exception, not a value: it reports an
 * outage or a misconfiguration of the infrastructure, which the process turns into a retry or a FAILED request.
 * Adapters map their own faults onto these codes; anything they cannot classify is UNKNOWN (not retried).
 */
export class HypervisorError extends Error {
  override readonly name = 'HypervisorError';
  readonly retryable: boolean;
  constructor(
    readonly code: HypervisorErrorCode,
    message: string,
  ) {
    super(message);
    this.retryable = isRetryableCode(code);
  }
}

export const isHypervisorError = (error: unknown): error is HypervisorError => error instanceof HypervisorError;
