import { describe, expect, it } from 'vitest';
import { daysInMonth, parseReportMonth, proratedCents } from '../../src/domain/usage-month.ts';

const NOW = new Date('2026-12-07T16:00:00Z');

describe('report month', () => {
  it.each([
    ['2026-11', { firstDay: '2026-11-01', lastCountedDay: '2026-11-30', daysInMonth: 30, daysCounted: 30, complete: true }],
    ['2024-02', { firstDay: '2024-02-01', lastCountedDay: '2024-02-29', daysInMonth: 29, daysCounted: 29, complete: true }],
    ['2025-02', { firstDay: '2025-02-01', lastCountedDay: '2025-02-28', daysInMonth: 28, daysCounted: 28, complete: true }],
    ['2000-02', { firstDay: '2000-02-01', lastCountedDay: '2000-02-29', daysInMonth: 29, daysCounted: 29, complete: true }],
    ['1970-01', { firstDay: '1970-01-01', lastCountedDay: '1970-01-31', daysInMonth: 31, daysCounted: 31, complete: true }],
    // The current month counts up to today (UTC), today included.
    ['2026-12', { firstDay: '2026-12-01', lastCountedDay: '2026-12-07', daysInMonth: 31, daysCounted: 7, complete: false }],
  ])('%s', (month, expected) => {
    expect(parseReportMonth(month, NOW)).toEqual({ ok: true, value: { month, ...expected } });
  });

  it('knows the Gregorian leap years', () => {
    expect([1900, 2000, 2024, 2025, 2100].map((year) => daysInMonth(year, 2))).toEqual([28, 29, 29, 28, 28]);
  });

  it('counts the days of a UTC month: just before midnight UTC on the 1st it is still the month before', () => {
    expect(parseReportMonth('2027-01', new Date('2026-12-31T23:59:59.999Z'))).toMatchObject({ ok: false });
    expect(parseReportMonth('2026-12', new Date('2026-12-31T23:59:59.999Z'))).toMatchObject({ ok: true, value: { daysCounted: 31, complete: false } });
    expect(parseReportMonth('2027-01', new Date('2027-01-01T00:00:00.000Z'))).toMatchObject({ ok: true, value: { daysCounted: 1 } });
  });

  it.each(['2026-13', '2026-00', '2026-1', '26-11', '2026/11', '2026-11-01', ' 2026-11', '1969-12', '', 'November'])('refuses %j, naming YYYY-MM', (month) => {
    expect(parseReportMonth(month, NOW)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'VALIDATION', field: 'month', message: 'Month must be a calendar month as YYYY-MM, e.g. 2026-11' }),
    });
  });

  it('refuses a month after the current one', () => {
    expect(parseReportMonth('2027-01', NOW)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'VALIDATION', field: 'month', message: 'Month 2027-01 is in the future (the current month is 2026-12)' }),
    });
  });
});

describe('prorated cost', () => {
  it('charges a VM READY on the 20th of a 30-day month 11/30 of its price', () => {
    // 50 EUR x 11 / 30 = 18.333... EUR
    expect(proratedCents(50, 11, 30)).toBe(1833);
  });

  it('charges a whole month in full, and rounds half a cent up', () => {
    expect(proratedCents(200, 31, 31)).toBe(20_000);
    // 25 EUR x 3 / 8 (not a real month, a real tie): 937.5 cents
    expect(proratedCents(25, 3, 8)).toBe(938);
    // 25 x 27 / 31 = 21.774... EUR
    expect(proratedCents(25, 27, 31)).toBe(2177);
    expect(proratedCents(100, 0, 30)).toBe(0);
  });
});
