import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Per project and month (YYYY-MM, UTC, of the moment the VM became READY): how many VMs became ready in it and still
 * run (a decommissioned VM, or one found deleted, is taken off its READY month's row) and what they add up to. Added after the other read models, with its own migration: on first start its projection replays the
 * whole history, so the report covers everything that happened before it existed.
 */
export const projectUsage = pgTable(
  'project_usage',
  {
    projectId: uuid('project_id').notNull(),
    month: text('month').notNull(),
    tenantId: text('tenant_id').notNull(),
    vms: integer('vms').notNull(),
    vcpus: integer('vcpus').notNull(),
    memoryGb: integer('memory_gb').notNull(),
    diskGb: integer('disk_gb').notNull(),
    monthlyCostEur: integer('monthly_cost_eur').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'project_usage_pkey', columns: [t.projectId, t.month] }),
    index('project_usage_tenant_month_idx').on(t.tenantId, t.month),
  ],
);

/**
 * The usage projection's own memory of requests that hold or may come to hold something: the project and size from
 * VmRequestCreated, needed when VmRequestReady arrives (which carries neither), and the month it counted a READY VM
 * in, needed when the VM is decommissioned (VmDecommissioned, VmDeletionObserved carry neither). Rows go when the
 * request ends otherwise than READY or its VM is decommissioned, so the table holds only open requests and
 * running VMs.
 */
export const projectUsageOpenRequests = pgTable('project_usage_open_requests', {
  id: uuid('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  projectId: uuid('project_id').notNull(),
  size: text('size').notNull(),
  /** The project_usage month the READY VM is counted in; null until READY. */
  readyMonth: text('ready_month'),
});

export type ProjectUsageRow = typeof projectUsage.$inferSelect;
