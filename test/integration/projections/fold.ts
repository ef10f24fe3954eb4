import { expect } from 'vitest';
import {
  fold,
  projectDecider,
  toDomainEvent,
  vmRequestDecider,
  vmSizeSpec,
  type ProjectEvent,
  type VmRequestEvent,
} from '../../../src/domain/index.ts';
import type { Sql } from '../../../src/db/client.ts';
import { buildShadow } from '../../../src/projections/rebuild.ts';
import { dropShadow } from '../../../src/projections/shadow.ts';
import { tableName } from '../../../src/projections/table-sql.ts';
import type { Projection } from '../../../src/projections/types.ts';

interface EventRow {
  position: string;
  transaction_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: { occurredAt: string; userId: string };
  tenant_id: string;
}

const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Request rows as read, with their times as ISO strings like the expected ones. */
const normalize = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
  rows.map((r) => ({
    ...r,
    created_at: iso(r.created_at as Date),
    updated_at: iso(r.updated_at as Date),
    decided_at: iso(r.decided_at as Date | null),
    next_retry_at: iso(r.next_retry_at as Date | null),
    decommissioned_at: iso(r.decommissioned_at as Date | null),
    failed_operation_at: iso(r.failed_operation_at as Date | null),
  }));

async function streams(sql: Sql): Promise<Map<string, EventRow[]>> {
  const rows = await sql<EventRow[]>`
    select position::text, transaction_id::text, stream_id, stream_type, stream_version, event_type, schema_version,
           data, metadata, tenant_id
    from events order by stream_id, stream_version`;
  const byStream = new Map<string, EventRow[]>();
  for (const row of rows) byStream.set(row.stream_id, [...(byStream.get(row.stream_id) ?? []), row]);
  return byStream;
}

/** The vm_requests row that the domain's fold of `events` (a request's stream, or a prefix of it) gives. */
function requestRow(id: string, events: EventRow[], projectNames: Map<string, string>): Record<string, unknown> {
  const state = fold(vmRequestDecider, events.map((e) => toDomainEvent(e.event_type, e.schema_version, e.data) as VmRequestEvent));
  if (state.status === 'NONE') throw new Error(`request ${id} has no creation`);
  const spec = vmSizeSpec(state.size);
  const last = events[events.length - 1]!;
  const decision = events.find((e) => e.event_type === 'VmRequestApproved' || e.event_type === 'VmRequestRejected');
  const ended = events.find((e) => e.event_type === 'VmDecommissioned' || e.event_type === 'VmDeletionObserved');
  // The domain keeps no times: the failure's is that of the event that recorded it, the last VmOperationFailed.
  const failed = state.lastOperationError ? events.findLast((e) => e.event_type === 'VmOperationFailed') : undefined;
  return {
    id,
    tenant_id: events[0]!.tenant_id,
    project_id: state.projectId,
    project_name: projectNames.get(state.projectId) ?? null,
    vm_name: state.vmName,
    size: state.size,
    vcpus: spec.vcpus,
    memory_gb: spec.memoryGb,
    disk_gb: spec.diskGb,
    monthly_cost_eur: spec.monthlyCostEur,
    justification: state.justification,
    status: state.status,
    version: state.version,
    requester_id: state.requester.id,
    requester_email: state.requester.email,
    requester_name: state.requester.name,
    decided_by: state.decidedBy,
    decided_at: decision ? iso(decision.metadata.occurredAt) : null,
    rejection_reason: state.rejectionReason,
    cancellation_reason: state.cancellationReason,
    provisioning_stage: state.provisioningStage,
    provisioning_attempts: state.provisioningAttempt,
    next_retry_at: iso(state.nextRetryAt),
    vmware_vm_id: state.vmwareVmId,
    hostname: state.hostname,
    ip_address: state.ipAddress,
    provisioning_warning: state.warning,
    failure_code: state.failure?.errorCode ?? null,
    failure_message: state.failure?.errorMessage ?? null,
    power_state: state.powerState,
    pending_operation: state.pendingOperation,
    decommissioned_at: ended ? iso(ended.metadata.occurredAt) : null,
    failed_operation: state.lastOperationError?.operation ?? null,
    failed_operation_code: state.lastOperationError?.errorCode ?? null,
    failed_operation_message: state.lastOperationError?.errorMessage ?? null,
    failed_operation_attempts: state.lastOperationError?.attempts ?? null,
    failed_operation_at: failed ? iso(failed.metadata.occurredAt) : null,
    created_at: iso(events[0]!.metadata.occurredAt),
    updated_at: iso(last.metadata.occurredAt),
    changed_tx: last.transaction_id,
    changed_position: last.position,
  };
}

