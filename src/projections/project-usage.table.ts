import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Per project and month (YYYY-MM, UTC, of the moment the VM became READY): how many VMs became ready and what they
 * add up to. Added after the other read models, with its own migration: on first start its projection replays the
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
 * The usage projection's own memory of requests still on their way: the project and size from VmRequestCreated,
 * needed when VmRequestReady arrives (which carries neither). Rows go when the request reaches a terminal status,
 * so the table holds only open requests.
 */
export const projectUsageOpenRequests = pgTable('project_usage_open_requests', {
  id: uuid('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  projectId: uuid('project_id').notNull(),
  size: text('size').notNull(),
});

export type ProjectUsageRow = typeof projectUsage.$inferSelect;
