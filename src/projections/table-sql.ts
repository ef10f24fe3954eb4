import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

export const tableName = (table: PgTable): string => getTableName(table);

export const columnNames = (table: PgTable): string[] => Object.values(getTableColumns(table)).map((column) => column.name);

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `"a" = excluded."a", ...` for every column but the key: an upsert that replaces the whole row. */
export function replaceAllExcept(table: PgTable, keys: readonly string[]): string {
  return columnNames(table)
    .filter((name) => !keys.includes(name))
    .map((name) => `${quote(name)} = excluded.${quote(name)}`)
    .join(', ');
}

/** `"a", "b", ...` (or `alias."a", ...`) for every column but `except`, in table order. */
export function columnList(table: PgTable, except: readonly string[] = [], alias?: string): string {
  return columnNames(table)
    .filter((name) => !except.includes(name))
    .map((name) => (alias ? `${alias}.${quote(name)}` : quote(name)))
    .join(', ');
}
