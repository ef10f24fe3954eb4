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

const TERMINAL = new Set(['VmRequestReady', 'VmRequestProvisioningFailed', 'VmRequestRejected', 'VmRequestCancelled']);

/**
 * `project_usage`. A READY event says neither project nor size, so the projection remembers both from the
 * request's creation in its own table (project_usage_open_requests). It reads nothing of other projections (they
 * may be behind or rebuilding) and not the event store beyond its batches (a stream read per READY would cost a
 * round trip per VM on replay). A batch costs at most three statements, sent together (one round trip): the usage
 * upsert (which looks up and prices the READY requests in SQL), the requests it opens, the requests it closes.
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

/** Works out a batch's usage changes (no I/O) and returns what writes them. */
function prepareUsage(events: LogEvent[]): PreparedBatch {
  const opened = new Map<string, OpenRequest>();
  const closed = new Set<string>();
  const ready: { id: string; at: string }[] = [];
  for (const event of events) {
    // Only creations and endings matter here: skip the rest before decoding.
    if (event.type !== 'VmRequestCreated' && !TERMINAL.has(event.type)) continue;
    const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
    if (domain.type === 'VmRequestCreated') {
      const id = entityId(event);
      opened.set(id, { id, tenant_id: event.tenantId, project_id: domain.data.projectId, size: domain.data.size });
    } else if (TERMINAL.has(domain.type)) {
      const id = entityId(event);
      closed.add(id);
      if (domain.type === 'VmRequestReady') ready.push({ id, at: eventTime(event) });
    }
  }
  if (opened.size === 0 && closed.size === 0) return NOTHING;

  // A request opened in this batch brings its project and size along; any other is looked up in SQL.
  const readyJson =
    ready.length > 0
      ? JSON.stringify(
          ready.map(({ id, at }) => {
            const request = opened.get(id);
            return { id, at, month: at.slice(0, 7), project_id: request?.project_id, tenant_id: request?.tenant_id, size: request?.size };
          }),
        )
      : null;
  const stillOpen = [...opened.values()].filter((r) => !closed.has(r.id));
  const openedJson = stillOpen.length > 0 ? JSON.stringify(stillOpen) : null;
  const closedBefore = [...closed].filter((id) => !opened.has(id));

  // Pipelined (see PreparedBatch): every statement is sent at once, the pricing check is in SQL, no row is published.
  return pipelined([], (tx) => {
    const writes: postgres.PendingQuery<postgres.Row[]>[] = [];
    if (readyJson) {
      // One statement, no read round trip first. It runs before the delete below (statements on one connection
      // run in the order sent), so it still finds the requests this batch closes. A READY it cannot price fails
      // it (dvmm_fail), so the batch rolls back (and stalls the projection at it).
      writes.push(
        tx`
          with ready as (
            select r.id, r.month, r.at, coalesce(r.project_id, o.project_id) as project_id,
                   coalesce(r.tenant_id, o.tenant_id) as tenant_id, coalesce(r.size, o.size) as size
            from json_to_recordset(${readyJson}::text::json)
              as r(id uuid, month text, at timestamptz, project_id uuid, tenant_id text, size text)
            left join project_usage_open_requests o on r.project_id is null and o.id = r.id
          ),
          priced as (
            select ready.*, s.vcpus, s.memory_gb, s.disk_gb, s.monthly_cost_eur
            from ready
            left join json_to_recordset(${SIZES}::text::json)
              as s(size text, vcpus int, memory_gb int, disk_gb int, monthly_cost_eur int) on s.size = ready.size
          ),
          added as (
            insert into project_usage (project_id, month, tenant_id, vms, vcpus, memory_gb, disk_gb, monthly_cost_eur, updated_at)
            select project_id, month, min(tenant_id), count(*), sum(vcpus), sum(memory_gb), sum(disk_gb), sum(monthly_cost_eur), max(at)
            from priced where vcpus is not null
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
            when size is null then format('VmRequestReady for request %s, whose VmRequestCreated this projection never saw', id)
            else format('request %s has unknown size %s', id, to_json(size))
          end)
          from (select id, size from priced where vcpus is null limit 1) as unpriced`,
      );
    }
    if (openedJson) {
      writes.push(tx`
        insert into project_usage_open_requests
        select * from json_populate_recordset(null::project_usage_open_requests, ${openedJson}::text::json)`);
    }
    if (closedBefore.length > 0) {
      writes.push(tx`delete from project_usage_open_requests where id = any(${closedBefore}::uuid[])`);
    }
    return writes;
  });
}
