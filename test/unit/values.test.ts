import { describe, expect, it } from 'vitest';
import {
  parseCancellationReason,
  parseJustification,
  parseProjectDescription,
  parseProjectName,
  parseRejectionReason,
  parseVmName,
  parseVmSize,
  projectNameKey,
  VM_SIZE_CATALOG,
  VM_SIZES,
  vmSizeSpec,
} from '../../src/domain/index.ts';

const refusedOn = (field: string) => ({ ok: false, error: { code: 'VALIDATION', field } });

describe('VmName', () => {
  it.each([
    ['ab', '2 characters'],
    ['a'.repeat(64), '64 characters'],
    ['  ab  ', '2 characters after trimming'],
    ['-web', 'a leading hyphen'],
    ['web-', 'a trailing hyphen'],
    ['web--01', 'a double hyphen'],
    ['Web-01', 'an uppercase letter'],
    ['web_01', 'an underscore'],
    ['web.01', 'a dot'],
    ['web 01', 'a space'],
    ['wéb-01', 'a non-ASCII letter'],
    ['', 'nothing'],
  ])('refuses %j (%s), naming the field', (input) => {
    expect(parseVmName(input)).toMatchObject(refusedOn('vmName'));
  });

  it.each([
    ['abc', 'abc'],
    ['a'.repeat(63), 'a'.repeat(63)],
    ['  web-01  ', 'web-01'],
    ['0-9', '0-9'],
    ['a-b-c-1', 'a-b-c-1'],
  ])('accepts %j as %j', (input, expected) => {
    expect(parseVmName(input)).toEqual({ ok: true, value: expected });
  });

  it('names what is wrong', () => {
    const result = parseVmName('web--01');
    expect(result.ok === false && result.error.message).toContain('--');
  });
});

describe('VmSize', () => {
  it('has the catalog of domain.md', () => {
    expect(VM_SIZES).toEqual(['S', 'M', 'L', 'XL']);
    expect(Object.values(VM_SIZE_CATALOG)).toEqual([
      { size: 'S', vcpus: 2, memoryGb: 4, diskGb: 50, monthlyCostEur: 25 },
      { size: 'M', vcpus: 4, memoryGb: 8, diskGb: 100, monthlyCostEur: 50 },
      { size: 'L', vcpus: 8, memoryGb: 16, diskGb: 200, monthlyCostEur: 100 },
      { size: 'XL', vcpus: 16, memoryGb: 32, diskGb: 500, monthlyCostEur: 200 },
    ]);
    expect(vmSizeSpec('L').vcpus).toBe(8);
  });

  it.each(['S', 'M', 'L', 'XL'])('accepts %s', (size) => expect(parseVmSize(size)).toEqual({ ok: true, value: size }));

  it.each(['XXL', 's', '', 'medium'])('refuses %j on field size', (size) => {
    expect(parseVmSize(size)).toMatchObject(refusedOn('size'));
  });
});

describe('Justification (trimmed, 10..1000)', () => {
  const pad = (text: string) => `   ${text}\n\t `;
  it('refuses 9 characters after trimming', () => {
    expect(parseJustification(pad('x'.repeat(9)))).toMatchObject(refusedOn('justification'));
  });
  it('accepts 10 characters after trimming, and stores them trimmed', () => {
    expect(parseJustification(pad('x'.repeat(10)))).toEqual({ ok: true, value: 'x'.repeat(10) });
  });
  it('accepts 1000 characters after trimming', () => {
    expect(parseJustification(pad('y'.repeat(1000)))).toEqual({ ok: true, value: 'y'.repeat(1000) });
  });
  it('refuses 1001 characters', () => {
    expect(parseJustification('y'.repeat(1001))).toMatchObject(refusedOn('justification'));
  });
  it('counts characters, not UTF-16 units', () => {
    expect(parseJustification('🚀'.repeat(1000)).ok).toBe(true);
    expect(parseJustification('🚀'.repeat(5)).ok).toBe(false);
  });
});

describe('Rejection reason (10..500)', () => {
  it.each([
    [9, false],
    [10, true],
    [500, true],
    [501, false],
  ])('%i characters: accepted = %s', (length, accepted) => {
    const result = parseRejectionReason('r'.repeat(length));
    if (accepted) expect(result).toEqual({ ok: true, value: 'r'.repeat(length) });
    else expect(result).toMatchObject(refusedOn('reason'));
  });
  it('does not let whitespace count towards the minimum', () => {
    expect(parseRejectionReason(`${' '.repeat(10)}too short`)).toMatchObject(refusedOn('reason'));
  });
});

describe('Cancellation reason (optional, <= 500)', () => {
  it.each([undefined, null, '', '   '])('%j means no reason', (input) => {
    expect(parseCancellationReason(input)).toEqual({ ok: true, value: undefined });
  });
  it('accepts 500 characters', () => {
    expect(parseCancellationReason('c'.repeat(500))).toEqual({ ok: true, value: 'c'.repeat(500) });
  });
  it('refuses 501 characters', () => {
    expect(parseCancellationReason('c'.repeat(501))).toMatchObject(refusedOn('reason'));
  });
});

describe('ProjectName (3..100, letters digits space _ -)', () => {
  it.each([
    ['ab', '2 characters'],
    ['p'.repeat(101), '101 characters'],
    ['-web', 'a leading hyphen'],
    ['_web', 'a leading underscore'],
    ['web!', 'a bang'],
    ['web.shop', 'a dot'],
    ['Wébshop', 'a non-ASCII letter'],
    ['web/shop', 'a slash'],
  ])('refuses %j (%s) on field name', (input) => {
    expect(parseProjectName(input)).toMatchObject(refusedOn('name'));
  });

  it.each([
    ['abc', 'abc'],
    ['p'.repeat(100), 'p'.repeat(100)],
    ['Web Shop_2-x', 'Web Shop_2-x'],
    ['  Webshop ', 'Webshop'],
    ['9lives', '9lives'],
  ])('accepts %j as %j', (input, expected) => {
    expect(parseProjectName(input)).toEqual({ ok: true, value: expected });
  });

  it('is unique ignoring case: names differing in case share a key', () => {
    const a = parseProjectName('WebShop');
    const b = parseProjectName('webshop');
    if (!a.ok || !b.ok) throw new Error('valid names refused');
    expect(projectNameKey(a.value)).toBe(projectNameKey(b.value));
  });

  it('treats a blank description as none and limits its length', () => {
    expect(parseProjectDescription('  ')).toEqual({ ok: true, value: undefined });
    expect(parseProjectDescription(' shop ')).toEqual({ ok: true, value: 'shop' });
    expect(parseProjectDescription('d'.repeat(2001))).toMatchObject(refusedOn('description'));
  });
});
