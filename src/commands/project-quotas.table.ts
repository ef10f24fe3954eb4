import { boolean, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';

/**
 * The write side of project quotas: each project's limits (null: unlimited), mirrored from ProjectQuotaSet in the
 * same transaction as that append. Its row is also the lock that serialises the quota checks of one project: a new
 * request locks it before adding up the holds (see quota-ledger.ts). A project without a row has no limits.
 */
export const projectQuotas = pgTable(
  'project_quotas',
  {
    tenantId: text('tenant_id').notNull(),
    projectId: uuid('project_id').notNull(),
    maxVms: integer('max_vms'),
    maxVcpus: integer('max_vcpus'),
    maxRamGb: integer('max_ram_gb'),
    maxStorageGb: integer('max_storage_gb'),
  },
  (t) => [primaryKey({ name: 'project_quotas_pkey', columns: [t.tenantId, t.projectId] })],
);

/**
 * What each counted VM request holds against its project's quota: one row from VmRequestCreated until the request
 * is rejected, cancelled or fails (the row is deleted in the append of that event, so a release happens once), with
 * `running` set once it is READY. A project's usage is the sum of its rows: there are no totals to drift.
 */
export const projectQuotaHolds = pgTable(
  'project_quota_holds',
  {
    requestId: uuid('request_id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    projectId: uuid('project_id').notNull(),
    /** For pricing what is held; the amounts are kept as the catalogue gave them when the request was made. */
    size: text('size').notNull(),
    vcpus: integer('vcpus').notNull(),
    ramGb: integer('ram_gb').notNull(),
    diskGb: integer('disk_gb').notNull(),
    running: boolean('running').notNull(),
  },
  (t) => [index('project_quota_holds_project_idx').on(t.tenantId, t.projectId)],
);
