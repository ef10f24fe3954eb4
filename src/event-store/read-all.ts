import { toRecordedEvent, type EventRow } from './rows.ts';
import type { EventMetadata, GlobalCheckpoint, JsonObject, ReadAllResult, RecordedEvent, Sql } from './types.ts';

/**
 * The WHERE, ORDER BY and LIMIT of every read of the global log after a checkpoint: the one statement of gap safety.
 *
 * Positions come from a sequence, so under concurrency they commit out of order: position 11 may be visible while
 * 10 is still in flight. Reading by position alone would skip 10 forever. Instead we read in (transaction_id,
 * position) order and only events whose transaction is older than the snapshot's xmin, i.e. every transaction that
 * could still commit below that horizon has finished. An event handed out is therefore never followed later by one
 * that sorts before it, and a reader that resumes from the returned checkpoint sees each event exactly once.
 */
export const gapSafeAfter = (sql: Sql, after: GlobalCheckpoint, limit: number) => sql`
    where (transaction_id, position) > (${after.transactionId.toString()}::xid8, ${after.position.toString()}::bigint)
      and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by events.transaction_id, events.position -- qualified: the bare name would sort by the ::text output column
    limit ${limit}`;

/** The next events of the global log after `after`, gap-safe (see gapSafeAfter), with their hash chain links. */
export async function readAll(sql: Sql, after: GlobalCheckpoint, limit: number): Promise<ReadAllResult> {
  const rows = await sql<EventRow[]>`
    select position, transaction_id::text, stream_id, stream_type, stream_version, event_type, schema_version,
           data, metadata, tenant_id, recorded_at, prev_hash, hash
    from events
    ${gapSafeAfter(sql, after, limit)}`;
  const events = rows.map(toRecordedEvent);
  const last = events[events.length - 1];
  return { events, checkpoint: last ? { transactionId: last.transactionId, position: last.position } : after };
}

/** An event as a projection sees it: everything but the hash chain, which only verification needs. */
export type LogEvent = Omit<RecordedEvent, 'prevHash' | 'hash'>;

export interface ReadLogResult {
  events: LogEvent[];
  /** Pass this to the next read. Equals `after` when nothing new was returned. */
  checkpoint: GlobalCheckpoint;
}

/** The columns readAllLean selects, in order (it reads rows as arrays: no per-row object with named fields). */
type LogRow = [
  position: string,
  transactionId: string,
  streamId: string,
  streamType: string,
  streamVersion: number,
  type: string,
  schemaVersion: number,
  data: JsonObject,
  metadata: EventMetadata,
  tenantId: string,
  /** A Date, or a string when drizzle-orm has installed its own timestamp parsers on the shared client. */
  recordedAt: Date | string,
];

/**
 * `readAll` for projections, the path the projector and rebuilds take: the same gap-safe batches in the same order,
 * without the hash columns, which only verification needs and a replay would transfer and decode for nothing. Rows
 * come as arrays (`.values()`), which spares postgres.js an object per row.
 */
export async function readAllLean(sql: Sql, after: GlobalCheckpoint, limit: number): Promise<ReadLogResult> {
  const rows = await sql`
    select position, transaction_id::text, stream_id, stream_type, stream_version, event_type, schema_version,
           data, metadata, tenant_id, recorded_at
    from events
    ${gapSafeAfter(sql, after, limit)}`.values() as unknown as LogRow[];
  const events = new Array<LogEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const recordedAt = row[10];
    events[i] = {
      position: BigInt(row[0]),
      transactionId: BigInt(row[1]),
      streamId: row[2],
      streamType: row[3],
      streamVersion: row[4],
      type: row[5],
      schemaVersion: row[6],
      data: row[7],
      metadata: row[8],
      tenantId: row[9],
      recordedAt: recordedAt instanceof Date ? recordedAt : new Date(recordedAt),
    };
  }
  const last = events[events.length - 1];
  return { events, checkpoint: last ? { transactionId: last.transactionId, position: last.position } : after };
}
