import { refuse, ValidationFailure } from '../errors/classes.ts';

/**
 * Refuses input text Postgres cannot store: jsonb has no place for U+0000, so an event carrying one would fail in
 * the event store as an unexpected error. Refused here as a ValidationError on the field, before anything runs.
 */
export const checkText = (input: object): void => {
  for (const [field, value] of Object.entries(input)) {
    if (typeof value === 'string' && value.includes('\u0000')) {
      refuse(new ValidationFailure(`${field} must not contain NUL characters`, field));
    }
  }
};
