import { toRecordedEvent, type EventRow } from './rows.ts';
import type { RecordedEvent, Sql } from './types.ts';

/** A stream's events in version order, from `fromVersion` (inclusive, default 1). */
export async function readStream(sql: Sql, streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
  const rows = await sql<EventRow[]>`
    select position, transaction_id::text, stream_id, stream_type, stream_version, event_type, schema_version,
           data, metadata, tenant_id, recorded_at, prev_hash, hash
    from events
    where stream_id = ${streamId} and stream_version >= ${fromVersion}
    order by stream_version`;
  return rows.map(toRecordedEvent);
}

/** The stream's current version; 0 when it does not exist. */
export async function streamVersion(sql: Sql, streamId: string): Promise<number> {
  const [row] = await sql<{ version: number }[]>`
    select coalesce(max(stream_version), 0)::int as version from events where stream_id = ${streamId}`;
  return row?.version ?? 0;
}
