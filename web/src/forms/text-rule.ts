/**
 * The browser's copy of the server's text rule (src/domain/text.ts `parseText`), so a form can say what is wrong as
 * the user types, in the very words the server would answer with. test/web/new-request-rules.test.ts runs both on
 * generated input and fails when they disagree, so the copies cannot drift apart unnoticed.
 */

/** Length in Unicode code points, as the server counts (an emoji or an accented letter is one character). */
export const charCount = (text: string): number => [...text].length;

const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL_IN_LINE = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export interface TextRule {
  label: string;
  min: number;
  max: number;
  multiline?: boolean;
}

/** What the server would say about `input` under `rule` (checked after trimming, length first), or null if fine. */
export function textRuleProblem(input: string, rule: TextRule): string | null {
  const text = input.trim();
  const count = charCount(text);
  if (count > rule.max) return `${rule.label} must be at most ${rule.max} characters`;
  if (LONE_SURROGATE.test(text)) return `${rule.label} must be valid Unicode text (it contains an unpaired UTF-16 surrogate)`;
  if ((rule.multiline ? CONTROL_IN_TEXT : CONTROL_IN_LINE).test(text)) return `${rule.label} must not contain control characters`;
  if (rule.min > 0 && count < rule.min) {
    return rule.min === 1 ? `${rule.label} is required` : `${rule.label} must be at least ${rule.min} characters`;
  }
  return null;
}
