import { pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/**
 * Guest addresses handed out from tenants' IP pools (ip-allocations.ts): one per request, kept until released.
 * The unique (tenant_id, address) is what makes two concurrent allocations of one address impossible.
 */
export const ipAllocations = pgTable(
  'ip_allocations',
  {
    tenantId: text('tenant_id').notNull(),
    requestId: uuid('request_id').notNull(),
    address: text('address').notNull(),
    allocatedAt: timestamp('allocated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'ip_allocations_pkey', columns: [t.tenantId, t.requestId] }),
    unique('ip_allocations_address_key').on(t.tenantId, t.address),
  ],
);
