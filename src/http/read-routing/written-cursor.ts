import type postgres from 'postgres';
import type { GlobalCheckpoint } from '../../event-store/index.ts';

/**
 * The log position after an operation's appends: the newest of the appended events that is in the log (an append
 * whose transaction rolled back is not), as (transaction id, position), the order read models are applied in. The
 * append reports positions only; the transaction id is read back here, on the primary, by primary key.
 */
export async function writtenPosition(sql: postgres.Sql, positions: readonly bigint[]): Promise<GlobalCheckpoint | null> {
  if (positions.length === 0) return null;
  const [row] = await sql<{ transaction_id: string; position: string }[]>`
    select transaction_id::text, position::text from events
    where position = any(${positions.map(String)}::bigint[])
    order by transaction_id desc, position desc
    limit 1`;
  return row ? { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) } : null;
}
