import { isEventType, isVmRequestEvent, toDomainEvent } from '../domain/events.ts';
import type { VmRequestEvent } from '../domain/vm-request/events.ts';
import type { RecordedEvent } from '../event-store/types.ts';
import { checkpointOf } from './cursor.ts';
import { entityId } from './event-facts.ts';
import { replaceAllExcept } from './table-sql.ts';
import { timelineEntry, type TimelineRecord } from './timeline-entry.ts';
import type { ChangedRow, Projection } from './types.ts';
import { evolveVmRequestRecord, type VmRequestRecord } from './vm-request-record.ts';
import { vmRequestProjectNames, vmRequests, vmRequestTimeline } from './vm-requests.table.ts';

export const VM_REQUESTS_PROJECTION = 'vm_requests';

const REPLACE_ROW = replaceAllExcept(vmRequests, ['id']);

/**
 * `vm_requests` (one row per request), `vm_request_timeline` (one row per event) and the projection's own project
 * name lookup. A batch costs a handful of set-based statements whatever its size: load the rows it touches, fold
 * its events in memory, upsert the rows and insert the timeline entries from one jsonb parameter each.
 */
export const vmRequestsProjection: Projection = {
  name: VM_REQUESTS_PROJECTION,
  tables: [vmRequests, vmRequestTimeline, vmRequestProjectNames],
  async apply(tx, events) {
    const names = new Map<string, string>();
    const newNames: { project_id: string; tenant_id: string; name: string }[] = [];
    const requestEvents: { event: RecordedEvent; domain: VmRequestEvent }[] = [];
    for (const event of events) {
      if (!isEventType(event.type)) continue;
      const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
      if (domain.type === 'ProjectCreated') {
        const projectId = entityId(event);
        names.set(projectId, domain.data.name);
        newNames.push({ project_id: projectId, tenant_id: event.tenantId, name: domain.data.name });
      } else if (isVmRequestEvent(domain)) {
        requestEvents.push({ event, domain });
      }
    }
    if (newNames.length > 0) {
      await tx`
        insert into vm_request_project_names
        select * from jsonb_populate_recordset(null::vm_request_project_names, ${JSON.stringify(newNames)}::text::jsonb)
        on conflict (project_id) do update set name = excluded.name`;
    }
    if (requestEvents.length === 0) return [];

    // Rows that exist already: requests whose first event in this batch is not their creation.
    const firstSeen = new Set<string>();
    const toLoad: string[] = [];
    const projectsToName = new Set<string>();
    for (const { event, domain } of requestEvents) {
      const id = entityId(event);
      if (domain.type === 'VmRequestCreated' && !names.has(domain.data.projectId)) projectsToName.add(domain.data.projectId);
      if (firstSeen.has(id)) continue;
      firstSeen.add(id);
      if (domain.type !== 'VmRequestCreated') toLoad.push(id);
    }
    const records = new Map<string, VmRequestRecord>();
    if (toLoad.length > 0) {
      const rows = await tx<{ row: VmRequestRecord }[]>`
        select to_jsonb(r) as row from vm_requests r where r.id = any(${toLoad}::uuid[])`;
      for (const { row } of rows) records.set(row.id, row);
    }
    if (projectsToName.size > 0) {
      const rows = await tx<{ project_id: string; name: string }[]>`
        select project_id::text, name from vm_request_project_names where project_id = any(${[...projectsToName]}::uuid[])`;
      for (const row of rows) names.set(row.project_id, row.name);
    }

    const timeline: TimelineRecord[] = [];
    const changed = new Map<string, ChangedRow>();
    const projectName = (projectId: string): string | null => names.get(projectId.toLowerCase()) ?? names.get(projectId) ?? null;
    for (const { event, domain } of requestEvents) {
      const id = entityId(event);
      records.set(id, evolveVmRequestRecord(records.get(id), event, domain, projectName));
      timeline.push(timelineEntry(event, domain));
      changed.set(id, { id, tenantId: event.tenantId, cursor: checkpointOf(event) });
    }

    const rows = [...changed.keys()].map((id) => records.get(id)!);
    await tx`
      insert into vm_requests
      select * from jsonb_populate_recordset(null::vm_requests, ${JSON.stringify(rows)}::text::jsonb)
      on conflict (id) do update set ${tx.unsafe(REPLACE_ROW)}`;
    await tx`
      insert into vm_request_timeline
      select * from jsonb_populate_recordset(null::vm_request_timeline, ${JSON.stringify(timeline)}::text::jsonb)`;
    return [...changed.values()];
  },
};
