import { toDomainEvent } from '../domain/events.ts';
import { isVmSize, vmSizeSpec } from '../domain/vm-size.ts';
import { entityId, eventTime } from './event-facts.ts';
import { projectUsage, projectUsageOpenRequests } from './project-usage.table.ts';
import type { Projection } from './types.ts';

export const PROJECT_USAGE_PROJECTION = 'project_usage';

interface OpenRequest {
  id: string;
  tenant_id: string;
  project_id: string;
  size: string;
}

interface UsageDelta {
  project_id: string;
  month: string;
  tenant_id: string;
  vms: number;
  vcpus: number;
  memory_gb: number;
  disk_gb: number;
  monthly_cost_eur: number;
  updated_at: string;
}

const TERMINAL = new Set(['VmRequestReady', 'VmRequestProvisioningFailed', 'VmRequestRejected', 'VmRequestCancelled']);

/**
 * `project_usage`. A READY event says neither project nor size, so the projection remembers both from the
 * request's creation in its own table (project_usage_open_requests). It reads nothing of other projections (they
 * may be behind or rebuilding) and not the event store beyond its batches (a stream read per READY would cost a
 * round trip per VM on replay).
 */
export const projectUsageProjection: Projection = {
  name: PROJECT_USAGE_PROJECTION,
  tables: [projectUsage, projectUsageOpenRequests],
  async apply(tx, events) {
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
    if (opened.size === 0 && closed.size === 0) return [];

    const known = new Map(opened);
    const toLoad = ready.map((r) => r.id).filter((id) => !known.has(id));
    if (toLoad.length > 0) {
      const rows = await tx<OpenRequest[]>`
        select id::text, tenant_id, project_id::text, size from project_usage_open_requests where id = any(${toLoad}::uuid[])`;
      for (const row of rows) known.set(row.id, row);
    }

    const deltas = new Map<string, UsageDelta>();
    for (const { id, at } of ready) {
      const request = known.get(id);
      if (!request) throw new Error(`VmRequestReady for request ${id}, whose VmRequestCreated this projection never saw`);
      if (!isVmSize(request.size)) throw new Error(`request ${id} has unknown size ${JSON.stringify(request.size)}`);
      const spec = vmSizeSpec(request.size);
      const month = at.slice(0, 7);
      const key = `${request.project_id}\u0000${month}`;
      const delta = deltas.get(key) ?? {
        project_id: request.project_id,
        month,
        tenant_id: request.tenant_id,
        vms: 0,
        vcpus: 0,
        memory_gb: 0,
        disk_gb: 0,
        monthly_cost_eur: 0,
        updated_at: at,
      };
      delta.vms += 1;
      delta.vcpus += spec.vcpus;
      delta.memory_gb += spec.memoryGb;
      delta.disk_gb += spec.diskGb;
      delta.monthly_cost_eur += spec.monthlyCostEur;
      if (at > delta.updated_at) delta.updated_at = at;
      deltas.set(key, delta);
    }

    const writes: Promise<unknown>[] = [];
    if (deltas.size > 0) {
      writes.push(tx`
        insert into project_usage
        select * from json_populate_recordset(null::project_usage, ${JSON.stringify([...deltas.values()])}::text::json)
        on conflict (project_id, month) do update set
          vms = project_usage.vms + excluded.vms,
          vcpus = project_usage.vcpus + excluded.vcpus,
          memory_gb = project_usage.memory_gb + excluded.memory_gb,
          disk_gb = project_usage.disk_gb + excluded.disk_gb,
          monthly_cost_eur = project_usage.monthly_cost_eur + excluded.monthly_cost_eur,
          updated_at = greatest(project_usage.updated_at, excluded.updated_at)`);
    }
    const stillOpen = [...opened.values()].filter((r) => !closed.has(r.id));
    if (stillOpen.length > 0) {
      writes.push(tx`
        insert into project_usage_open_requests
        select * from json_populate_recordset(null::project_usage_open_requests, ${JSON.stringify(stillOpen)}::text::json)`);
    }
    const closedBefore = [...closed].filter((id) => !opened.has(id));
    if (closedBefore.length > 0) {
      writes.push(tx`delete from project_usage_open_requests where id = any(${closedBefore}::uuid[])`);
    }
    await Promise.all(writes);
    return [];
  },
};
