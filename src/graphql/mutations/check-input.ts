import { checkExpectedVersion, parseIdempotencyKey } from '../../commands/index.ts';
import { type DomainResult, type FieldError, fail, ok, textProblem } from '../../domain/index.ts';
import { refuse, ValidationFailure } from '../errors/classes.ts';

type Rule<T> = (value: T) => DomainResult<unknown>;

/** The rule of a field several inputs share, which the command checks before it reads anything; null for others. */
const sharedRule = (field: string, value: unknown): DomainResult<unknown> | null => {
  if (field === 'idempotencyKey' && typeof value === 'string') return parseIdempotencyKey(value);
  if (field === 'expectedVersion' && typeof value === 'number') {
    const invalid = checkExpectedVersion(value);
    return invalid ? fail(invalid) : ok(value);
  }
  return null;
};

const problemOf = (result: DomainResult<unknown>): FieldError[] =>
  result.ok ? [] : result.error.code === 'VALIDATION' ? [...result.error.fields] : [];

/**
 * Refuses, before any command runs, an input the command would refuse before reading anything: a string no stored
 * text may hold (the domain's text rule: a lone UTF-16 surrogate, which Postgres refuses in JSON, or a control
 * character other than a line break or tab; this covers ids and keys too, so none reaches the event store as an
 * unexpected error), a bad idempotency key or expectedVersion.
 *
 * `values` are the rules of the input's domain values (a VM name, a justification), which the command checks only
 * after who may do what (domain.md). They do not refuse here on their own, so that order and the error codes stay
 * as the domain states them; but when the input is refused here anyway, their problems are reported with it, so the
 * ValidationError names every invalid field of the input at once: the value fields first, in the order `values`
 * lists them (the order of the form, as the deciders list them too), then the others by name. (The input object's
 * own key order is the schema's, which is sorted by name, so it says nothing about the form.)
 */
export const checkInput = <I extends object>(input: I, values: { [K in keyof I]?: Rule<I[K]> } = {}): void => {
  const entries = Object.entries(input) as [keyof I & string, unknown][];
  const early = new Map<string, FieldError[]>();
  for (const [field, value] of entries) {
    const problem = typeof value === 'string' ? textProblem(value, true) : null;
    const shared = sharedRule(field, value);
    const found = problem ? [{ field, message: `${field} ${problem}` }] : shared ? problemOf(shared) : [];
    if (found.length > 0) early.set(field, found);
  }
  if (early.size === 0) return;
  const ruled = Object.keys(values) as (keyof I & string)[];
  const others = entries.map(([field]) => field).filter((field) => !ruled.includes(field)).sort();
  const fields = [...ruled, ...others].flatMap((field) => {
    const rule = values[field] as Rule<unknown> | undefined;
    return early.get(field) ?? (rule ? problemOf(rule(input[field])) : []);
  });
  refuse(new ValidationFailure(fields as [FieldError, ...FieldError[]]));
};
