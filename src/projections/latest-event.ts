import type { GlobalCheckpoint, Sql } from '../event-store/types.ts';

/** The last committed event in (transaction id, position) order; null for an empty log. */
export async function latestEvent(sql: Sql): Promise<GlobalCheckpoint | null> {
  const [row] = await sql<{ transaction_id: string; position: string }[]>`
    select transaction_id::text, position::text from events order by events.transaction_id desc, events.position desc limit 1`;
  return row ? { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) } : null;
}
