import type postgres from 'postgres';

export interface ReplicaReading {
  /**
   * How far replay is behind, in seconds: 0 when everything received has been replayed (an idle primary sends
   * nothing, and the age of the last replayed transaction would then grow without any lag), else the age of the
   * last replayed transaction. 0 on a server that is not in recovery.
   */
  lagSeconds: number;
  /** pg_last_wal_replay_lsn(), for the status page; null on a server that is not in recovery. */
  replayLsn: string | null;
}

/** One round trip: is this replica behind, and by how much. */
export async function readReplicaLag(sql: postgres.Sql): Promise<ReplicaReading> {
  const [row] = await sql<{ lag: number | null; replay: string | null }[]>`
    select case
             when not pg_is_in_recovery() then 0
             when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
             else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 0)
           end::float8 as lag,
           pg_last_wal_replay_lsn()::text as replay`;
  return { lagSeconds: Math.max(0, row?.lag ?? 0), replayLsn: row?.replay ?? null };
}
