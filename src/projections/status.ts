import type { GlobalCheckpoint, Sql } from '../event-store/types.ts';
import { readLeaders, type LeaderInfo } from './leadership.ts';

export interface ProjectionStatus {
  name: string;
  /** Last applied event; null when the projection has never run. */
  checkpoint: GlobalCheckpoint | null;
  updatedAt: Date | null;
  /** Committed events after the checkpoint. */
  lagEvents: number;
  /** Age of the oldest event not applied yet; 0 when caught up. */
  lagSeconds: number;
  /** The process holding the leader lock, if any runs. */
  leader: LeaderInfo | null;
  stalled: { since: Date; position: bigint; error: string } | null;
}

interface Row {
  name: string;
  transaction_id: string | null;
  position: string | null;
  updated_at: Date | string | null;
  stalled_at: Date | string | null;
  stalled_position: string | null;
  error: string | null;
  lag_events: string;
  lag_seconds: number | null;
}

// A client that went through drizzle() hands timestamps over as strings (drizzle turns postgres.js' parsers off).
const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/** What `projections status` prints and a readiness check needs, from the database (any process can ask). */
export async function readProjectionStatus(sql: Sql, names: readonly string[]): Promise<ProjectionStatus[]> {
  const rows = await sql<Row[]>`
    select n.name, c.transaction_id::text, c.position::text, c.updated_at, c.stalled_at, c.stalled_position::text, c.error,
           lag.events::text as lag_events, lag.seconds::float8 as lag_seconds
    from unnest(${names as string[]}::text[]) with ordinality as n(name, ord)
    left join projection_checkpoints c on c.name = n.name
    cross join lateral (
      select count(*) as events, extract(epoch from now() - min(e.recorded_at)) as seconds
      from events e
      where (e.transaction_id, e.position) > (coalesce(c.transaction_id, 0)::text::xid8, coalesce(c.position, 0))
    ) lag
    order by n.ord`;
  const leaders = await readLeaders(sql, names);
  return rows.map((row) => ({
    name: row.name,
    checkpoint:
      row.transaction_id === null || row.position === null
        ? null
        : { transactionId: BigInt(row.transaction_id), position: BigInt(row.position) },
    updatedAt: toDate(row.updated_at),
    lagEvents: Number(row.lag_events),
    lagSeconds: Math.max(0, row.lag_seconds ?? 0),
    leader: leaders.get(row.name) ?? null,
    stalled:
      row.stalled_at && row.stalled_position !== null
        ? { since: toDate(row.stalled_at)!, position: BigInt(row.stalled_position), error: row.error ?? '' }
        : null,
  }));
}
