import { sql } from 'drizzle-orm';
import { bigint, customType, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * The global hash chain: every event once, in the gap-safe log order (transaction id, position), written after
 * commit by the sealer (sealer.ts), never by an append. `seq` numbers the chain 1, 2, 3, ... with no holes; its
 * primary key is also the fence that lets only one sealer extend the chain from a given head. `chain_hash` is
 * SHA-256 over the previous row's chain_hash, the position and the event's hash (chain-hash.ts). Stream id and
 * version are kept so one stream's chained events can be checked without walking the whole log.
 */
export const auditChain = pgTable(
  'audit_chain',
  {
    seq: bigint('seq', { mode: 'bigint' }).primaryKey(),
    transactionId: xid8('transaction_id').notNull(),
    position: bigint('position', { mode: 'bigint' }).notNull().unique('audit_chain_position_unique'),
    streamId: text('stream_id').notNull(),
    streamVersion: integer('stream_version').notNull(),
    eventHash: bytea('event_hash').notNull(),
    chainHash: bytea('chain_hash').notNull(),
  },
  (t) => [index('audit_chain_stream_idx').on(t.streamId, t.streamVersion)],
);

/**
 * Signed statements of the chain's head (seal-statement.ts). `statement` holds the exact signed bytes (UTF-8 JSON);
 * the other columns repeat what it says, for queries, and verification never trusts them over the statement.
 * Seal numbers have no holes, so a seal removed from the middle shows.
 */
export const auditSeals = pgTable('audit_seals', {
  sealNo: bigint('seal_no', { mode: 'bigint' }).primaryKey(),
  seq: bigint('seq', { mode: 'bigint' }).notNull(),
  position: bigint('position', { mode: 'bigint' }).notNull(),
  keyId: text('key_id').notNull(),
  statement: text('statement').notNull(),
  signature: text('signature').notNull(),
  sealedAt: timestamp('sealed_at', { withTimezone: true }).notNull().default(sql`now()`),
});
