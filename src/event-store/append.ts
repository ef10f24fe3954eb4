import { ConcurrencyConflictError } from './errors.ts';
import { streamVersion } from './read-stream.ts';
import type { AppendOptions, AppendResult, ExpectedVersion, NewEvent, Sql } from './types.ts';
import { validateAppend } from './validate.ts';

/** SQLSTATE raised by the insert trigger when a version would leave a gap (the expected version is ahead). */
const VERSION_GAP = 'DV001';
const ANY_RETRIES = 10;

function isVersionConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint_name?: string };
  return (e.code === '23505' && e.constraint_name === 'events_stream_version_unique') || e.code === VERSION_GAP;
}

/**
 * Appends events to one stream in a single statement (one round trip, atomic).
 *
 * Why this is safe without locks: the new rows get versions `base + 1 .. base + n`. If another writer got there
 * first, UNIQUE (stream_id, stream_version) rejects the whole statement; if the expected version is ahead of the
 * stream, the insert trigger finds no predecessor and raises DV001. Either way nothing is written and the caller
 * gets a ConcurrencyConflictError with the actual version. The insert trigger also links the hash chain.
 *
 * `sql` may be a transaction handle; `reader` (the pool) answers the actual version after a failure, since a failed
 * statement aborts the caller's transaction.
 */
export async function append(
  sql: Sql,
  reader: Sql,
  streamId: string,
  expected: ExpectedVersion,
  events: readonly NewEvent[],
  options: AppendOptions,
  maxEventBytes: number,
  inTransaction: boolean,
): Promise<AppendResult> {
  const { eventsJson, metadataJson } = validateAppend(streamId, expected, events, options, maxEventBytes);
  for (let attempt = 1; ; attempt++) {
    try {
      return await insert(sql, streamId, expected, eventsJson, metadataJson, options);
    } catch (error) {
      if (!isVersionConflict(error)) throw error;
      const actual = await streamVersion(reader, streamId);
      // `any` promises no check: a lost race only means another version number, so try again (outside a caller's
      // transaction, which the failed statement has aborted).
      if (expected === 'any' && !inTransaction && attempt < ANY_RETRIES) continue;
      throw new ConcurrencyConflictError(streamId, expected, actual);
    }
  }
}

async function insert(
  sql: Sql,
  streamId: string,
  expected: ExpectedVersion,
  eventsJson: string,
  metadataJson: string,
  options: AppendOptions,
): Promise<AppendResult> {
  const base =
    expected === 'any'
      ? sql`(select coalesce(max(stream_version), 0) from events where stream_id = ${streamId})`
      : sql`${expected === 'no_stream' ? 0 : expected}::int`;
  const rows = options.commandId
    ? await sql<{ position: string; stream_version: number }[]>`
        with command as (
          insert into event_commands (command_id, stream_id) values (${options.commandId}::uuid, ${streamId})
          on conflict do nothing
          returning command_id
        )
        insert into events (stream_id, stream_type, stream_version, event_type, schema_version, data, metadata, tenant_id)
        select ${streamId}, ${options.streamType}, ${base} + e.ord::int, e.value->>'type',
               (e.value->>'schemaVersion')::int, e.value->'data', ${metadataJson}::text::jsonb, ${options.tenantId}
        from jsonb_array_elements(${eventsJson}::text::jsonb) with ordinality as e(value, ord)
        where exists (select 1 from command)
        order by e.ord
        returning position, stream_version`
    : await sql<{ position: string; stream_version: number }[]>`
        insert into events (stream_id, stream_type, stream_version, event_type, schema_version, data, metadata, tenant_id)
        select ${streamId}, ${options.streamType}, ${base} + e.ord::int, e.value->>'type',
               (e.value->>'schemaVersion')::int, e.value->'data', ${metadataJson}::text::jsonb, ${options.tenantId}
        from jsonb_array_elements(${eventsJson}::text::jsonb) with ordinality as e(value, ord)
        order by e.ord
        returning position, stream_version`;
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first && last) {
    return {
      streamId,
      nextExpectedVersion: last.stream_version,
      firstPosition: BigInt(first.position),
      lastPosition: BigInt(last.position),
      duplicate: false,
    };
  }
  return firstResult(sql, options.commandId!);
}

/** The result of the append that first carried this command id (it committed before we could insert ours). */
async function firstResult(sql: Sql, commandId: string): Promise<AppendResult> {
  const [row] = await sql<{ stream_id: string; first: string; last: string; version: number }[]>`
    select c.stream_id, min(e.position) as first, max(e.position) as last, max(e.stream_version) as version
    from event_commands c
    join events e on e.stream_id = c.stream_id and e.metadata->>'commandId' = c.command_id::text
    where c.command_id = ${commandId}::uuid
    group by c.stream_id`;
  if (!row) throw new Error(`command ${commandId} is recorded but its events are not visible`);
  return {
    streamId: row.stream_id,
    nextExpectedVersion: row.version,
    firstPosition: BigInt(row.first),
    lastPosition: BigInt(row.last),
    duplicate: true,
  };
}