/**
 * Folds every stream in the event store with the domain's own deciders (not the projection code) and checks the
 * read models against it, row for row: vm_requests, every version in vm_request_versions (unless some were pruned),
 * the timeline, projects with members, project_usage.
 */
export async function expectReadModelsMatchFold(sql: Sql, options: { usage?: boolean } = {}): Promise<void> {
  const all = await streams(sql);
  const projectNames = new Map<string, string>();
  const expectedProjects: Record<string, unknown>[] = [];
  const expectedMembers: string[] = [];
  for (const [id, events] of all) {
    if (events[0]!.stream_type !== 'Project') continue;
    const state = fold(projectDecider, events.map((e) => toDomainEvent(e.event_type, e.schema_version, e.data) as ProjectEvent));
    if (state.status === 'NONE') throw new Error(`project ${id} has no creation`);
    const last = events[events.length - 1]!;
    projectNames.set(id, state.name);
    expectedProjects.push({
      id,
      tenant_id: events[0]!.tenant_id,
      name: state.name,
      description: state.description,
      status: state.status,
      version: state.version,
      created_by: state.createdBy,
      created_at: iso(events[0]!.metadata.occurredAt),
      updated_at: iso(last.metadata.occurredAt),
      changed_tx: last.transaction_id,
      changed_position: last.position,
    });
    for (const member of state.members) expectedMembers.push(`${id}/${member.userId}/${member.role}`);
  }

  const expectedRequests: Record<string, unknown>[] = [];
  const expectedVersions: Record<string, unknown>[] = [];
  const expectedTimeline: string[] = [];
  const usage = new Map<string, { vms: number; vcpus: number; memory_gb: number; disk_gb: number; monthly_cost_eur: number }>();
  for (const [id, events] of all) {
    if (events[0]!.stream_type !== 'VmRequest') continue;
    const state = fold(vmRequestDecider, events.map((e) => toDomainEvent(e.event_type, e.schema_version, e.data) as VmRequestEvent));
    if (state.status === 'NONE') throw new Error(`request ${id} has no creation`);
    const spec = vmSizeSpec(state.size);
    expectedRequests.push(requestRow(id, events, projectNames));
    for (let k = 1; k <= events.length; k++) expectedVersions.push(requestRow(id, events.slice(0, k), projectNames));
    for (const e of events) expectedTimeline.push(`${e.position}/${id}/${e.stream_version}/${e.event_type}/${e.metadata.userId}`);
    const ready = events.find((e) => e.event_type === 'VmRequestReady');
    if (ready) {
      const key = `${state.projectId}/${iso(ready.metadata.occurredAt)!.slice(0, 7)}`;
      const sum = usage.get(key) ?? { vms: 0, vcpus: 0, memory_gb: 0, disk_gb: 0, monthly_cost_eur: 0 };
      // A VM decommissioned (or found deleted) no longer counts; its month's row stays, with what still runs.
      if (state.status === 'DECOMMISSIONED') usage.set(key, sum);
      else usage.set(key, {
        vms: sum.vms + 1,
        vcpus: sum.vcpus + spec.vcpus,
        memory_gb: sum.memory_gb + spec.memoryGb,
        disk_gb: sum.disk_gb + spec.diskGb,
        monthly_cost_eur: sum.monthly_cost_eur + spec.monthlyCostEur,
      });
    }
  }

  const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));
  const requests = await sql<Record<string, unknown>[]>`
    select *, changed_tx::text as changed_tx, changed_position::text as changed_position from vm_requests`;
  expect(normalize(requests).sort(byId)).toEqual(expectedRequests.sort(byId));

  const [pruned] = await sql`select 1 from vm_request_version_horizon`;
  if (!pruned) {
    const byCursor = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      BigInt(a.changed_position as string) < BigInt(b.changed_position as string) ? -1 : 1;
    const versions = await sql<Record<string, unknown>[]>`
      select *, changed_tx::text as changed_tx, changed_position::text as changed_position from vm_request_versions`;
    expect(normalize(versions).sort(byCursor)).toEqual(expectedVersions.sort(byCursor));
  }

  const timeline = await sql<{ key: string }[]>`
    select position || '/' || request_id || '/' || stream_version || '/' || type || '/' || actor_id as key from vm_request_timeline`;
  expect(timeline.map((t) => t.key).sort()).toEqual(expectedTimeline.sort());

  const projects = await sql<Record<string, unknown>[]>`
    select *, changed_tx::text as changed_tx, changed_position::text as changed_position from projects`;
  expect(
    projects.map((p) => ({ ...p, created_at: iso(p.created_at as Date), updated_at: iso(p.updated_at as Date) })).sort(byId),
  ).toEqual(expectedProjects.sort(byId));
  const members = await sql<{ key: string }[]>`select project_id || '/' || user_id || '/' || role as key from project_members`;
  expect(members.map((m) => m.key).sort()).toEqual(expectedMembers.sort());

  if (options.usage !== false) {
    const rows = await sql<{ key: string; vms: number; vcpus: number; memory_gb: number; disk_gb: number; monthly_cost_eur: number }[]>`
      select project_id || '/' || month as key, vms, vcpus, memory_gb, disk_gb, monthly_cost_eur from project_usage`;
    expect(Object.fromEntries(rows.map(({ key, ...sums }) => [key, sums]))).toEqual(Object.fromEntries(usage));
  }
}

