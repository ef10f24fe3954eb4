import { getTableColumns } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { vmRequests, vmRequestVersions } from '../../src/projections/vm-requests.table.ts';

// VmRequestRecord (src/projections/vm-request-patch.ts) is typed from the row type by writing its keys in snake case:
// that holds only while every column is named after its key that way.
test("every vm_requests column is named after its key in snake case, and the versions table has the same columns", () => {
  const snake = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const columns = Object.entries(getTableColumns(vmRequests)).map(([key, column]) => [snake(key), column.name]);
  for (const [expected, name] of columns) expect(name).toBe(expected);
  const versions = Object.values(getTableColumns(vmRequestVersions)).map((column) => [column.name, column.getSQLType(), column.notNull]);
  expect(versions).toEqual(Object.values(getTableColumns(vmRequests)).map((column) => [column.name, column.getSQLType(), column.notNull]));
});
