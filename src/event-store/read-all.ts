import { toRecordedEvent, type EventRow } from './rows.ts';
import type { GlobalCheckpoint, ReadAllResult, Sql } from './types.ts';

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
