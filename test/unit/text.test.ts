import { describe, expect, it } from 'vitest';
import {
  isIdentityText,
  parseCancellationReason,
  parseJustification,
  parseOptionalText,
  parseProjectDescription,
  parseProjectName,
  parseRejectionReason,
  parseText,
  parseUserId,
  parseVmName,
  USER_ID_MAX,
} from '../../src/domain/index.ts';

const refusedOn = (field: string, message?: RegExp) => ({
  ok: false,
  error: {
    code: 'VALIDATION',
    field,
    ...(message ? { message: expect.stringMatching(message) } : {}),
    fields: [{ field, message: message ? expect.stringMatching(message) : expect.any(String) }],
  },
});

const line = { label: 'Thing', min: 1, max: 10 };

describe('the text rule every stored text follows', () => {
  it.each([
    ['a lone high surrogate', 'ab\ud800cd', /valid Unicode/],
    ['a lone low surrogate', '\udc00abc', /valid Unicode/],
    ['surrogates in the wrong order', 'a\udc00\ud800', /valid Unicode/],
    ['NUL', 'a\u0000b', /control characters/],
    ['ESC', 'a\u001b[31m', /control characters/],
    ['DEL', 'a\u007fb', /control characters/],
    ['a C1 control', 'a\u0085b', /control characters/],
    ['a line break in one-line text', 'a\nb', /control characters/],
    ['a tab in one-line text', 'a\tb', /control characters/],
    ['11 characters', 'x'.repeat(11), /at most 10 characters/],
    ['nothing', '', /Thing is required/],
    ['only spaces', '   ', /Thing is required/],
  ])('refuses %s, naming the field', (_label, input, message) => {
    expect(parseText(input, 'thing', line)).toEqual(refusedOn('thing', message));
  });

  it('tells a huge text that it is too long (before looking at what it holds)', () => {
    expect(parseText(`${'x'.repeat(900_000)}\u0000`, 'thing', line)).toEqual(refusedOn('thing', /at most 10/));
  });

  it('counts characters as a user does: an emoji or an accented letter is one', () => {
    expect(parseText('🚀'.repeat(10), 'thing', line)).toEqual({ ok: true, value: '🚀'.repeat(10) });
    expect(parseText('🚀'.repeat(11), 'thing', line)).toEqual(refusedOn('thing', /at most 10/));
    expect(parseText('ü'.repeat(5), 'thing', { ...line, max: 5 })).toEqual({ ok: true, value: 'ü'.repeat(5) });
  });

  it('accepts paired surrogates, trims, and lets free text span lines with tabs', () => {
    expect(parseText('  web 🚀  ', 'thing', line)).toEqual({ ok: true, value: 'web 🚀' });
    expect(parseText('one\r\n\ttwo', 'thing', { ...line, multiline: true })).toEqual({ ok: true, value: 'one\r\n\ttwo' });
  });

  it('optional text: blank is none, anything else follows the rule', () => {
    expect(parseOptionalText(null, 'thing', line)).toEqual({ ok: true, value: undefined });
    expect(parseOptionalText('  ', 'thing', line)).toEqual({ ok: true, value: undefined });
    expect(parseOptionalText('a\ud800', 'thing', line)).toEqual(refusedOn('thing', /valid Unicode/));
  });
});

describe('every text value of the domain follows it', () => {
  const lone = 'Needed for \ud800 the tests';
  it.each([
    ['justification', () => parseJustification(lone)],
    ['justification', () => parseJustification('Needed for\u0000 the tests')],
    ['reason', () => parseRejectionReason(`Too expensive \udfff for now`)],
    ['reason', () => parseCancellationReason('no longer \ud83d needed')],
    ['name', () => parseProjectName('Web\ud800shop')],
    ['name', () => parseProjectName('Web\u0007shop')],
    ['description', () => parseProjectDescription(lone)],
    ['description', () => parseProjectDescription('x'.repeat(2001))],
    ['vmName', () => parseVmName('web\ud800')],
    ['userId', () => parseUserId('carol\ud800')],
    ['userId', () => parseUserId('carol\u0000')],
    ['userId', () => parseUserId('x'.repeat(900_000))],
  ])('%s', (field, parse) => {
    expect(parse()).toMatchObject(refusedOn(field));
  });

  it('a user id is one line of at most 255 characters, as a token subject is', () => {
    expect(parseUserId('x'.repeat(USER_ID_MAX))).toMatchObject({ ok: true });
    expect(parseUserId('x'.repeat(USER_ID_MAX + 1))).toMatchObject(refusedOn('userId', /at most 255/));
    expect(parseUserId('carol\nmallory')).toMatchObject(refusedOn('userId', /control/));
  });

  it('token claims: an id or profile text is refused when the text rule refuses it', () => {
    expect(isIdentityText('acme', 200)).toBe(true);
    expect(isIdentityText('acme\u0000', 200)).toBe(false);
    expect(isIdentityText('ac\ud800me', 200)).toBe(false);
    expect(isIdentityText(' ', 200)).toBe(false);
    expect(isIdentityText('x'.repeat(201), 200)).toBe(false);
  });
});
