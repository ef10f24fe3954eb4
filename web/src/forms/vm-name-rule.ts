import { textRuleProblem } from './text-rule.ts';

/** The server's VM name rule (src/domain/vm-name.ts), mirrored for feedback while typing; tested against it. */
export const VM_NAME_MIN = 3;
export const VM_NAME_MAX = 63;

/** The rule in one sentence, shown under the field (the schema's description of `vmName` says the same). */
export const VM_NAME_RULE = `${VM_NAME_MIN} to ${VM_NAME_MAX} lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`;

const PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The server's message for this name, or null when the server would accept it. */
export function vmNameProblem(input: string): string | null {
  const text = textRuleProblem(input, { label: 'VM name', min: VM_NAME_MIN, max: VM_NAME_MAX });
  if (text) return text;
  const name = input.trim();
  if (/[A-Z]/.test(name)) return 'VM name must be lowercase';
  if (name.startsWith('-') || name.endsWith('-')) return 'VM name must not start or end with a hyphen';
  if (!PATTERN.test(name)) return 'VM name may contain only lowercase letters, digits and hyphens';
  if (name.includes('--')) return 'VM name must not contain consecutive hyphens (--)';
  return null;
}
