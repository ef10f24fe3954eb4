import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJustification } from '../../src/domain/justification.ts';
import { parseVmName } from '../../src/domain/vm-name.ts';
import { JUSTIFICATION_MAX, JUSTIFICATION_MIN, justificationLength, justificationProblem } from '../../web/src/forms/justification-rule.ts';
import { VM_NAME_MAX, VM_NAME_MIN, vmNameProblem } from '../../web/src/forms/vm-name-rule.ts';
import { JUSTIFICATION_MAX as SERVER_JUSTIFICATION_MAX, JUSTIFICATION_MIN as SERVER_JUSTIFICATION_MIN } from '../../src/domain/justification.ts';
import { VM_NAME_MAX as SERVER_VM_NAME_MAX, VM_NAME_MIN as SERVER_VM_NAME_MIN } from '../../src/domain/vm-name.ts';
import { charCount } from '../../src/domain/text.ts';

// The form's rules are copies of the server's (the browser does not load server code). These run both on many
// generated values and require the same verdict and the same message, so a change to either side fails here.

const serverSays = (result: { ok: true } | { ok: false; error: { message: string } }): string | null =>
  result.ok ? null : result.error.message;

// Characters near every edge of the rules: the allowed ones, uppercase, the hyphen, blanks trimmed at the ends,
// line breaks and tabs (allowed only in free text), other controls, DEL and C1, non-ASCII letters, an emoji (two
// UTF-16 units, one character) and lone surrogates.
const EDGY = ['a', 'z', '0', '9', '-', '-', 'A', 'Z', '_', '.', ' ', '\t', '\n', '\r', '\u0000', '\u001f', '\u007f', '\u0085', 'é', 'ß', '😀', '\ud800', '\udfff', '\u00a0'];
const edgyChar = fc.constantFrom(...EDGY);
const plainNameChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-');

/** Mostly plausible names (so many are valid), some with one edgy character put anywhere, some long or empty. */
const vmNames = fc.oneof(
  fc.string({ unit: plainNameChar, minLength: 0, maxLength: 70 }),
  fc
    .tuple(fc.string({ unit: plainNameChar, minLength: 0, maxLength: 66 }), edgyChar, fc.nat())
    .map(([name, char, at]) => name.slice(0, at % (name.length + 1)) + char + name.slice(at % (name.length + 1))),
  fc.string({ unit: edgyChar, maxLength: 8 }),
  fc.tuple(fc.constantFrom('', ' ', '\t', '\n'), fc.string({ unit: plainNameChar, minLength: 1, maxLength: 64 }), fc.constantFrom('', ' ', '\n')).map((parts) => parts.join('')),
  fc.string({ minLength: 0, maxLength: 80, unit: 'binary' }),
);

const justifications = fc.oneof(
  fc.string({ unit: fc.constantFrom(...EDGY, 'x', 'x', 'x', 'x'), minLength: 0, maxLength: 30 }),
  // Around the maximum: plain text of 990 to 1010 characters with edgy ones at the ends.
  fc
    .tuple(edgyChar, fc.integer({ min: JUSTIFICATION_MAX - 10, max: JUSTIFICATION_MAX + 10 }), edgyChar, fc.constantFrom('x', '😀'))
    .map(([first, length, last, filler]) => first + filler.repeat(length) + last),
  fc.string({ minLength: 0, maxLength: 40, unit: 'grapheme' }),
  fc.string({ minLength: 0, maxLength: 40, unit: 'binary' }),
);

describe('the VM name rule of the form', () => {
  it('has the server limits', () => {
    expect([VM_NAME_MIN, VM_NAME_MAX]).toEqual([SERVER_VM_NAME_MIN, SERVER_VM_NAME_MAX]);
  });

  it('gives the server verdict and message for every generated name', () => {
    const verdicts = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(vmNames, (name) => {
        const server = serverSays(parseVmName(name));
        expect(vmNameProblem(name)).toBe(server);
        verdicts[server === null ? 'valid' : 'invalid'] += 1;
      }),
      { numRuns: 5000 },
    );
    // Both verdicts were compared many times, not just one kind.
    expect(verdicts.valid).toBeGreaterThan(500);
    expect(verdicts.invalid).toBeGreaterThan(500);
  });

  it.each([
    ['web-01', null],
    ['ab', 'VM name must be at least 3 characters'],
    ['Web-01', 'VM name must be lowercase'],
    ['-web', 'VM name must not start or end with a hyphen'],
    ['web_01', 'VM name may contain only lowercase letters, digits and hyphens'],
    ['web--01', 'VM name must not contain consecutive hyphens (--)'],
    ['a'.repeat(64), 'VM name must be at most 63 characters'],
  ])('%j: %s', (name, message) => {
    expect(vmNameProblem(name)).toBe(message);
    expect(serverSays(parseVmName(name))).toBe(message);
  });
});

describe('the justification rule of the form', () => {
  it('has the server limits', () => {
    expect([JUSTIFICATION_MIN, JUSTIFICATION_MAX]).toEqual([SERVER_JUSTIFICATION_MIN, SERVER_JUSTIFICATION_MAX]);
  });

  it('gives the server verdict and message, and counts characters as the server does', () => {
    const verdicts = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(justifications, (text) => {
        const server = serverSays(parseJustification(text));
        expect(justificationProblem(text)).toBe(server);
        expect(justificationLength(text)).toBe(charCount(text.trim()));
        verdicts[server === null ? 'valid' : 'invalid'] += 1;
      }),
      { numRuns: 3000 },
    );
    expect(verdicts.valid).toBeGreaterThan(300);
    expect(verdicts.invalid).toBeGreaterThan(300);
  });

  it('counts an emoji as one character, as the limit does', () => {
    const text = '😀'.repeat(JUSTIFICATION_MAX);
    expect(justificationLength(text)).toBe(JUSTIFICATION_MAX);
    expect(justificationProblem(text)).toBeNull();
    expect(justificationProblem(`${text}😀`)).toBe(`Justification must be at most ${JUSTIFICATION_MAX} characters`);
  });
});
