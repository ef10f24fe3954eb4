import type postgres from 'postgres';
import type { Write } from './append.ts';
import type { AppendResult } from './types.ts';

/** Combinable: one event, no condition, no attached write, not in a caller's transaction (see AppendCombiner). */
export const isCombinable = (write: Write, eventCount: number, inTransaction: boolean): boolean =>
  !inTransaction && eventCount === 1 && !write.options.condition && !write.options.attached;

/** One member of the statement's input, as jsonb_to_recordset reads it. */
const member = (i: number, { streamId, expected, eventsJson, metadataJson, options }: Write): string =>
  `{"i":${i},"stream_id":${JSON.stringify(streamId)},"stream_type":${JSON.stringify(options.streamType)},` +
  `"expected":${typeof expected === 'number' ? expected : 0},"any_version":${expected === 'any'},` +
  `"event_list":${eventsJson},"metadata":${metadataJson},"tenant_id":${JSON.stringify(options.tenantId)},` +
  `"command_id":${options.commandId ? JSON.stringify(options.commandId) : 'null'}}`;

/**
 * Appends several single-event appends to different streams (with distinct command ids) in one statement, so one
 * commit: the result of each member that was written, and `undefined` for each that was not, whose outcome the
 * caller settles on the single-append path (a conflict, a gap, a duplicate command id, or a lost race).
 *
 * Each member keeps the single path's guarantees without failing the others:
 * - a member whose command id is recorded already is left out (the single path answers the first append's result);
 * - a member whose expected version is not in its stream is left out, so the insert trigger never raises DV001 (a
 *   raise would abort every member): events are never deleted, so a version seen here is still there for the trigger,
 *   which links the hash chain to it as on the single path;
 * - a member whose version another writer took, before or during this statement, is skipped by ON CONFLICT DO
 *   NOTHING on UNIQUE (stream_id, stream_version); one event per member means a member is written whole or not at
 *   all;
 * - command ids are recorded for the written members only. One recorded concurrently by another writer fails the
 *   statement (nothing is written) and the caller settles every member on the single path.
 * All rows share the statement's transaction id, and so reach readers of the log together. They are inserted in
 * stream id order, so two such statements in flight at once wait for each other's rows in one order, never in a cycle.
 */
export async function insertCombined(sql: postgres.Sql, writes: readonly Write[]): Promise<(AppendResult | undefined)[]> {
  const members = `[${writes.map((write, i) => member(i, write)).join(',')}]`;
  const rows = await sql<{ i: number; position: string; stream_version: number; transaction_id: string }[]>`
    with m as materialized (
      select * from jsonb_to_recordset(${members}::text::jsonb) as m(
        i int, stream_id text, stream_type text, expected int, any_version boolean, event_list jsonb, metadata jsonb,
        tenant_id text, command_id uuid)
    ),
    ready as (
      select m.*, m.event_list->0 as event,
             case when m.any_version
               then (select coalesce(max(e.stream_version), 0) from events e where e.stream_id = m.stream_id)
               else m.expected end as base
      from m
      where m.command_id is null or not exists (select 1 from event_commands c where c.command_id = m.command_id)
    ),
    inserted as (
      insert into events (stream_id, stream_type, stream_version, event_type, schema_version, data, metadata, tenant_id)
      select r.stream_id, r.stream_type, r.base + 1, r.event->>'type', (r.event->>'schemaVersion')::int, r.event->'data',
             r.metadata, r.tenant_id
      from ready r
      where r.base = 0 or exists (select 1 from events e where e.stream_id = r.stream_id and e.stream_version = r.base)
      order by r.stream_id
      on conflict do nothing
      returning stream_id, position, stream_version, transaction_id
    ),
    commands as (
      insert into event_commands (command_id, stream_id)
      select m.command_id, m.stream_id from m join inserted using (stream_id) where m.command_id is not null
    )
    select m.i, inserted.position::text, inserted.stream_version, inserted.transaction_id::text
    from inserted join m using (stream_id)`;
  const results: (AppendResult | undefined)[] = writes.map(() => undefined);
  for (const row of rows) {
    const position = BigInt(row.position);
    results[row.i] = {
      streamId: writes[row.i]!.streamId,
      nextExpectedVersion: row.stream_version,
      firstPosition: position,
      lastPosition: position,
      transactionId: BigInt(row.transaction_id),
      duplicate: false,
    };
  }
  return results;
}
