import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';
import { parseText } from './text.ts';

export type VmName = string & { readonly __brand: 'VmName' };

export const VM_NAME_MIN = 3;
export const VM_NAME_MAX = 63;

/** A DNS-label-like hostname: lowercase letters, digits and single hyphens, never at either end. */
const VM_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export const parseVmName = (input: string, field = 'vmName'): DomainResult<VmName> => {
  const text = parseText(input, field, { label: 'VM name', min: VM_NAME_MIN, max: VM_NAME_MAX });
  if (!text.ok) return text;
  const name = text.value;
  if (/[A-Z]/.test(name)) return fail(validationError(field, 'VM name must be lowercase'));
  if (name.startsWith('-') || name.endsWith('-')) {
    return fail(validationError(field, 'VM name must not start or end with a hyphen'));
  }
  if (!VM_NAME_PATTERN.test(name)) {
    return fail(validationError(field, 'VM name may contain only lowercase letters, digits and hyphens'));
  }
  if (name.includes('--')) return fail(validationError(field, 'VM name must not contain consecutive hyphens (--)'));
  return ok(name as VmName);
};
