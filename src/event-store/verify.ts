import type { Sql, VerifyResult } from './types.ts';

interface BrokenRow {
  position: string;
  stream_id: string;
  stream_version: number;
  reason: string;
}

/**
 * Recomputes the hash chain (the same `dvmm_event_hash` the insert trigger uses) and names the first broken event
 * by position: content that no longer matches its hash, a link that no longer matches the previous event's hash,
 * or a missing version.
 */
async function check(sql: Sql, streamId: string | null): Promise<VerifyResult> {
  const filter = streamId === null ? sql`` : sql`where stream_id = ${streamId}`;
  const rows = await sql<(BrokenRow & { checked: string })[]>`
    with chain as (
      select position, stream_id, stream_version, prev_hash, hash,
             lag(hash) over w as previous_hash,
             coalesce(lag(stream_version) over w, 0) as previous_version,
             dvmm_event_hash(position, stream_id, stream_type, stream_version, event_type, schema_version,
                             data, metadata, tenant_id, recorded_at, prev_hash) as recomputed
      from events ${filter}
      window w as (partition by stream_id order by stream_version)
    ),
    verdicts as (
      select position, stream_id, stream_version,
             case
               when hash is distinct from recomputed then 'content does not match its hash'
               when prev_hash is distinct from previous_hash then 'link does not match the previous event''s hash'
               when stream_version <> previous_version + 1 then 'stream version ' || (previous_version + 1) || ' is missing'
             end as reason
      from chain
    )
    select (select count(*) from chain)::text as checked, v.position::text, v.stream_id, v.stream_version, v.reason
    from (select 1) one
    left join lateral (
      select * from verdicts where reason is not null order by position limit 1
    ) v on true`;
  const row = rows[0]!;
  const checked = Number(row.checked);
  if (row.reason === null) return { intact: true, checked };
  return {
    intact: false,
    checked,
    position: BigInt(row.position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    reason: row.reason,
  };
}

export const verifyStream = (sql: Sql, streamId: string): Promise<VerifyResult> => check(sql, streamId);
export const verifyAll = (sql: Sql): Promise<VerifyResult> => check(sql, null);
