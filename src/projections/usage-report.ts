import type postgres from 'postgres';
import { toDomainEvent } from '../domain/events.ts';
import { isVmSize, VM_SIZES } from '../domain/vm-size.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { entityId, eventTime } from './event-facts.ts';
import { pipelined, type PreparedBatch, type Projection } from './types.ts';
import { usageReportVms } from './usage-report.table.ts';

export const USAGE_REPORT_PROJECTION = 'usage_report';

/** A usage_report_vms row as json_populate_recordset reads it. */
interface VmRow {
  id: string;
  tenant_id: string;
  project_id: string;
  size: string;
  ready_at: string | null;
  ended_at: string | null;
}

/** Endings other than READY: the request never ran, so it never appears in a report. */
const DROPPED = new Set(['VmRequestRejected', 'VmRequestCancelled', 'VmRequestProvisioningFailed']);
/** The VM is gone: its interval ends. */
const ENDED = new Set(['VmDecommissioned', 'VmDeletionObserved']);

/**
 * `usage_report`: each VM's READY interval (see usage-report.table.ts for why intervals). Like project_usage, it
 * remembers a request's project and size from its creation in its own rows, since VmRequestReady carries
 * none of them, and reads neither other projections nor the event store. Every figure of the monthly report is
 * computed from these rows when it is asked for (src/graphql/read/usage-report.ts).
 *
 * A batch costs at most four statements, sent together: insert the requests created in it (already READY, and
 * ended, when it also holds their READY and decommission), mark READY the ones created earlier, end the intervals
 * of VMs decommissioned or found deleted, drop the requests that ended otherwise.
 */
export const usageReportProjection: Projection = {
  name: USAGE_REPORT_PROJECTION,
  tables: [usageReportVms],
  // A read model: rebuilt from the log, so a server crash losing its last commits costs nothing (see Projection).
  asynchronousCommit: true,
  apply: async (tx, events) => prepareUsageReport(events)(tx),
  prepare: prepareUsageReport,
};

const SIZES = JSON.stringify(VM_SIZES);

const NOTHING: PreparedBatch = pipelined([], () => []);

/** Works out a batch's changes (no I/O) and returns what writes them. */
function prepareUsageReport(events: LogEvent[]): PreparedBatch {
  const created = new Map<string, VmRow>();
  const readyBefore: { id: string; at: string }[] = [];
  const endedBefore: { id: string; at: string }[] = [];
  const droppedBefore: string[] = [];
  for (const event of events) {
    if (event.type !== 'VmRequestCreated' && event.type !== 'VmRequestReady' && !DROPPED.has(event.type) && !ENDED.has(event.type)) continue;
    const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
    const id = entityId(event);
    if (domain.type === 'VmRequestCreated') {
      const { projectId, size } = domain.data;
      created.set(id, { id, tenant_id: event.tenantId, project_id: projectId, size, ready_at: null, ended_at: null });
    } else if (domain.type === 'VmRequestReady') {
      const row = created.get(id);
      if (!row) readyBefore.push({ id, at: eventTime(event) });
      else if (!isVmSize(row.size)) throw new Error(`request ${id} has unknown size ${JSON.stringify(row.size)}`);
      else row.ready_at = eventTime(event);
    } else if (ENDED.has(domain.type)) {
      const row = created.get(id);
      if (!row) endedBefore.push({ id, at: eventTime(event) });
      else if (row.ready_at === null) throw new Error(`${domain.type} for request ${id}, which this projection never saw READY`);
      else row.ended_at = eventTime(event);
    } else if (!created.delete(id)) {
      droppedBefore.push(id);
    }
  }
  if (created.size === 0 && readyBefore.length === 0 && endedBefore.length === 0 && droppedBefore.length === 0) return NOTHING;

  const createdJson = created.size > 0 ? JSON.stringify([...created.values()]) : null;
  // Pipelined (see PreparedBatch): every statement is sent at once, the checks are in SQL, no row is published.
  return pipelined([], (tx) => {
    const writes: postgres.PendingQuery<postgres.Row[]>[] = [];
    if (createdJson) {
      writes.push(tx`
        insert into usage_report_vms
        select * from json_populate_recordset(null::usage_report_vms, ${createdJson}::text::json)`);
    }
    if (readyBefore.length > 0) {
      // A READY it cannot price (its creation never seen, or a size the catalogue lacks) fails the statement
      // (dvmm_fail), so the batch rolls back and the projection stalls at it, as project_usage does.
      writes.push(tx`
        with ready as (
          select * from json_to_recordset(${JSON.stringify(readyBefore)}::text::json) as r(id uuid, at timestamptz)
        ),
        marked as (
          update usage_report_vms v set ready_at = ready.at from ready
          where v.id = ready.id and v.ready_at is null
          returning v.id, v.size
        )
        select dvmm_fail(case
          when marked.id is null then format('VmRequestReady for request %s, whose VmRequestCreated this projection never saw', ready.id)
          else format('request %s has unknown size %s', ready.id, to_json(marked.size))
        end)
        from ready left join marked on marked.id = ready.id
        where marked.id is null or marked.size not in (select json_array_elements_text(${SIZES}::text::json))
        limit 1`);
    }
    if (endedBefore.length > 0) {
      // After the READY marks above (statements run in the order sent), so a VM READY before this batch and ended in
      // it is found READY. An end it cannot place (no READY interval) fails the batch like an unknown READY.
      writes.push(tx`
        with ended as (
          select * from json_to_recordset(${JSON.stringify(endedBefore)}::text::json) as r(id uuid, at timestamptz)
        ),
        marked as (
          update usage_report_vms v set ended_at = ended.at from ended
          where v.id = ended.id and v.ready_at is not null and v.ended_at is null
          returning v.id
        )
        select dvmm_fail(format('The decommission of request %s, which this projection never saw READY', ended.id))
        from ended left join marked on marked.id = ended.id
        where marked.id is null
        limit 1`);
    }
    if (droppedBefore.length > 0) {
      writes.push(tx`delete from usage_report_vms where id = any(${droppedBefore}::uuid[])`);
    }
    return writes;
  });
}
