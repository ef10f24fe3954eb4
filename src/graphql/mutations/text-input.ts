import { textProblem } from '../../domain/index.ts';
import { refuse, ValidationFailure } from '../errors/classes.ts';

/**
 * Refuses, before any command runs, a string field no stored text may hold (the domain's text rule: a lone UTF-16
 * surrogate, which Postgres refuses in JSON, or a control character other than a line break or tab). Every text
 * the domain stores also has its own value with this rule and its length (src/domain/text.ts); this covers every
 * other string of an input too (ids, keys), so none reaches the event store as an unexpected error.
 */
export const checkText = (input: object): void => {
  for (const [field, value] of Object.entries(input)) {
    if (typeof value !== 'string') continue;
    const problem = textProblem(value, true);
    if (problem) refuse(new ValidationFailure(`${field} ${problem}`, field));
  }
};
