import { type DomainResult, type FieldError, invalidFields } from './errors.ts';
import { fail, ok } from './result.ts';

type Values<T> = { [K in keyof T]: T[K] extends DomainResult<infer V> ? V : never };

/**
 * Several values parsed together: all of them, or one VALIDATION naming every field that failed (in the order
 * given), rather than only the first, so a client can mark every wrong field of a form at once.
 */
export const allValid = <T extends Record<string, DomainResult<unknown>>>(results: T): DomainResult<Values<T>> => {
  const fields: FieldError[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, result] of Object.entries(results)) {
    if (!result.ok) {
      // Value parsers refuse only with VALIDATION; anything else is not about a field and is passed on as it is.
      if (result.error.code !== 'VALIDATION') return result;
      fields.push(...result.error.fields);
    } else values[key] = result.value;
  }
  const [first, ...rest] = fields;
  return first ? fail(invalidFields([first, ...rest])) : ok(values as Values<T>);
};
