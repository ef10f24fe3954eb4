import type postgres from 'postgres';
import type { GlobalCheckpoint, Sql } from '../event-store/types.ts';

interface CheckpointRow {
  transaction_id: string;
  position: string;
}

/** Creates the projection's checkpoint at the start of the log if it has none: a new projection replays history. */
export async function ensureCheckpoint(sql: Sql, name: string): Promise<void> {
  await sql`insert into projection_checkpoints (name) values (${name}) on conflict (name) do nothing`;
}

export async function loadCheckpoint(sql: Sql, name: string): Promise<GlobalCheckpoint> {
  await ensureCheckpoint(sql, name);
  const [row] = await sql<CheckpointRow[]>`
    select transaction_id::text, position::text from projection_checkpoints where name = ${name}`;
  if (!row) throw new Error(`projection ${name} has no checkpoint row`);
  return { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) };
}

/**
 * Moves the checkpoints of `names` from `from` to `to`, inside the batch's transaction, and only those still at
 * `from`; returns how many moved. Fewer than `names.length` means another process (a former leader, a rebuild)
 * committed meanwhile, so the batch is stale and its transaction must roll back. Run as the batch's first
 * statement, the UPDATE also takes the row locks that serialise every writer of these projections until commit; a
 * second writer with the same `from` waits, then re-reads the rows under READ COMMITTED, finds them moved and
 * matches nothing (commanded-ecto's last_seen guard).
 */
export async function advanceCheckpoints(
  tx: postgres.TransactionSql,
  names: readonly string[],
  from: GlobalCheckpoint,
  to: GlobalCheckpoint,
): Promise<number> {
  const rows = await tx`
    update projection_checkpoints
    set transaction_id = ${to.transactionId.toString()}::bigint, position = ${to.position.toString()}::bigint,
        updated_at = now(), stalled_at = null, stalled_position = null, error = null
    where name = any(${names as string[]}::text[])
      and transaction_id = ${from.transactionId.toString()}::bigint
      and position = ${from.position.toString()}::bigint`;
  return rows.count;
}

/** Records that the projection is stuck on an event, for status output in any process. */
export async function recordStall(sql: Sql, name: string, position: bigint, error: string): Promise<void> {
  await sql`
    update projection_checkpoints
    set stalled_at = coalesce(stalled_at, now()), stalled_position = ${position.toString()}::bigint, error = ${error}
    where name = ${name}`;
}
