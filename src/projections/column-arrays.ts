import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

type Cell = string | number | boolean | bigint | null | undefined;

const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

/**
 * A Postgres array literal of `values`, every text element quoted (so any text goes through unchanged), numbers
 * bare, undefined and null as NULL. Sent as an untyped parameter cast to the column's array type, Postgres parses it
 * straight into that type: no JSON to parse and no keys to look up per row.
 */
export function arrayLiteral(values: readonly Cell[]): string {
  // Most columns of a batch are all text that needs no escaping (ids, times, types), all numbers or all NULL: those
  // are joined in one go, without a quoted copy of every element for the collector to sweep.
  const kind = uniformKind(values);
  if (kind === 'text') return values.length === 0 ? '{}' : `{"${values.join('","')}"}`;
  if (kind === 'number') return `{${values.join(',')}}`;
  if (kind === 'null') return `{${values.length === 0 ? '' : `NULL${',NULL'.repeat(values.length - 1)}`}}`;
  // Joined, not concatenated: one flat string, which postgres.js measures and copies into its message once (appending
  // to one string builds a rope of a node per append, which the collector then has to trace and copy).
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = 'NULL';
    // A number needs no quotes (digits, sign, point, exponent): none of it means anything to the array parser.
    else if (typeof value === 'number') parts[i] = String(value);
    else {
      const text = typeof value === 'string' ? value : String(value);
      parts[i] = NEEDS_ESCAPE.test(text) ? `"${text.replace(ESCAPE, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

/** What every element of `values` is: text needing no escape, a number, NULL (null or undefined), or a mix. */
function uniformKind(values: readonly Cell[]): 'text' | 'number' | 'null' | 'mixed' {
  const first = values[0];
  const kind = first === null || first === undefined ? 'null' : typeof first === 'string' ? 'text' : typeof first === 'number' ? 'number' : 'mixed';
  if (kind === 'mixed') return kind;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (kind === 'text' ? typeof value !== 'string' || NEEDS_ESCAPE.test(value) : kind === 'number' ? typeof value !== 'number' : value !== null && value !== undefined) {
      return 'mixed';
    }
  }
  return kind;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Rows keyed by column name as a set of rows in SQL: `unnest($1::uuid[], $2::text[], ...) as <alias>("id", ...)`,
 * one array parameter per column (in the table's column order, `columns` if given), numbered from `firstParameter`.
 *
 * Why not json_populate_recordset: it parses the JSON and looks every column up by key, row by row. For a replay
 * batch (20,000 timeline rows, a few thousand 32-column request rows) that was most of the Postgres time of the
 * inserts; typed arrays parse several times faster.
 */
export function columnArrays(
  table: PgTable,
  rows: readonly Record<string, unknown>[],
  options: { alias: string; firstParameter?: number; columns?: readonly string[] },
): { from: string; parameters: string[]; columns: string[] } {
  const all = Object.values(getTableColumns(table)).map((column) => ({ name: column.name, type: column.getSQLType() }));
  const selected = options.columns ? options.columns.map((name) => all.find((c) => c.name === name)!) : all;
  const first = options.firstParameter ?? 1;
  const parameters = selected.map(({ name }) => arrayLiteral(rows.map((row) => row[name] as Cell)));
  const arrays = selected.map(({ type }, i) => `$${first + i}::${type}[]`).join(', ');
  const names = selected.map(({ name }) => quote(name));
  return { from: `unnest(${arrays}) as ${options.alias}(${names.join(', ')})`, parameters, columns: names };
}
