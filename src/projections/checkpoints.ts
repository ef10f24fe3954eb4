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

/** Records that the projection is stuck on an event, for status output in any process. */
export async function recordStall(sql: Sql, name: string, position: bigint, error: string): Promise<void> {
  await sql`
    update projection_checkpoints
    set stalled_at = coalesce(stalled_at, now()), stalled_position = ${position.toString()}::bigint, error = ${error}
    where name = ${name}`;
}
