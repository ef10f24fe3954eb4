import type postgres from 'postgres';
import { toDomainEvent } from '../domain/events.ts';
import { VM_SIZE_CATALOG } from '../domain/vm-size.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { entityId, eventTime } from './event-facts.ts';
import { projectUsage, projectUsageOpenRequests } from './project-usage.table.ts';
import { pipelined, type PreparedBatch, type Projection } from './types.ts';

export const PROJECT_USAGE_PROJECTION = 'project_usage';

interface OpenRequest {
  id: string;
  tenant_id: string;
  project_id: string;
  size: string;
  /** Set once READY: the month whose row counts the VM. */
  ready_month: string | null;
}

/** The size catalogue as rows, for pricing READY requests in SQL. */
const SIZES = JSON.stringify(
  Object.values(VM_SIZE_CATALOG).map((spec) => ({
    size: spec.size,
    vcpus: spec.vcpus,
    memory_gb: spec.memoryGb,
    disk_gb: spec.diskGb,
    monthly_cost_eur: spec.monthlyCostEur,
  })),
);

/** Endings otherwise than READY: the request never ran and holds nothing any more. */
const DROPPED = new Set(['VmRequestProvisioningFailed', 'VmRequestRejected', 'VmRequestCancelled']);
/** The VM is gone: it is taken off the row of the month it became READY in. */
const RELEASED = new Set(['VmDecommissioned', 'VmDeletionObserved']);

/**
 * `project_usage`. Neither a READY event nor a decommission says project or size, so the projection remembers both
 * from the request's creation in its own table (project_usage_open_requests), and there the month a READY VM is
 * counted in. It reads nothing of other projections (they may be behind or rebuilding) and not the event store
 * beyond its batches (a stream read per READY would cost a round trip per VM on replay). A batch costs at most five
 * statements, sent together (one round trip): the usage upsert of READY VMs (which looks up and prices them in SQL),
 * the release of decommissioned ones (likewise), the requests it opens, the READY months of requests opened before,
 * the requests it closes.
 */
export const projectUsageProjection: Projection = {
  name: PROJECT_USAGE_PROJECTION,
  tables: [projectUsage, projectUsageOpenRequests],
  // A read model: rebuilt from the log, so a server crash losing its last commits costs nothing (see Projection).
  asynchronousCommit: true,
  apply: async (tx, events) => prepareUsage(events)(tx),
  prepare: prepareUsage,
};

const NOTHING: PreparedBatch = pipelined([], () => []);

/** A VM counted in this batch or released by it, as the SQL reads it: project and size null when looked up. */
interface UsageChange {
  id: string;
  month: string | null;
  at: string;
  project_id?: string;
  tenant_id?: string;
  size?: string;
}

