import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { UsageReportView } from '../../src/graphql/read/usage-report.ts';
import { globalId } from '../../src/graphql/ids.ts';
import { usageCsv } from '../../src/http/usage-csv.ts';

const P1 = '0b0e4d1c-5a8e-4e8e-9d2f-2f7f6d1b9a01';
const P2 = '1c1f5e2d-6b9f-4f9f-8e3a-3a8a7e2cab02';
const S = { size: 'S' as const, monthlyCostEur: 25, vmDays: 30, costCents: 2500, peakVms: 1 };
const M = { size: 'M' as const, monthlyCostEur: 50, vmDays: 11, costCents: 1833, peakVms: 1 };

const report = (names: [string, string]): UsageReportView => ({
  month: '2026-11',
  firstDay: '2026-11-01',
  lastCountedDay: '2026-11-30',
  daysInMonth: 30,
  daysCounted: 30,
  complete: true,
  projects: [
    { projectId: P1, projectName: names[0], sizes: [M], vmDays: 11, costCents: 1833, peakVms: 1 },
    { projectId: P2, projectName: names[1], sizes: [S], vmDays: 30, costCents: 2500, peakVms: 1 },
  ],
  totals: { sizes: [S, M], vmDays: 41, costCents: 4333, peakVms: 2 },
});

describe('usage CSV', () => {
  it('writes RFC 4180 with a BOM: CRLF, and quotes around commas, doubled quotes and line breaks', () => {
    const text = usageCsv(report(['Legacy, "quoted"', 'Two\nlines']));
    expect(text.startsWith('\uFEFFmonth,project_id,project_name,size,vm_days,monthly_price_eur,cost_eur,peak_vms\r\n')).toBe(true);
    expect(text).toContain(`2026-11,${globalId('Project', P1)},"Legacy, ""quoted""",M,11,50,18.33,1\r\n`);
    expect(text).toContain(`,"Two\nlines",S,30,25,25.00,1\r\n`);
    expect(text.endsWith('2026-11,,Total (all projects),,41,,43.33,2\r\n')).toBe(true);
    // Read back by an independent parser: the same cells, the header, per-size totals, then the grand total.
    expect(parse(text, { bom: true })).toEqual([
      ['month', 'project_id', 'project_name', 'size', 'vm_days', 'monthly_price_eur', 'cost_eur', 'peak_vms'],
      ['2026-11', globalId('Project', P1), 'Legacy, "quoted"', 'M', '11', '50', '18.33', '1'],
      ['2026-11', globalId('Project', P2), 'Two\nlines', 'S', '30', '25', '25.00', '1'],
      ['2026-11', '', 'Total (all projects)', 'S', '30', '25', '25.00', '1'],
      ['2026-11', '', 'Total (all projects)', 'M', '11', '50', '18.33', '1'],
      ['2026-11', '', 'Total (all projects)', '', '41', '', '43.33', '2'],
    ]);
  });

  it('keeps a name a spreadsheet would run as a formula as text', () => {
    const rows = parse(usageCsv(report(['=HYPERLINK("http://x")', '@SUM(A1)'])), { bom: true }) as string[][];
    expect(rows.slice(1, 3).map((row) => row[2])).toEqual([`'=HYPERLINK("http://x")`, `'@SUM(A1)`]);
  });

  it('writes only the header and the grand total for a month without usage', () => {
    const empty = { ...report(['a', 'b']), projects: [], totals: { sizes: [], vmDays: 0, costCents: 0, peakVms: 0 } };
    expect(usageCsv(empty)).toBe(
      '\uFEFFmonth,project_id,project_name,size,vm_days,monthly_price_eur,cost_eur,peak_vms\r\n2026-11,,Total (all projects),,0,,0.00,0\r\n',
    );
  });
});
