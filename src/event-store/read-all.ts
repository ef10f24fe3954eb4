import { toRecordedEvent, type EventRow } from './rows.ts';
import type { EventMetadata, GlobalCheckpoint, JsonObject, ReadAllResult, RecordedEvent, Sql } from './types.ts';

/**
 * The next events of the global log after `after`, gap-safe.
 *
 * Positions come from a sequence, so under concurrency they commit out of order: position 11 may be visible while
 * 10 is still in flight. Reading by position alone would skip 10 forever. Instead we read in (transaction_id,
 * position) order and only events whose transaction is older than the snapshot's xmin, i.e. every transaction that
 * could still commit below that horizon has finished. An event handed out is therefore never followed later by one
 * that sorts before it, and a reader that resumes from the returned checkpoint sees each event exactly once.
 */
export async function readAll(sql: Sql, after: GlobalCheckpoint, limit: number): Promise<ReadAllResult> {
  const rows = await sql<EventRow[]>`
    select position, transaction_id::text, stream_id, stream_type, stream_version, event_type, schema_version,
           data, metadata, tenant_id, recorded_at, prev_hash, hash
    from events
    where (transaction_id, position) > (${after.transactionId.toString()}::xid8, ${after.position.toString()}::bigint)
      and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by events.transaction_id, events.position -- qualified: the bare name would sort by the ::text output column
    limit ${limit}`;
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

interface LogRow {
  position: string;
  transaction_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  event_type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadata;
  tenant_id: string;
  recorded_at: Date | string;
}

/**
 * `readAll` for projections: the same gap-safe batches in the same order, without the hash columns (128 bytes an
 * event that a replay would transfer and decode for nothing). The WHERE and ORDER BY are readAll's, unchanged.
 */
export async function readAllLean(sql: Sql, after: GlobalCheckpoint, limit: number): Promise<ReadLogResult> {
  const rows = await sql<LogRow[]>`
    select position, transaction_id::text, stream_id, stream_type, stream_version, event_type, schema_version,
           data, metadata, tenant_id, recorded_at
    from events
    where (transaction_id, position) > (${after.transactionId.toString()}::xid8, ${after.position.toString()}::bigint)
      and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    order by events.transaction_id, events.position -- qualified: the bare name would sort by the ::text output column
    limit ${limit}`;
  const events = new Array<LogEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    events[i] = {
      position: BigInt(row.position),
      transactionId: BigInt(row.transaction_id),
      streamId: row.stream_id,
      streamType: row.stream_type,
      streamVersion: row.stream_version,
      type: row.event_type,
      schemaVersion: row.schema_version,
      data: row.data,
      metadata: row.metadata,
      tenantId: row.tenant_id,
      recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
    };
  }
  const last = events[events.length - 1];
  return { events, checkpoint: last ? { transactionId: last.transactionId, position: last.position } : after };
}
