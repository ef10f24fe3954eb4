import { type DomainError, type DomainResult, validationError } from './errors.ts';
import { allValid } from './all-valid.ts';
import { fail, ok } from './result.ts';
import { type VmSize, vmSizeSpec } from './vm-size.ts';

export const QUOTA_RESOURCES = ['VMS', 'VCPUS', 'RAM_GB', 'STORAGE_GB'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

/** A project's limits; null means unlimited. */
export type QuotaLimits = {
  maxVms: number | null;
  maxVCpus: number | null;
  maxRamGb: number | null;
  maxStorageGb: number | null;
};

/** What requests hold, or what one request would add. */
export interface QuotaAmounts {
  vms: number;
  vcpus: number;
  ramGb: number;
  storageGb: number;
}

export const QUOTA_LIMIT_MAX = 1_000_000;

export const NO_QUOTA: QuotaLimits = { maxVms: null, maxVCpus: null, maxRamGb: null, maxStorageGb: null };

export const ZERO_AMOUNTS: QuotaAmounts = { vms: 0, vcpus: 0, ramGb: 0, storageGb: 0 };

/** Each resource with the limit and the amount that count against each other. */
const RESOURCES: readonly { resource: QuotaResource; limit: keyof QuotaLimits; amount: keyof QuotaAmounts; label: string }[] = [
  { resource: 'VMS', limit: 'maxVms', amount: 'vms', label: 'VMs' },
  { resource: 'VCPUS', limit: 'maxVCpus', amount: 'vcpus', label: 'vCPUs' },
  { resource: 'RAM_GB', limit: 'maxRamGb', amount: 'ramGb', label: 'GB of RAM' },
  { resource: 'STORAGE_GB', limit: 'maxStorageGb', amount: 'storageGb', label: 'GB of storage' },
];

/** One VM of a size, as it counts against a quota. */
export const quotaAmountsOf = (size: VmSize): QuotaAmounts => {
  const spec = vmSizeSpec(size);
  return { vms: 1, vcpus: spec.vcpus, ramGb: spec.memoryGb, storageGb: spec.diskGb };
};

/** Absent or null: unlimited. Otherwise a whole number from 0 (nothing may be requested) to QUOTA_LIMIT_MAX. */
export const parseQuotaLimit = (value: number | null | undefined, field: keyof QuotaLimits): DomainResult<number | null> => {
  if (value === null || value === undefined) return ok(null);
  return Number.isSafeInteger(value) && value >= 0 && value <= QUOTA_LIMIT_MAX
    ? ok(value)
    : fail(validationError(field, `${field} must be a whole number from 0 to ${QUOTA_LIMIT_MAX.toLocaleString('en')}, or null for no limit`));
};

export type QuotaLimitsInput = { [K in keyof QuotaLimits]?: number | null };

export const parseQuotaLimits = (input: QuotaLimitsInput): DomainResult<QuotaLimits> =>
  allValid({
    maxVms: parseQuotaLimit(input.maxVms, 'maxVms'),
    maxVCpus: parseQuotaLimit(input.maxVCpus, 'maxVCpus'),
    maxRamGb: parseQuotaLimit(input.maxRamGb, 'maxRamGb'),
    maxStorageGb: parseQuotaLimit(input.maxStorageGb, 'maxStorageGb'),
  });

export const sameLimits = (a: QuotaLimits, b: QuotaLimits): boolean =>
  RESOURCES.every(({ limit }) => a[limit] === b[limit]);

export const addAmounts = (a: QuotaAmounts, b: QuotaAmounts): QuotaAmounts => ({
  vms: a.vms + b.vms,
  vcpus: a.vcpus + b.vcpus,
  ramGb: a.ramGb + b.ramGb,
  storageGb: a.storageGb + b.storageGb,
});

const quotaExceeded = (resource: QuotaResource, limit: number, used: number, requested: number, label: string): DomainError => ({
  code: 'QUOTA_EXCEEDED',
  resource,
  limit,
  used,
  requested,
  message: `The project's quota allows ${limit} ${label}; ${used} are in use and this request needs ${requested} more`,
});

/**
 * Whether `requested` fits next to `used` under `limits`; the first resource it would exceed (in the order VMS,
 * VCPUS, RAM_GB, STORAGE_GB) is the refusal. A limit already exceeded (it was lowered) refuses every request.
 */
export const checkQuota = (limits: QuotaLimits, used: QuotaAmounts, requested: QuotaAmounts): DomainError | null => {
  for (const { resource, limit, amount, label } of RESOURCES) {
    const max = limits[limit];
    if (max !== null && used[amount] + requested[amount] > max) {
      return quotaExceeded(resource, max, used[amount], requested[amount], label);
    }
  }
  return null;
};
