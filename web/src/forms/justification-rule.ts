import { charCount, textRuleProblem } from './text-rule.ts';

/** The server's justification rule (src/domain/justification.ts), mirrored for the counter; tested against it. */
export const JUSTIFICATION_MIN = 10;
export const JUSTIFICATION_MAX = 1000;

/** The server's message for this justification, or null when the server would accept it. */
export const justificationProblem = (input: string): string | null =>
  textRuleProblem(input, { label: 'Justification', min: JUSTIFICATION_MIN, max: JUSTIFICATION_MAX, multiline: true });

/** The characters that count against the limit: the server trims, so surrounding blanks do not. */
export const justificationLength = (input: string): number => charCount(input.trim());
