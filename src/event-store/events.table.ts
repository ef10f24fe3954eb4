import { sql } from 'drizzle-orm';
import { bigint, customType, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/** Postgres' 64-bit transaction id; compared against the snapshot horizon for gap-safe reading. */
const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

/**
 * The event store: one row per domain event, append-only (triggers in the custom migration reject UPDATE, DELETE
 * and TRUNCATE). UNIQUE (stream_id, stream_version) is the optimistic-concurrency check.
 */
export const events = pgTable(
  'events',
  {
    position: bigint('position', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    transactionId: xid8('transaction_id').notNull().default(sql`pg_current_xact_id()`),
    streamId: text('stream_id').notNull(),
    streamType: text('stream_type').notNull(),
    streamVersion: integer('stream_version').notNull(),
    eventType: text('event_type').notNull(),
    schemaVersion: integer('schema_version').notNull().default(1),
    data: jsonb('data').notNull(),
    metadata: jsonb('metadata').notNull(),
    tenantId: text('tenant_id').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    prevHash: text('prev_hash'),
    hash: text('hash').notNull(),
  },
  (t) => [
    unique('events_stream_version_unique').on(t.streamId, t.streamVersion),
    index('events_transaction_position_idx').on(t.transactionId, t.position),
  ],
);

/** Command ids already appended: a repeated command id writes nothing and answers with the first append's result. */
export const eventCommands = pgTable('event_commands', {
  commandId: uuid('command_id').primaryKey(),
  streamId: text('stream_id').notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
});
