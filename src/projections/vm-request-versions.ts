import { getTableColumns } from 'drizzle-orm';
import type postgres from 'postgres';
import { arrayLiteral } from './column-arrays.ts';
import { columnList, columnNames } from './table-sql.ts';
import type { VmRequestPatch } from './vm-request-patch.ts';
import { vmRequests } from './vm-requests.table.ts';

/**
 * The statements that write a batch's versions to vm_request_versions (see vmRequestsProjection). Each reads the
 * requests' rows through their ids (`= any(ids)`: index lookups of the batch's requests), never by joining the whole
 * table, which grows with the log and would make every replay batch slower than the one before. A version is the
 * row after one event. They go as typed column arrays of only the columns the batch's events changed, built straight
 * from the patches (no object per version); the other columns come from the request's row in SQL. Most versions
 * differ from the row in a few columns, so this sends far less than whole rows, as JSON or as arrays.
 */

/** One request's patches in this batch, in event order. A created request's first is its creation (every column). */
export interface RequestHistory {
  id: string;
  steps: readonly VmRequestPatch[];
}

/** Worked out ahead (no I/O), sent inside the batch's transaction. */
export type VersionWriter = ((tx: postgres.TransactionSql) => postgres.PendingQuery<postgres.Row[]>) | null;

const PREPARED = { prepare: true } as const;
const ALL_COLUMNS = columnList(vmRequests);
const COLUMN_NAMES = columnNames(vmRequests);
const SQL_TYPES = new Map(Object.values(getTableColumns(vmRequests)).map((column) => [column.name, column.getSQLType()]));

type Cell = string | number | null;
const cell = (patch: VmRequestPatch, column: string): Cell => ((patch as Record<string, Cell | undefined>)[column] ?? null);

/** The table's columns (in its order) that the requests' steps from `firstStep` on set, plus `always`. */
const columnsSetBy = (requests: readonly RequestHistory[], firstStep: number, always: readonly string[]): string[] => {
  const set = new Set<string>(always);
  for (const request of requests) for (let i = firstStep; i < request.steps.length; i++) for (const column in request.steps[i]) set.add(column);
  return COLUMN_NAMES.filter((name) => set.has(name));
};

const unnest = (columns: readonly string[], first: number): string =>
  columns.map((column, i) => `$${first + i}::${column === 'set_mask' ? 'text' : SQL_TYPES.get(column)}[]`).join(', ');

/** Versions of requests created in this batch. Runs after the insert of the created rows: it reads them. */
export function createdVersions(requests: readonly RequestHistory[]): VersionWriter {
  if (requests.length === 0) return null;
  // A column no event after the creation set is the same in every version of the request: its row has it.
  const columns = columnsSetBy(requests, 1, ['id']);
  const values = columns.map(() => [] as Cell[]);
  for (const request of requests) {
    columns.forEach((column, c) => {
      let current = cell(request.steps[0]!, column);
      values[c]!.push(current);
      for (let i = 1; i < request.steps.length; i++) {
        if (column in request.steps[i]!) current = cell(request.steps[i]!, column);
        values[c]!.push(current);
      }
    });
  }
  const changed = new Set(columns);
  const select = COLUMN_NAMES.map((name) => `${changed.has(name) ? 'v' : 'r'}."${name}"`).join(', ');
  const text = `insert into vm_request_versions (${ALL_COLUMNS})
    select ${select}
    from unnest(${unnest(columns, 1)}) as v(${columns.map((c) => `"${c}"`).join(', ')})
    join vm_requests r on r.id = v.id
    where r.id = any($${columns.length + 1}::uuid[])`;
  const parameters = [...values.map(arrayLiteral), arrayLiteral(requests.map((request) => request.id))];
  return (tx) => tx.unsafe(text, parameters, PREPARED);
}

/**
 * Versions of requests that existed before this batch: each the row as stored with the patches up to its event
 * applied. Must run before the update of those rows.
 */
export function updatedVersions(requests: readonly RequestHistory[]): VersionWriter {
  if (requests.length === 0) return null;
  // Per version, a mask of the columns set so far ('1'/'0' by position): one set (to null too) takes the patch's
  // value, one not set keeps the stored value.
  const columns = columnsSetBy(requests, 0, []).filter((column) => column !== 'id');
  const ids: Cell[] = [];
  const masks: Cell[] = [];
  const values = columns.map(() => [] as Cell[]);
  for (const request of requests) {
    const current: Cell[] = columns.map(() => null);
    const mask = columns.map(() => '0');
    for (const step of request.steps) {
      columns.forEach((column, c) => {
        if (column in step) {
          current[c] = cell(step, column);
          mask[c] = '1';
        }
        values[c]!.push(current[c]!);
      });
      ids.push(request.id);
      masks.push(mask.join(''));
    }
  }
  const position = new Map(columns.map((column, i) => [column, i + 1]));
  const select = COLUMN_NAMES.map((name) => {
    const at = position.get(name);
    return at === undefined ? `stored."${name}"` : `case when substr(v.set_mask, ${at}, 1) = '1' then v."${name}" else stored."${name}" end`;
  }).join(', ');
  const text = `insert into vm_request_versions (${ALL_COLUMNS})
    select ${select}
    from unnest(${unnest(['id', 'set_mask', ...columns], 1)}) as v(id, set_mask, ${columns.map((c) => `"${c}"`).join(', ')})
    join vm_requests stored on stored.id = v.id
    where stored.id = any($${columns.length + 3}::uuid[])`;
  const parameters = [arrayLiteral(ids), arrayLiteral(masks), ...values.map(arrayLiteral), arrayLiteral(requests.map((request) => request.id))];
  return (tx) => tx.unsafe(text, parameters, PREPARED);
}
