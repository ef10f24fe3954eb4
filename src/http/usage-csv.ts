import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'csv-stringify/sync';
import { isConnectionError } from '../db/connection-errors.ts';
import type { DrizzleDb } from '../db/client.ts';
import { globalId } from '../graphql/ids.ts';
import { type UsageFigures, usageReportFor, type UsageReportView, type UsageSizeFigures } from '../graphql/read/usage-report.ts';
import type { Authenticator } from './auth.ts';
import { RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE_MESSAGE } from './errors.ts';
import { json } from './ops-routes.ts';

export const USAGE_CSV_PATH = '/reports/usage.csv';

const HEADER = ['month', 'project_id', 'project_name', 'size', 'vm_days', 'monthly_price_eur', 'cost_eur', 'peak_vms'];
const TOTAL = 'Total (all projects)';

/** Cents as a decimal EUR amount with two places ("1234.50"): exact, and what a spreadsheet reads as a number. */
const eur = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * A name a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return: OWASP's "CSV
 * injection") gets a leading apostrophe, so the auditor's spreadsheet shows it as text. Today's naming rules forbid
 * such names, but projects created before them may have one.
 */
const asText = (name: string): string => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);

const sizeRow = (month: string, id: string, name: string, s: UsageSizeFigures): string[] => [
  month,
  id,
  asText(name),
  s.size,
  String(s.vmDays),
  String(s.monthlyCostEur),
  eur(s.costCents),
  String(s.peakVms),
];

const sumRow = (month: string, figures: UsageFigures): string[] => [
  month,
  '',
  TOTAL,
  '',
  String(figures.vmDays),
  '',
  eur(figures.costCents),
  String(figures.peakVms),
];

/**
 * The report as an auditor's spreadsheet opens it: a header row; a row per project and size; a total row per size
 * and one for everything (project_name "Total (all projects)", no project id). RFC 4180: CRLF line ends, and a field
 * with a comma, a double quote or a line break in double quotes, its quotes doubled (csv-stringify quotes the first
 * two itself; `quoted_match` adds the line breaks, which it would otherwise leave bare). UTF-8 with a byte order
 * mark, without which Excel reads a name like "Ünïcode" as Windows-1252.
 */
export function usageCsv(report: UsageReportView): string {
  const rows: string[][] = [HEADER];
  for (const project of report.projects) {
    for (const size of project.sizes) rows.push(sizeRow(report.month, globalId('Project', project.projectId), project.projectName ?? '', size));
  }
  for (const size of report.totals.sizes) rows.push(sizeRow(report.month, '', TOTAL, size));
  rows.push(sumRow(report.month, report.totals));
  return stringify(rows, { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/**
 * GET /reports/usage.csv?month=YYYY-MM: the figures of Query.usageReport (the same function reads them) as a CSV
 * download, with the same bearer token and rules. Refusals are JSON, as on the API's other plain routes: 401 without
 * a valid token, 400 for a missing or bad month (nothing read), 403 for a caller who is neither tenant admin nor
 * project admin, 503 while the database cannot be reached.
 */
export async function serveUsageCsv(req: IncomingMessage, res: ServerResponse, authenticator: Authenticator, db: DrizzleDb): Promise<void> {
  const auth = await authenticator.authenticate(req.headers.authorization);
  if (!auth.ok) {
    res.setHeader('www-authenticate', 'Bearer');
    return json(res, 401, { error: auth.message, code: 'UNAUTHENTICATED' });
  }
  const month = new URL(req.url ?? '/', 'http://localhost').searchParams.get('month');
  if (month === null) return json(res, 400, { error: 'Give the month: ?month=YYYY-MM', code: 'BAD_USER_INPUT', field: 'month' });
  let outcome;
  try {
    outcome = await usageReportFor(db, auth.principal, month, new Date());
  } catch (error) {
    if (!isConnectionError(error)) throw error;
    res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
    return json(res, 503, { error: SERVICE_UNAVAILABLE_MESSAGE, code: 'SERVICE_UNAVAILABLE' });
  }
  if (!outcome.ok) {
    const status = outcome.code === 'FORBIDDEN' ? 403 : 400;
    return json(res, status, { error: outcome.message, code: outcome.code, ...('field' in outcome ? { field: outcome.field } : {}) });
  }
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8; header=present',
    'content-disposition': `attachment; filename="dvmm-usage-${outcome.report.month}.csv"`,
    'cache-control': 'no-store',
  });
  res.end(usageCsv(outcome.report));
}
