import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The monthly usage report's read model: one row per VM request the `usage_report` projection has seen created and
 * not yet seen end otherwise than READY. `ready_at` is null while the request is on its way and set once it becomes
 * READY; a request that is rejected, cancelled or fails loses its row. A READY row is the VM's running interval:
 * from `ready_at` to `ended_at` (set when the VM is decommissioned or found deleted), or "until now" while it runs.
 *
 * Why intervals and not one row per project and month: a month's figures depend on the day the report is read
 * (the current month counts the days up to today, and a VM keeps adding days to months after the last event), which
 * no projection can know when it applies an event. Rows per month would have to be written for months in which
 * nothing happens. An interval is written once (by the READY event, closed by the decommission), so a replay and the live projection give the
 * very same rows, and the month arithmetic is one aggregate at query time (src/graphql/read/usage-report.ts) over
 * the tenant's READY rows before the month's end, found through the (tenant_id, ready_at) index.
 */
export const usageReportVms = pgTable(
  'usage_report_vms',
  {
    id: uuid('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    projectId: uuid('project_id').notNull(),
    /** As requested. Priced when the report is read, from the size catalogue (src/domain/vm-size.ts). */
    size: text('size').notNull(),
    /** When the request became READY (the event's occurredAt); null until then. */
    readyAt: timestamp('ready_at', { withTimezone: true, mode: 'date' }),
    /** When its VM was decommissioned or found deleted (the event's occurredAt); null while it runs. */
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('usage_report_vms_tenant_ready_idx').on(t.tenantId, t.readyAt)],
);

export type UsageReportVmRow = typeof usageReportVms.$inferSelect;
