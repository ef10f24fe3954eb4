import type postgres from 'postgres';
import { isEventType, isVmRequestEvent, toDomainEvent } from '../domain/events.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { columnArrays } from './column-arrays.ts';
import { checkpointOf } from './cursor.ts';
import { entityId, eventTime } from './event-facts.ts';
import { columnList } from './table-sql.ts';
import { timelineEntry, type TimelineRecord } from './timeline-entry.ts';
import { pipelined, type ChangedRow, type PreparedBatch, type Projection } from './types.ts';
import { vmRequestPatch, type VmRequestPatch } from './vm-request-patch.ts';
import { createdVersions, type RequestHistory, updatedVersions } from './vm-request-versions.ts';
import { vmRequestProjectNames, vmRequests, vmRequestTimeline, vmRequestVersionHorizon, vmRequestVersions } from './vm-requests.table.ts';

export const VM_REQUESTS_PROJECTION = 'vm_requests';

const UPDATABLE = columnList(vmRequests, ['id']);
const ALL_COLUMNS = columnList(vmRequests);
/** Every column of `r`, the project name completed from the lookup `pn`. */
const ALL_COLUMNS_NAMED = columnList(vmRequests, [], 'r').replace('r."project_name"', 'coalesce(r."project_name", pn."name")');
const UPDATABLE_FROM_MERGED = columnList(vmRequests, ['id'], 'merged');
/**
 * Named prepared statements, as tagged ones are: postgres.js sends an unprepared statement with parameters as a
 * Describe first and holds back everything behind it until the answer, which would cost the pipelined batch a
 * round trip. These texts never change, so each connection prepares them once.
 */
const PREPARED = { prepare: true } as const;
/** From this many events a batch is a catch-up batch, written with column arrays (see prepareVmRequests). */
const BULK_EVENTS = 500;

/**
 * `vm_requests` (one row per request), `vm_request_timeline` (one row per event) and the projection's own project
 * name lookup (vm_request_project_names, from ProjectCreated: it never reads the `projects` table, whose projection
 * may be behind, stalled or rebuilding).
 *
 * Every version goes to `vm_request_versions` too: the row after each event, with that event's cursor, in the same
 * transaction as the row itself (the live feed reads changes from there).
 *
 * A batch costs at most six statements whatever its size, sent together so they pipeline: the project names it
 * creates, one insert of the requests it creates, one insert of their versions (folded here from the creation), one
 * insert of the other requests' versions (each cumulative patch applied to the stored row, so this statement goes
 * before the update), one update applying each other request's merged patches to its stored row (see
 * vm-request-patch.ts; no read round trip) and one insert of the timeline. Working them out needs nothing from the
 * database, so it is a `prepare` step the runtime overlaps with the previous batch's transaction.
 */
export const vmRequestsProjection: Projection = {
  name: VM_REQUESTS_PROJECTION,
  tables: [vmRequests, vmRequestVersions, vmRequestVersionHorizon, vmRequestTimeline, vmRequestProjectNames],
  // A read model: rebuilt from the log, so a server crash losing its last commits costs nothing (see Projection).
  asynchronousCommit: true,
  apply: async (tx, events) => prepareVmRequests(events)(tx),
  prepare: prepareVmRequests,
};