/**
 * Replays the log into fresh shadow tables and expects the live tables to hold exactly the same rows (as multisets).
 * The live projection must have caught up, and nothing may append meanwhile.
 */
export async function expectSameAsFreshRebuild(sql: Sql, projection: Projection): Promise<void> {
  const built = await buildShadow({ sql, projection });
  try {
    for (const table of projection.tables) {
      const name = tableName(table);
      const live = sql(name);
      const shadow = sql(`${built.shadow.schema}.${name}`);
      const [diff] = await sql<{ only_live: number; only_rebuilt: number }[]>`
        select (select count(*)::int from (select * from ${live} except all select * from ${shadow}) d) as only_live,
               (select count(*)::int from (select * from ${shadow} except all select * from ${live}) d) as only_rebuilt`;
      expect({ table: name, onlyLive: diff?.only_live, onlyRebuilt: diff?.only_rebuilt }).toEqual({ table: name, onlyLive: 0, onlyRebuilt: 0 });
    }
  } finally {
    await dropShadow(sql, built.shadow);
  }
}

/** The projection's checkpoint has reached the last committed event. */
export async function checkpointsAtEnd(sql: Sql, names: readonly string[]): Promise<boolean> {
  const [row] = await sql<{ behind: number }[]>`
    select count(*)::int as behind
    from unnest(${names as string[]}::text[]) as n(name)
    left join projection_checkpoints c on c.name = n.name
    where c.name is null or exists (
      select 1 from events e where (e.transaction_id, e.position) > (c.transaction_id::text::xid8, c.position))`;
  return row?.behind === 0;
}
