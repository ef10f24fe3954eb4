import type postgres from 'postgres';
import { outageLog } from '../db/outage-log.ts';
import type { Log } from './types.ts';

export interface VersionPrunerOptions {
  sql: postgres.Sql;
  /** Versions whose event is older than this are pruned. */
  retentionMs: number;
  /** How often to prune. Default: hourly. */
  intervalMs?: number;
  /** Versions looked at per transaction, oldest first. Default 10,000. */
  chunk?: number;
  log: Log;
}

export interface VersionPruner {
  /** Prunes now; resolves with the number of versions removed (0 when another process holds the pruning lock). */
  pruneNow(now?: Date): Promise<number>;
  stop(): Promise<void>;
}

/** Transaction-scoped advisory lock: one process prunes at a time, and a crash releases it. */
const PRUNE_LOCK = 0x64766d6d_7072; // "dvmm" "pr"

/**
 * Keeps vm_request_versions bounded: removes the versions older than the retention, oldest first, and moves
 * vm_request_version_horizon up to the newest cursor removed, so the live feed refuses a `since` at or below it
 * (CURSOR_EXPIRED) instead of replaying a history with holes.
 *
 * It removes a prefix in cursor order, stopping at the first version inside the retention: a version is kept while
 * an older one is, so "everything after the horizon is there" holds even where commit order and event times
 * disagree by a little. Each chunk is one transaction that deletes and moves the horizon together.
 */
export function startVersionPruner(options: VersionPrunerOptions): VersionPruner {
  const { sql, log } = options;
  const chunk = options.chunk ?? 10_000;
  const outage = outageLog((line) => log(`[versions] ${line}`), 'pruning versions');
  let stopped = false;
  let running: Promise<number> | null = null;

  const pruneChunk = (cutoff: Date): Promise<number> =>
    sql.begin(async (tx) => {
      const [locked] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${PRUNE_LOCK}) as ok`;
      if (!locked?.ok) return 0;
      const [last] = await tx<{ changed_tx: string; changed_position: string }[]>`
        select changed_tx::text, changed_position::text from (
          select changed_tx, changed_position,
                 bool_and(updated_at < ${cutoff.toISOString()}::timestamptz) over (order by changed_tx, changed_position) as all_older
          from (select changed_tx, changed_position, updated_at from vm_request_versions
                order by changed_tx, changed_position limit ${chunk}) oldest
        ) prefix
        where all_older
        order by changed_tx desc, changed_position desc
        limit 1`;
      if (!last) return 0;
      const deleted = await tx`
        delete from vm_request_versions
        where (changed_tx, changed_position) <= (${last.changed_tx}::bigint, ${last.changed_position}::bigint)`;
      await tx`
        insert into vm_request_version_horizon (singleton, changed_tx, changed_position)
        values (1, ${last.changed_tx}::bigint, ${last.changed_position}::bigint)
        on conflict (singleton) do update set changed_tx = excluded.changed_tx, changed_position = excluded.changed_position
        where (vm_request_version_horizon.changed_tx, vm_request_version_horizon.changed_position)
            < (excluded.changed_tx, excluded.changed_position)`;
      return deleted.count;
    });

  const pruneNow = async (now = new Date()): Promise<number> => {
    const cutoff = new Date(now.getTime() - options.retentionMs);
    let total = 0;
    for (;;) {
      const removed = await pruneChunk(cutoff);
      total += removed;
      if (removed < chunk || stopped) return total;
    }
  };

  const tick = (): void => {
    if (stopped || running) return;
    running = pruneNow()
      .then((removed) => {
        outage.recovered();
        if (removed > 0) log(`[versions] pruned ${removed} version(s) older than the retention`);
        return removed;
      })
      .catch((error: unknown) => {
        outage.failed(error);
        return 0;
      })
      .finally(() => {
        running = null;
      });
  };

  const timer = setInterval(tick, options.intervalMs ?? 3_600_000);
  timer.unref();
  tick();

  return {
    pruneNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
