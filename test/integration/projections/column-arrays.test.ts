import { expect } from 'vitest';
import type { Sql } from '../../../src/db/client.ts';
import { arrayLiteral } from '../../../src/projections/column-arrays.ts';
import { dbTest as test } from '../../support/db-test.ts';

// Postgres parses what arrayLiteral writes: every element must come back as it went in, whichever way the literal
// was built (all text, all numbers, all NULL, or a mix written element by element). The arrays come back as JSON:
// postgres.js reads an unquoted NULL in an array result as the text 'NULL'.
const parsed = async (sql: Sql, literal: string, type: 'text' | 'int'): Promise<unknown[]> => {
  const [row] = await sql<{ back: string }[]>`select array_to_json(${literal}::text[]::${sql.unsafe(type)}[])::text as back`;
  return JSON.parse(row!.back) as unknown[];
};

test('array literals parse back to the values, for uniform and mixed columns', async ({ sql }) => {
  const awkward = ['', ' ', 'NULL', 'null', '{}', ',', '"', '\\', 'a"b\\c', ' spaced "out" ', 'ünïcode ✓\nline'];
  const texts: (string | null)[][] = [[], ['a'], ['plain', 'text', '2025-01-01T00:00:00.000Z'], awkward, [null, null, null], [null], ['x', null, 'NULL', null]];
  for (const values of texts) {
    expect(await parsed(sql, arrayLiteral(values), 'text')).toEqual(values);
  }
  const numbers: (number | null)[][] = [[1, -2, 30], [7], [1, null, 3], [null, null]];
  for (const values of numbers) {
    expect(await parsed(sql, arrayLiteral(values), 'int')).toEqual(values);
  }
  expect(await parsed(sql, arrayLiteral([1, 'two', null, '3']), 'text')).toEqual(['1', 'two', null, '3']);
});