/** Works out a batch's usage changes (no I/O) and returns what writes them. */
function prepareUsage(events: LogEvent[]): PreparedBatch {
  const opened = new Map<string, OpenRequest>();
  /** Requests opened before this batch that became READY in it: their month. */
  const readyMonths = new Map<string, string>();
  const closed = new Set<string>();
  const ready: UsageChange[] = [];
  const released: UsageChange[] = [];
  for (const event of events) {
    // Only creations, READY and endings matter here: skip the rest before decoding.
    if (event.type !== 'VmRequestCreated' && event.type !== 'VmRequestReady' && !DROPPED.has(event.type) && !RELEASED.has(event.type)) continue;
    const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
    const id = entityId(event);
    const request = opened.get(id);
    const known = request ? { project_id: request.project_id, tenant_id: request.tenant_id, size: request.size } : {};
    if (domain.type === 'VmRequestCreated') {
      opened.set(id, { id, tenant_id: event.tenantId, project_id: domain.data.projectId, size: domain.data.size, ready_month: null });
    } else if (domain.type === 'VmRequestReady') {
      const at = eventTime(event);
      const month = at.slice(0, 7);
      ready.push({ id, at, month, ...known });
      if (request) request.ready_month = month;
      else readyMonths.set(id, month);
    } else if (RELEASED.has(domain.type)) {
      // The month: the READY of this batch, or (null) the one stored with the request.
      released.push({ id, at: eventTime(event), month: request?.ready_month ?? readyMonths.get(id) ?? null, ...known });
      closed.add(id);
    } else {
      closed.add(id);
    }
  }
  if (opened.size === 0 && closed.size === 0 && ready.length === 0) return NOTHING;

  const readyJson = ready.length > 0 ? JSON.stringify(ready) : null;
  const releasedJson = released.length > 0 ? JSON.stringify(released) : null;
  const stillOpen = [...opened.values()].filter((r) => !closed.has(r.id));
  const openedJson = stillOpen.length > 0 ? JSON.stringify(stillOpen) : null;
  const readyBefore = [...readyMonths].filter(([id]) => !closed.has(id));
  const readyBeforeJson = readyBefore.length > 0 ? JSON.stringify(readyBefore.map(([id, month]) => ({ id, month }))) : null;
  const closedBefore = [...closed].filter((id) => !opened.has(id));

  // Pipelined (see PreparedBatch): every statement is sent at once, the pricing checks are in SQL, no row is published.
  return pipelined([], (tx) => {
    const writes: postgres.PendingQuery<postgres.Row[]>[] = [];
    // The statements run in the order sent (one connection): READY VMs are added, then released ones taken off
    // (a VM may do both in one batch), both before the deletes below, so they still find the requests they close.
    // A VM it cannot price (its creation never seen, or a size the catalogue lacks) fails the batch
    // (dvmm_fail), so it rolls back (and stalls the projection at it).
    if (readyJson) writes.push(usageChange(tx, readyJson, 1));
    if (releasedJson) writes.push(usageChange(tx, releasedJson, -1));
    if (openedJson) {
      writes.push(tx`
        insert into project_usage_open_requests
        select * from json_populate_recordset(null::project_usage_open_requests, ${openedJson}::text::json)`);
    }
    if (readyBeforeJson) {
      writes.push(tx`
        update project_usage_open_requests o set ready_month = r.month
        from json_to_recordset(${readyBeforeJson}::text::json) as r(id uuid, month text)
        where o.id = r.id`);
    }
    if (closedBefore.length > 0) {
      writes.push(tx`delete from project_usage_open_requests where id = any(${closedBefore}::uuid[])`);
    }
    return writes;
  });
}

/**
 * Adds (`sign` 1) or takes off (-1) the VMs of `changesJson` (UsageChange[]) to or from their month's row, each
 * priced by its size. What a change does not carry (project, size; the month of a release) comes from the request's
 * open row.
 */
function usageChange(tx: postgres.TransactionSql, changesJson: string, sign: 1 | -1): postgres.PendingQuery<postgres.Row[]> {
  const event = sign === 1 ? 'VmRequestReady' : 'The decommission';
  return tx`
    with changed as (
      select r.id, coalesce(r.month, o.ready_month) as month, r.at, coalesce(r.project_id, o.project_id) as project_id,
             coalesce(r.tenant_id, o.tenant_id) as tenant_id, coalesce(r.size, o.size) as size
      from json_to_recordset(${changesJson}::text::json)
        as r(id uuid, month text, at timestamptz, project_id uuid, tenant_id text, size text)
      left join project_usage_open_requests o on (r.project_id is null or r.month is null) and o.id = r.id
    ),
    priced as (
      select changed.*, s.vcpus, s.memory_gb, s.disk_gb, s.monthly_cost_eur
      from changed
      left join json_to_recordset(${SIZES}::text::json)
        as s(size text, vcpus int, memory_gb int, disk_gb int, monthly_cost_eur int) on s.size = changed.size
    ),
    added as (
      insert into project_usage (project_id, month, tenant_id, vms, vcpus, memory_gb, disk_gb, monthly_cost_eur, updated_at)
      select project_id, month, min(tenant_id), ${sign}::int * count(*), ${sign}::int * sum(vcpus), ${sign}::int * sum(memory_gb),
             ${sign}::int * sum(disk_gb), ${sign}::int * sum(monthly_cost_eur), max(at)
      from priced where vcpus is not null and month is not null
      group by project_id, month
      on conflict (project_id, month) do update set
        vms = project_usage.vms + excluded.vms,
        vcpus = project_usage.vcpus + excluded.vcpus,
        memory_gb = project_usage.memory_gb + excluded.memory_gb,
        disk_gb = project_usage.disk_gb + excluded.disk_gb,
        monthly_cost_eur = project_usage.monthly_cost_eur + excluded.monthly_cost_eur,
        updated_at = greatest(project_usage.updated_at, excluded.updated_at)
    )
    select dvmm_fail(case
      when size is null then format('%s for request %s, whose VmRequestCreated this projection never saw', ${event}::text, id)
      when month is null then format('%s for request %s, which this projection never saw READY', ${event}::text, id)
      else format('request %s has unknown size %s', id, to_json(size))
    end)
    from (select id, size, month from priced where vcpus is null or month is null limit 1) as unpriced`;
}
