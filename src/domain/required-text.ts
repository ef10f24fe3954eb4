import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';

/** A mandatory free-text field: trimmed, and refused when blank. */
export const requireText = (input: string, field: string): DomainResult<string> => {
  const text = input.trim();
  return text === '' ? fail(validationError(field, `${field} is required`)) : ok(text);
};

/** An optional free-text field: trimmed, and absent when blank. */
export const optionalText = (input: string | null | undefined): string | undefined => {
  const text = (input ?? '').trim();
  return text === '' ? undefined : text;
};
