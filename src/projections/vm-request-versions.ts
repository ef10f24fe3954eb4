import { getTableColumns } from 'drizzle-orm';
import type postgres from 'postgres';
import { arrayLiteral, columnArrays } from './column-arrays.ts';
import { columnList, columnNames } from './table-sql.ts';
import type { VmRequestPatch } from './vm-request-patch.ts';
import { vmRequests } from './vm-requests.table.ts';

/**
 * The statements that write a batch's versions to vm_request_versions (see vmRequestsProjection). A version is the
 * row after one event. In a large (catch-up) batch they go as typed column arrays, carrying only the columns the
 * batch's events changed; the rest come from the request's row in SQL. A small live batch sends JSON.
 */

const PREPARED = { prepare: true } as const;
const ALL_COLUMNS = columnList(vmRequests);
const COLUMN_NAMES = columnNames(vmRequests);
const SQL_TYPES = new Map(Object.values(getTableColumns(vmRequests)).map((column) => [column.name, column.getSQLType()]));
const ALL_COLUMNS_NAMED = columnList(vmRequests, [], 'r').replace('r."project_name"', 'coalesce(r."project_name", pn."name")');
const ALL_FROM_MERGED = columnList(vmRequests, [], 'merged');

type Statement = postgres.PendingQuery<postgres.Row[]>;
/** Worked out ahead (no I/O), sent inside the batch's transaction. */
export type VersionWriter = ((tx: postgres.TransactionSql) => Statement) | null;

/**
 * Versions of requests created in this batch, whole rows in event order. `changedAfterCreation`: the columns set by
 * their events after the creation ('id' included). Runs after the insert of the created rows.
 */
export function createdVersions(
  versions: readonly VmRequestPatch[],
  changedAfterCreation: ReadonlySet<string>,
  bulk: boolean,
): VersionWriter {
  if (versions.length === 0) return null;
  if (!bulk) {
    const json = JSON.stringify(versions);
    return (tx) => tx`
      insert into vm_request_versions (${tx.unsafe(ALL_COLUMNS)})
      select ${tx.unsafe(ALL_COLUMNS_NAMED)}
      from json_populate_recordset(null::vm_requests, ${json}::text::json) as r
      left join vm_request_project_names pn on r.project_name is null and pn.project_id = r.project_id`;
  }
  // The other columns are the same in every version of a created request: its row has them.
  const columns = COLUMN_NAMES.filter((name) => changedAfterCreation.has(name));
  const rows = columnArrays(vmRequests, versions as Record<string, unknown>[], { alias: 'v', columns });
  const select = COLUMN_NAMES.map((name) => `${changedAfterCreation.has(name) ? 'v' : 'r'}."${name}"`).join(', ');
  const text = `insert into vm_request_versions (${ALL_COLUMNS}) select ${select} from ${rows.from} join vm_requests r on r.id = v.id`;
  return (tx) => tx.unsafe(text, rows.parameters, PREPARED);
}

/**
 * Versions of requests that existed before this batch: each the stored row with the patches up to its event applied
 * (`patch` is cumulative). Must run before the update of those rows.
 */
export function updatedVersions(versions: readonly { id: string; patch: VmRequestPatch }[], bulk: boolean): VersionWriter {
  if (versions.length === 0) return null;
  if (!bulk) {
    const json = JSON.stringify(versions);
    return (tx) => tx`
      insert into vm_request_versions (${tx.unsafe(ALL_COLUMNS)})
      select ${tx.unsafe(ALL_FROM_MERGED)}
      from json_to_recordset(${json}::text::json) as p(id uuid, patch json)
      join vm_requests stored on stored.id = p.id,
      lateral json_populate_record(stored, p.patch) as merged`;
  }
  // Column arrays of the columns any patch sets, and per version a mask of those its patch sets ('1'/'0' by
  // position): a column a version's patch does not set keeps the stored value, one it sets (to null too) takes it.
  const set = new Set<string>();
  for (const { patch } of versions) for (const column of Object.keys(patch)) set.add(column);
  const columns = COLUMN_NAMES.filter((name) => name !== 'id' && set.has(name));
  const parameters = [arrayLiteral(versions.map((v) => v.id)), arrayLiteral(versions.map((v) => columns.map((c) => (c in v.patch ? '1' : '0')).join('')))];
  for (const column of columns) parameters.push(arrayLiteral(versions.map((v) => (v.patch as Record<string, string | number | null>)[column] ?? null)));
  const arrays = ['$1::uuid[]', '$2::text[]', ...columns.map((column, i) => `$${i + 3}::${SQL_TYPES.get(column)}[]`)].join(', ');
  const position = new Map(columns.map((column, i) => [column, i + 1]));
  const select = COLUMN_NAMES.map((name) => {
    const at = position.get(name);
    return at === undefined ? `stored."${name}"` : `case when substr(v.set_mask, ${at}, 1) = '1' then v."${name}" else stored."${name}" end`;
  }).join(', ');
  const text = `insert into vm_request_versions (${ALL_COLUMNS})
     select ${select}
     from unnest(${arrays}) as v(id, set_mask, ${columns.map((c) => `"${c}"`).join(', ')})
     join vm_requests stored on stored.id = v.id`;
  return (tx) => tx.unsafe(text, parameters, PREPARED);
}
