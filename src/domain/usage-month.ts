import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';

/**
 * A calendar month (UTC) of the usage report, and which of its days count: all of them once the month is over,
 * up to and including today while it runs. Days are UTC dates as `YYYY-MM-DD`.
 */
export interface ReportMonth {
  /** `YYYY-MM` */
  month: string;
  firstDay: string;
  /** The last day that counts: the month's last day, or today in the current month. */
  lastCountedDay: string;
  daysInMonth: number;
  /** How many of the month's days count so far (daysInMonth once the month is over). */
  daysCounted: number;
  /** The month is over: its figures no longer change. */
  complete: boolean;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * The report month `input` names, as of `now` (the caller's clock: the domain has none). Refused: anything but
 * `YYYY-MM` (month 01 to 12, year 1970 on) and a month after the current one, which has no usage yet.
 */
export function parseReportMonth(input: string, now: Date, field = 'month'): DomainResult<ReportMonth> {
  const match = MONTH.exec(input);
  const year = Number(match?.[1]);
  if (!match || year < 1970) return fail(validationError(field, 'Month must be a calendar month as YYYY-MM, e.g. 2026-11'));
  const month = Number(match[2]);
  const today = now.toISOString().slice(0, 10);
  const current = today.slice(0, 7);
  if (input > current) return fail(validationError(field, `Month ${input} is in the future (the current month is ${current})`));
  const days = daysInMonth(year, month);
  const complete = input < current;
  const daysCounted = complete ? days : Number(today.slice(8, 10));
  return ok({
    month: input,
    firstDay: `${input}-01`,
    lastCountedDay: `${input}-${pad(daysCounted)}`,
    daysInMonth: days,
    daysCounted,
    complete,
  });
}

/**
 * What `vmDays` days of a VM of monthly price `monthlyCostEur` cost in a month of `monthDays` days, in cents:
 * price x days / monthDays, rounded to the nearest cent (half up), in whole numbers so nothing is lost to floating
 * point. A VM READY on the 20th of a 30-day month runs 11 days of it (the 20th counts) and costs 11/30 of its price.
 */
export const proratedCents = (monthlyCostEur: number, vmDays: number, monthDays: number): number =>
  Math.floor((monthlyCostEur * vmDays * 200 + monthDays) / (2 * monthDays));
