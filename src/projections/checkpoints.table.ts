import { sql } from 'drizzle-orm';
import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Where each projection is in the global log: the (transaction id, position) of the last event it applied, written
 * in the same transaction as the read tables. The stall columns let `projections status` and readiness checks in any
 * process see a projection that is stuck on an event.
 */
export const projectionCheckpoints = pgTable('projection_checkpoints', {
  name: text('name').primaryKey(),
  transactionId: bigint('transaction_id', { mode: 'bigint' }).notNull().default(sql`0`),
  position: bigint('position', { mode: 'bigint' }).notNull().default(sql`0`),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Set while the projection is stuck on an event; cleared by the next batch that commits. */
  stalledAt: timestamp('stalled_at', { withTimezone: true, mode: 'date' }),
  stalledPosition: bigint('stalled_position', { mode: 'bigint' }),
  error: text('error'),
});

export type ProjectionCheckpointRow = typeof projectionCheckpoints.$inferSelect;
