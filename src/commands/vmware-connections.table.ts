import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Each tenant's vCenter connection as it stands: the settings without the password (jsonb), the password encrypted
 * (src/secrets/), and the version of the tenant's VmwareConnection stream that set it. Written only in the
 * transaction of the append that changes it (VmwareConnectionChanged upserts, VmwareConnectionRemoved deletes), so
 * it is never behind the events, which carry no settings and no secret (they are kept forever). No row: no
 * connection.
 */
export const vmwareConnections = pgTable('vmware_connections', {
  tenantId: text('tenant_id').primaryKey(),
  version: integer('version').notNull(),
  /** VsphereConnectionSettings without `password`. */
  settings: jsonb('settings').notNull(),
  /** `v1:<key id>:<base64>` (src/secrets/secret-box.ts), bound to the tenant id. */
  passwordSecret: text('password_secret').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  updatedBy: text('updated_by').notNull(),
});
