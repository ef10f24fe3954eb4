import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';

export const VM_SIZES = ['S', 'M', 'L', 'XL'] as const;
export type VmSize = (typeof VM_SIZES)[number];

export interface VmSizeSpec {
  size: VmSize;
  vcpus: number;
  memoryGb: number;
  diskGb: number;
  monthlyCostEur: number;
}

export const VM_SIZE_CATALOG: Readonly<Record<VmSize, VmSizeSpec>> = {
  S: { size: 'S', vcpus: 2, memoryGb: 4, diskGb: 50, monthlyCostEur: 25 },
  M: { size: 'M', vcpus: 4, memoryGb: 8, diskGb: 100, monthlyCostEur: 50 },
  L: { size: 'L', vcpus: 8, memoryGb: 16, diskGb: 200, monthlyCostEur: 100 },
  XL: { size: 'XL', vcpus: 16, memoryGb: 32, diskGb: 500, monthlyCostEur: 200 },
};

export const isVmSize = (value: string): value is VmSize => (VM_SIZES as readonly string[]).includes(value);

export const parseVmSize = (input: string, field = 'size'): DomainResult<VmSize> =>
  isVmSize(input) ? ok(input) : fail(validationError(field, `VM size must be one of ${VM_SIZES.join(', ')}`));

export const vmSizeSpec = (size: VmSize): VmSizeSpec => VM_SIZE_CATALOG[size];
