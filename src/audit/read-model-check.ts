import type { Sql } from '../event-store/types.ts';

/** A read model row whose version is beyond its stream's last event. */
export interface ReadModelAhead {
  readModel: string;
  streamId: string;
  version: number;
  streamVersion: number;
}

/**
 * Read models whose rows carry their stream's version. A row can lag its stream (the projector is behind) but never
 * lead it: events are projected only after they commit, and never leave the log. A row ahead means events were
 * removed from the log, or a projection wrote a version it never read.
 */
const READ_MODELS = ['vm_requests', 'projects'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rows ahead of their stream: of one stream, or (streamId null) of the whole store, at most `limit`. */
export async function readModelsAhead(sql: Sql, streamId: string | null, limit = 20): Promise<ReadModelAhead[]> {
  // Read model ids are UUIDs: any other stream id has no row (and must not reach a ::uuid cast).
  if (streamId !== null && !UUID.test(streamId)) return [];
  const found: ReadModelAhead[] = [];
  for (const table of READ_MODELS) {
    const filter = streamId === null ? sql`` : sql`where r.id = ${streamId}::uuid`;
    // The unique (stream_id, stream_version) index answers each max() with one index probe.
    const rows = await sql<{ stream_id: string; version: number; stream_version: number }[]>`
      select * from (
        select r.id::text as stream_id, r.version,
               coalesce((select max(e.stream_version) from events e where e.stream_id = r.id::text), 0) as stream_version
        from ${sql(table)} r ${filter}
      ) checked
      where version > stream_version
      order by stream_id
      limit ${limit - found.length}`;
    for (const row of rows) {
      found.push({ readModel: table, streamId: row.stream_id, version: row.version, streamVersion: row.stream_version });
    }
    if (found.length >= limit) break;
  }
  return found;
}

export const describeAhead = (row: ReadModelAhead): string =>
  `read model ${row.readModel} shows stream ${row.streamId} at version ${row.version}, but the stream ` +
  (row.streamVersion === 0 ? 'has no events' : `ends at version ${row.streamVersion}`) +
  ': events were removed from the log (tampering), or a projection bug';
