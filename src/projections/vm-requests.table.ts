import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A request's columns: one builder for the current row (vm_requests) and its versions (vm_request_versions), so the
 * two tables cannot drift apart (the projection copies whole rows from one shape to the other).
 */
const vmRequestColumns = () => ({
    id: uuid('id').notNull(),
    tenantId: text('tenant_id').notNull(),
    projectId: uuid('project_id').notNull(),
    projectName: text('project_name'),
    vmName: text('vm_name').notNull(),
    size: text('size').notNull(),
    vcpus: integer('vcpus').notNull(),
    memoryGb: integer('memory_gb').notNull(),
    diskGb: integer('disk_gb').notNull(),
    monthlyCostEur: integer('monthly_cost_eur').notNull(),
    justification: text('justification').notNull(),
    status: text('status').notNull(),
    /** The stream version: what approve/reject must send as expectedVersion. */
    version: integer('version').notNull(),
    requesterId: text('requester_id').notNull(),
    requesterEmail: text('requester_email'),
    requesterName: text('requester_name'),
    decidedBy: text('decided_by'),
    decidedAt: timestamptz('decided_at'),
    rejectionReason: text('rejection_reason'),
    cancellationReason: text('cancellation_reason'),
    /** Set only while PROVISIONING (see the domain's VmRequest.provisioningStage). */
    provisioningStage: text('provisioning_stage'),
    /** The current attempt while PROVISIONING; the attempts made once READY or FAILED (VmRequest.provisioningAttempt). */
    provisioningAttempts: integer('provisioning_attempts'),
    /** When the next attempt starts, while a retry waits; null otherwise. */
    nextRetryAt: timestamptz('next_retry_at'),
    vmwareVmId: text('vmware_vm_id'),
    hostname: text('hostname'),
    ipAddress: text('ip_address'),
    provisioningWarning: text('provisioning_warning'),
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    /** ON once READY, then as powered off or on, or observed; null before READY and once DECOMMISSIONED. */
    powerState: text('power_state'),
    /** The power or decommission operation requested and not yet done or failed (VmOperation). */
    pendingOperation: text('pending_operation'),
    /** When the VM was deleted (VmDecommissioned) or found deleted (VmDeletionObserved); null before. */
    decommissionedAt: timestamptz('decommissioned_at'),
    /** The last requested operation that failed, its error and when: kept until a later one succeeds. */
    failedOperation: text('failed_operation'),
    failedOperationCode: text('failed_operation_code'),
    failedOperationMessage: text('failed_operation_message'),
    failedOperationAttempts: integer('failed_operation_attempts'),
    failedOperationAt: timestamptz('failed_operation_at'),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
    changedTx: bigint('changed_tx', { mode: 'bigint' }).notNull(),
    changedPosition: bigint('changed_position', { mode: 'bigint' }).notNull(),
  });

/**
 * One row per VM request: everything the list, the detail view and the admin queue show, so a query never folds
 * events. Written only by the `vm_requests` projection.
 *
 * `changed_tx`/`changed_position` are the (transaction id, position) of the last event applied to the row: its cursor,
 * the same as its newest row in vm_request_versions.
 */
export const vmRequests = pgTable(
  'vm_requests',
  { ...vmRequestColumns(), id: uuid('id').primaryKey() },
  (t) => [
    // vmRequests: newest first; with `mine`: one requester's newest first; the admin queue: PENDING oldest first.
    index('vm_requests_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id),
    index('vm_requests_tenant_requester_created_idx').on(t.tenantId, t.requesterId, t.createdAt.desc(), t.id),
    index('vm_requests_tenant_status_created_idx').on(t.tenantId, t.status, t.createdAt, t.id),
    index('vm_requests_tenant_project_created_idx').on(t.tenantId, t.projectId, t.createdAt.desc(), t.id),
  ],
);

/**
 * Every version of every request: the row as it stood after each event, keyed by that event's cursor. The live feed
 * and `since` replays read changes from here, so a subscriber gets each version in order however the projector
 * batched the events and however far behind the subscriber is. Kept for a retention period (see
 * src/live/retention.ts); `vm_request_version_horizon` holds the newest cursor pruned.
 */
export const vmRequestVersions = pgTable(
  'vm_request_versions',
  vmRequestColumns(),
  // One index: the cursor. The feed reads near the head of it; pruning walks it from the oldest end.
  (t) => [primaryKey({ name: 'vm_request_versions_pkey', columns: [t.changedTx, t.changedPosition] })],
);

/** The newest cursor whose versions were pruned (one row, absent until the first prune): a `since` at or below it is expired. */
export const vmRequestVersionHorizon = pgTable('vm_request_version_horizon', {
  singleton: integer('singleton').primaryKey().default(1),
  changedTx: bigint('changed_tx', { mode: 'bigint' }).notNull(),
  changedPosition: bigint('changed_position', { mode: 'bigint' }).notNull(),
});

/** One row per lifecycle event of a request, in stream order. */
export const vmRequestTimeline = pgTable(
  'vm_request_timeline',
  {
    /** The event's global position: an event is on the timeline once. */
    position: bigint('position', { mode: 'bigint' }).primaryKey(),
    requestId: uuid('request_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    streamVersion: integer('stream_version').notNull(),
    type: text('type').notNull(),
    actorId: text('actor_id'),
    details: text('details'),
    occurredAt: timestamptz('occurred_at').notNull(),
  },
  (t) => [uniqueIndex('vm_request_timeline_request_version_idx').on(t.requestId, t.streamVersion)],
);

/**
 * The `vm_requests` projection's own copy of project names (from ProjectCreated), so it fills `project_name` without
 * reading the `projects` table, whose projection may be behind, stalled or rebuilding.
 */
export const vmRequestProjectNames = pgTable('vm_request_project_names', {
  projectId: uuid('project_id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull(),
});

export type VmRequestRow = typeof vmRequests.$inferSelect;
export type VmRequestVersionRow = typeof vmRequestVersions.$inferSelect;
export type VmRequestTimelineRow = typeof vmRequestTimeline.$inferSelect;
