import type { EventMetadata, JsonObject, RecordedEvent } from './types.ts';

/** The columns every reader selects, in the shape `toRecordedEvent` expects. */
export interface EventRow {
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
  /** A Date, or a string when drizzle-orm has installed its own timestamp parsers on the shared client. */
  recorded_at: Date | string;
  prev_hash: string | null;
  hash: string;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
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
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
