import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';
import { charCount } from './text.ts';

export type Justification = string & { readonly __brand: 'Justification' };

export const JUSTIFICATION_MIN = 10;
export const JUSTIFICATION_MAX = 1000;

export const parseJustification = (input: string, field = 'justification'): DomainResult<Justification> => {
  const text = input.trim();
  const length = charCount(text);
  if (length < JUSTIFICATION_MIN) {
    return fail(validationError(field, `Justification must be at least ${JUSTIFICATION_MIN} characters`));
  }
  if (length > JUSTIFICATION_MAX) {
    return fail(validationError(field, `Justification must be at most ${JUSTIFICATION_MAX} characters`));
  }
  return ok(text as Justification);
};
