import type postgres from 'postgres';
import type { AppendedPosition, GlobalCheckpoint } from '../../event-store/index.ts';
import { compareCheckpoints } from '../../projections/cursor.ts';

/**
 * The log position after an operation's appends: the newest appended event that is in the log, as (transaction id,
 * position), the order read models are applied in. A committed append carries both from its own statement; only an
 * append made in a transaction the store did not commit (it may have rolled back) is looked up on the primary.
 */
export async function writtenPosition(sql: postgres.Sql, appended: readonly AppendedPosition[]): Promise<GlobalCheckpoint | null> {
  const known: GlobalCheckpoint[] = appended.filter((a) => a.uncommitted === null);
  const unsure = appended.filter((a) => a.uncommitted !== null);
  if (unsure.length > 0) {
    const [row] = await sql<{ transaction_id: string; position: string }[]>`
      select transaction_id::text, position::text from events
      where position = any(${unsure.map((a) => String(a.position))}::bigint[])
      order by transaction_id desc, position desc
      limit 1`;
    if (row) known.push({ transactionId: BigInt(row.transaction_id), position: BigInt(row.position) });
  }
  const newest = known.reduce<GlobalCheckpoint | null>((a, b) => (!a || compareCheckpoints(b, a) > 0 ? b : a), null);
  return newest && { transactionId: newest.transactionId, position: newest.position };
}
