import type postgres from 'postgres';
import type { GlobalCheckpoint } from '../event-store/types.ts';

/** Orders two log positions the way projectors apply them: (transaction id, position). */
export const comparePositions = (a: GlobalCheckpoint, b: GlobalCheckpoint): number =>
  a.transactionId !== b.transactionId ? (a.transactionId < b.transactionId ? -1 : 1) : a.position === b.position ? 0 : a.position < b.position ? -1 : 1;

/**
 * How far the read models on this server go: the lowest checkpoint of the named projections (one indexed read of
 * `projection_checkpoints`). Each checkpoint commits in the transaction that writes its rows, so on whichever server
 * this is read, every read model there includes every event at or below the answer; and since a projector applies an
 * event only after the event's own transaction committed, so do the write-side tables written with the event. Null
 * when a projection has no checkpoint yet.
 */
export async function readModelPosition(sql: postgres.Sql, projections: readonly string[]): Promise<GlobalCheckpoint | null> {
  const rows = await sql<{ transaction_id: string; position: string }[]>`
    select transaction_id::text, position::text from projection_checkpoints where name = any(${projections as string[]})`;
  if (rows.length < projections.length) return null;
  let lowest: GlobalCheckpoint | null = null;
  for (const row of rows) {
    const checkpoint = { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) };
    if (!lowest || comparePositions(checkpoint, lowest) < 0) lowest = checkpoint;
  }
  return lowest;
}