/** Works out a batch's rows (no I/O) and returns what writes them: at most four statements, pipelined. */
function prepareVmRequests(events: LogEvent[]): PreparedBatch {
  const names = new Map<string, string>();
  const newNames: { project_id: string; tenant_id: string; name: string }[] = [];
  const patches = new Map<string, VmRequestPatch>();
  /** Each request's patches in event order, unmerged: one version each. */
  const history = new Map<string, VmRequestPatch[]>();
  const timeline: TimelineRecord[] = [];
  /** Each request's last event in the batch: its change cursor. */
  const lastEvents = new Map<string, LogEvent>();
  for (const event of events) {
    if (!isEventType(event.type)) continue;
    const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
    if (domain.type === 'ProjectCreated') {
      const projectId = entityId(event);
      names.set(projectId, domain.data.name);
      newNames.push({ project_id: projectId, tenant_id: event.tenantId, name: domain.data.name });
    } else if (isVmRequestEvent(domain)) {
      const id = entityId(event);
      const at = eventTime(event);
      const patch = vmRequestPatch(event, domain, id, at);
      const merged = patches.get(id);
      if (merged) Object.assign(merged, patch);
      else patches.set(id, { ...patch });
      const versions = history.get(id);
      if (versions) versions.push(patch);
      else history.set(id, [patch]);
      timeline.push(timelineEntry(event, domain, id, at));
      lastEvents.set(id, event);
    }
  }

  // New requests (created in this batch) are inserted whole; a new request without its project's name in the
  // batch takes it from the lookup. Existing ones get their merged patches applied to the stored row.
  const created: VmRequestPatch[] = [];
  const updated: { id: string; patch: VmRequestPatch }[] = [];
  const createdHistories: RequestHistory[] = [];
  const updatedHistories: RequestHistory[] = [];
  for (const [id, patch] of patches) {
    const steps = history.get(id)!;
    if (patch.id === undefined) {
      updated.push({ id, patch });
      updatedHistories.push({ id, steps });
    } else {
      patch.project_name = names.get(patch.project_id!.toLowerCase()) ?? null;
      created.push(patch);
      createdHistories.push({ id, steps });
    }
  }
  const namesJson = newNames.length > 0 ? JSON.stringify(newNames) : null;
  // Created requests and timeline rows: in a large (catch-up) batch as one typed array per column
  // (column-arrays.ts), which Postgres unpacks faster than JSON; a small live batch goes as JSON, which costs less
  // to send and parse than 32 typed arrays of a few elements (bench/projector.ts measures both legs).
  const bulk = events.length >= BULK_EVENTS;
  const createdRows = bulk && created.length > 0 ? columnArrays(vmRequests, created as Record<string, unknown>[], { alias: 'r' }) : null;
  const createdJson = !bulk && created.length > 0 ? JSON.stringify(created) : null;
  // Created versions after the created rows (they read them), updated ones before the update (they read the rows as stored).
  const versionWriters = [
    createdVersions(createdHistories),
    updatedVersions(updatedHistories),
  ];
  const updatedJson = updated.length > 0 ? JSON.stringify(updated) : null;
  const updatedIds = updated.map((u) => u.id);
  const timelineRows = bulk && timeline.length > 0 ? columnArrays(vmRequestTimeline, timeline as unknown as Record<string, unknown>[], { alias: 't' }) : null;
  const timelineJson = !bulk && timeline.length > 0 ? JSON.stringify(timeline) : null;
  const changed: ChangedRow[] = [];
  for (const [id, event] of lastEvents) changed.push({ id, tenantId: event.tenantId, cursor: checkpointOf(event) });

  // Pipelined (see PreparedBatch): every statement is sent at once and the one check is in SQL.
  return pipelined(changed, (tx) => {
    const statements: postgres.PendingQuery<postgres.Row[]>[] = [];
    if (namesJson) {
      statements.push(tx`
        insert into vm_request_project_names
        select * from json_populate_recordset(null::vm_request_project_names, ${namesJson}::text::json)
        on conflict (project_id) do update set name = excluded.name`);
    }
    if (createdRows) {
      statements.push(
        tx.unsafe(
          `insert into vm_requests (${ALL_COLUMNS})
           select ${ALL_COLUMNS_NAMED}
           from ${createdRows.from}
           left join vm_request_project_names pn on r.project_name is null and pn.project_id = r.project_id`,
          createdRows.parameters,
          PREPARED,
        ),
      );
    }
    if (createdJson) {
      statements.push(tx`
        insert into vm_requests (${tx.unsafe(ALL_COLUMNS)})
        select ${tx.unsafe(ALL_COLUMNS_NAMED)}
        from json_populate_recordset(null::vm_requests, ${createdJson}::text::json) as r
        left join vm_request_project_names pn on r.project_name is null and pn.project_id = r.project_id`);
    }
    for (const write of versionWriters) if (write) statements.push(write(tx));
    // No read round trip, no conflict handling. A patch for a request that was never created matches no row; the
    // count check (in SQL, so it fails the transaction before its COMMIT) turns that into an error. `= any(ids)`
    // makes the plan an index lookup whatever the statistics say (a hash join would scan the table).
    if (updatedJson) {
      statements.push(tx`
        with updated as (
          update vm_requests stored
          set (${tx.unsafe(UPDATABLE)}) = (select ${tx.unsafe(UPDATABLE_FROM_MERGED)} from json_populate_record(stored, p.patch) as merged)
          from json_to_recordset(${updatedJson}::text::json) as p(id uuid, patch json)
          where stored.id = any(${updatedIds}::uuid[]) and stored.id = p.id
          returning 1
        )
        select dvmm_fail(format('%s VM request(s) changed by this batch were never created', ${updatedIds.length}::int - count(*)))
        from updated having count(*) <> ${updatedIds.length}::int`);
    }
    if (timelineRows) {
      statements.push(
        tx.unsafe(`insert into vm_request_timeline (${timelineRows.columns.join(', ')}) select * from ${timelineRows.from}`, timelineRows.parameters, PREPARED),
      );
    }
    if (timelineJson) {
      statements.push(tx`
        insert into vm_request_timeline
        select * from json_populate_recordset(null::vm_request_timeline, ${timelineJson}::text::json)`);
    }
    // Independent statements on one connection: sent together, they pipeline (one round trip, not four).
    return statements;
  });
}
