import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';

/** Length in Unicode code points, so an emoji or accented letter counts as one character, as a user would count it. */
export const charCount = (text: string): number => [...text].length;

// With the u flag a paired surrogate is one code point, so \p{Cs} matches only a lone half: text that is not
// Unicode, which Postgres refuses in JSON and no client can display.
const LONE_SURROGATE = /\p{Cs}/u;
// C0 and C1 controls and DEL. Free text may span lines (LF, CR) and hold tabs; one-line text holds none of them.
const CONTROL_IN_LINE = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export interface TextRule {
  /** How messages name the value: "Justification", "User id". */
  label: string;
  /** Fewest characters after trimming; 0 for optional text, where blank means none. */
  min: number;
  /** Most characters after trimming. Every text the API takes has one, so nothing unbounded reaches the store. */
  max: number;
  /** Line breaks and tabs allowed (a justification); otherwise the text is one line (a name, an id). */
  multiline?: boolean;
}

/**
 * The one rule every stored text follows, used by each value of the domain: trimmed; within its length; valid
 * Unicode (no lone UTF-16 surrogate); no control characters beyond the line breaks and tabs of free text.
 * Refusals are VALIDATION on `field`. The length is checked first, so a huge value is told it is too long.
 */
export const parseText = (input: string, field: string, rule: TextRule): DomainResult<string> => {
  const text = input.trim();
  if (exceeds(text, rule.max)) return fail(validationError(field, `${rule.label} must be at most ${rule.max} characters`));
  const problem = textProblem(text, rule.multiline ?? false);
  if (problem) return fail(validationError(field, `${rule.label} ${problem}`));
  if (rule.min > 0 && charCount(text) < rule.min) {
    return fail(
      validationError(field, rule.min === 1 ? `${rule.label} is required` : `${rule.label} must be at least ${rule.min} characters`),
    );
  }
  return ok(text);
};

/** Optional text: absent or blank means none (undefined); otherwise as `parseText`. */
export const parseOptionalText = (
  input: string | null | undefined,
  field: string,
  rule: Omit<TextRule, 'min'>,
): DomainResult<string | undefined> => {
  if (input == null || input.trim() === '') return ok(undefined);
  return parseText(input, field, { ...rule, min: 0 });
};

/** What makes `text` unfit to store, as the end of a sentence about it, or null when it is fit. */
export const textProblem = (text: string, multiline: boolean): string | null => {
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it contains an unpaired UTF-16 surrogate)';
  if ((multiline ? CONTROL_IN_TEXT : CONTROL_IN_LINE).test(text)) return 'must not contain control characters';
  return null;
};

/** Whether `text` has more than `max` code points, without splitting a long text into an array when it is plain. */
const exceeds = (text: string, max: number): boolean => {
  // A code point is one or two UTF-16 units, so the unit count bounds the code point count from both sides.
  if (text.length <= max) return false;
  if (text.length > 2 * max) return true;
  return charCount(text) > max;
};
