import type postgres from 'postgres';
import { AppendConditionFailedError, AppendDeclinedError, ConcurrencyConflictError, ConflictInTransactionError } from './errors.ts';
import { streamVersion } from './read-stream.ts';
import type { AppendOptions, AppendResult, ExpectedVersion, Sql } from './types.ts';

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
 * `write.sql` may be a transaction handle; `reader` (the pool) answers the actual version after a failure, since a
 * failed statement aborts the caller's transaction. Inside a transaction that read waits until the transaction has ended
 * (ConflictInTransactionError), so a writer never holds one connection while it waits for another.
 */
export async function append(write: Write, reader: Sql, inTransaction: boolean): Promise<AppendResult> {
  const { streamId, expected, options } = write;
  for (let attempt = 1; ; attempt++) {
    try {
      return await (options.condition || options.attached ? guardedInsert(write) : insert(write));
    } catch (error) {
      if (!isVersionConflict(error)) throw error;
      if (inTransaction) throw new ConflictInTransactionError(streamId, expected);
      const actual = await streamVersion(reader, streamId);
      // `any` promises no check: a lost race only means another version number, so try again.
      if (expected === 'any' && attempt < ANY_RETRIES) continue;
      throw new ConcurrencyConflictError(streamId, expected, actual);
    }
  }
}

/** One validated append (see validateAppend), as the statements below write it. */
export interface Write {
  sql: Sql;
  streamId: string;
  expected: ExpectedVersion;
  eventsJson: string;
  metadataJson: string;
  options: AppendOptions;
}

/**
 * The statement (or CTE) that inserts one append's events: versions `base + 1 ..` in the given order, one
 * metadata for all, filtered by `where` (a command id or a condition), answering positions, versions and the
 * transaction id (set by the insert trigger).
 */
function insertEvents<T extends readonly object[] = postgres.Row[]>(
  { sql, streamId, expected, eventsJson, metadataJson, options }: Write,
  where: postgres.PendingQuery<postgres.Row[]>,
): postgres.PendingQuery<T> {
  const base =
    expected === 'any'
      ? sql`(select coalesce(max(stream_version), 0) from events where stream_id = ${streamId})`
      : sql`${expected === 'no_stream' ? 0 : expected}::int`;
  return sql<T>`
    insert into events (stream_id, stream_type, stream_version, event_type, schema_version, data, metadata, tenant_id)
    select ${streamId}, ${options.streamType}, ${base} + e.ord::int, e.value->>'type',
           (e.value->>'schemaVersion')::int, e.value->'data', ${metadataJson}::text::jsonb, ${options.tenantId}
    from jsonb_array_elements(${eventsJson}::text::jsonb) with ordinality as e(value, ord)
    ${where}
    order by e.ord
    returning position, stream_version, transaction_id::text`;
}

async function insert(write: Write): Promise<AppendResult> {
  const { sql, streamId, options } = write;
  const rows = options.commandId
    ? await sql<InsertedRow[]>`
        with command as (
          insert into event_commands (command_id, stream_id) values (${options.commandId}::uuid, ${streamId})
          on conflict do nothing
          returning command_id
        )
        ${insertEvents(write, sql`where exists (select 1 from command)`)}`
    : await insertEvents<InsertedRow[]>(write, sql``);
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first && last) {
    return {
      streamId,
      nextExpectedVersion: last.stream_version,
      firstPosition: BigInt(first.position),
      lastPosition: BigInt(last.position),
      transactionId: BigInt(last.transaction_id),
      duplicate: false,
    };
  }
  return firstResult(sql, options.commandId!);
}

interface InsertedRow {
  position: string;
  stream_version: number;
  transaction_id: string;
}

interface GuardedRow {
  position: string | null;
  stream_version: number | null;
  transaction_id: string | null;
  condition_version: number;
  declined: boolean;
}

/**
 * An append under a condition and/or with an attached write: one statement (one round trip, atomic), inside a
 * caller's transaction or not. Its guard calls dvmm_stream_version_after_lock (drizzle/0008), which takes the
 * condition's lock shared and then reads the other stream's version with a fresh snapshot, so a writer of that
 * stream that committed while we waited for the lock is seen; the lock is held until this append commits, so one
 * that comes later waits for us. That version and the attached write's decline gate the command id, the events and
 * the attached write, and every answer carries them (at least one row), so a failed condition and a decline are
 * told apart from a duplicate command.
 */
async function guardedInsert(write: Write): Promise<AppendResult> {
  const { sql, streamId, options } = write;
  const { condition, attached } = options;
  const conditionVersion = condition
    ? sql`dvmm_stream_version_after_lock(${condition.sharedLock ?? null}::text, ${condition.streamId}::text)`
    : sql`0`;
  const command = options.commandId
    ? sql`command as (
        insert into event_commands (command_id, stream_id)
        select ${options.commandId}::uuid, ${streamId} from guard where guard.holds
        on conflict do nothing
        returning command_id
      ),`
    : sql``;
  const rows = await sql<GuardedRow[]>`
    with guard as materialized (
      select version, declined, version = ${condition?.version ?? 0}::int and not declined as holds
      from (select ${conditionVersion} as version, ${attached ? attached.declineIf : sql`false`} as declined) as v
    ),
    ${command}
    inserted as (
      ${insertEvents(write, sql`where (select holds from guard) ${options.commandId ? sql`and exists (select 1 from command)` : sql``}`)}
    )
    ${attached ? sql`, attached as (${attached.write(sql`exists (select 1 from inserted)`)})` : sql``}
    select position::text, stream_version, transaction_id, (select version from guard) as condition_version,
           (select declined from guard) as declined
    from inserted
    union all
    select null, null, null, (select version from guard), (select declined from guard) where not exists (select 1 from inserted)`;
  const written = rows.filter((row) => row.position !== null);
  if (written.length > 0) {
    const positions = written.map((row) => BigInt(row.position!));
    return {
      streamId,
      nextExpectedVersion: Math.max(...written.map((row) => row.stream_version!)),
      firstPosition: positions.reduce((a, b) => (a < b ? a : b)),
      lastPosition: positions.reduce((a, b) => (a > b ? a : b)),
      // One statement: every row carries the same transaction id.
      transactionId: BigInt(written[0]!.transaction_id!),
      duplicate: false,
    };
  }
  const actual = rows[0]?.condition_version ?? 0;
  if (condition && actual !== condition.version) throw new AppendConditionFailedError(condition.streamId, condition.version, actual);
  if (rows[0]?.declined) throw new AppendDeclinedError(streamId);
  // The guard held, so the command id was taken already: a duplicate.
  return firstResult(sql, options.commandId!);
}

/** The result of the append that first carried this command id (it committed before we could insert ours). */
export async function firstResult(sql: Sql, commandId: string): Promise<AppendResult> {
  const [row] = await sql<{ stream_id: string; first: string; last: string; version: number; transaction_id: string }[]>`
    select c.stream_id, min(e.position) as first, max(e.position) as last, max(e.stream_version) as version,
           max(e.transaction_id)::text as transaction_id
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
    transactionId: BigInt(row.transaction_id),
    duplicate: true,
  };
}
