import type postgres from 'postgres';
import { readAllLean, type LogEvent } from '../event-store/read-all.ts';
import { START, type GlobalCheckpoint } from '../event-store/types.ts';
import { CHANGES_CHANNEL, encodeChanges, rowChange, type RowChange } from './changes.ts';
import { ensureCheckpoint } from './checkpoints.ts';
import { compareCheckpoints } from './cursor.ts';
import { createDeferredIndexes, createShadow, dropShadow, swapShadow, useShadow, type Shadow } from './shadow.ts';
import type { ChangedRow, Log, PreparedBatch, Projection } from './types.ts';

/** First key of the lock that keeps two rebuilds of one projection apart ('DVMR'). */
const REBUILD_LOCK_CLASS = 0x44564d52;

export interface RebuildProgress {
  applied: number;
  /** Events visible when the rebuild started (more may arrive meanwhile). */
  total: number;
  /** Since the rebuild started (see rebuildRate). */
  seconds: number;
}

export interface RebuildOptions {
  sql: postgres.Sql;
  projection: Projection;
  /** Events per read and per transaction. Default 20,000 (see ProjectorOptions.batchSize). */
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
  log?: Log;
  /** Date.now() when the rebuild started: progress counts seconds from there. Default: when buildShadow starts. */
  startedAt?: number;
}

export interface RebuildResult {
  events: number;
  seconds: number;
  checkpoint: GlobalCheckpoint;
}

export interface BuiltShadow {
  shadow: Shadow;
  checkpoint: GlobalCheckpoint;
  events: number;
}

/**
 * Replays the whole log into shadow copies of the projection's tables, up to what is visible now. The live tables
 * are not touched. Used by `rebuildProjection`, and by tests to compare a live read model with a fresh one.
 */
export async function buildShadow(options: RebuildOptions): Promise<BuiltShadow> {
  const { sql, projection, onProgress } = options;
  const batchSize = options.batchSize ?? 20_000;
  const shadow = await createShadow(sql, projection);
  try {
    const [row] = await sql<{ total: string }[]>`
      select count(*)::text as total from events where transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;
    const total = Number(row?.total ?? 0);
    const started = options.startedAt ?? Date.now();
    let checkpoint = START;
    let applied = 0;
    // The next batch is read, and prepared (Projection.prepare), while the current one is written.
    const read = (after: GlobalCheckpoint) =>
      readAllLean(sql, after, batchSize).then((result) => ({
        ...result,
        write: projection.prepare && result.events.length > 0 ? prepareOrFail(projection, result.events) : null,
      }));
    let ahead = read(checkpoint);
    for (;;) {
      const { events, checkpoint: next, write } = await ahead;
      if (events.length === 0) break;
      ahead = read(next);
      await sql.begin(async (tx) => {
        await useShadow(tx, shadow);
        await (write ? write(tx) : projection.apply(tx, events));
      }).catch((error: unknown) => {
        ahead.catch(() => {});
        throw error;
      });
      checkpoint = next;
      applied += events.length;
      onProgress?.({ applied, total: Math.max(total, applied), seconds: (Date.now() - started) / 1000 });
    }
    await createDeferredIndexes(sql, shadow);
    return { shadow, checkpoint, events: applied };
  } catch (error) {
    await dropShadow(sql, shadow).catch(() => {});
    throw error;
  }
}

/** The projection's prepared writes; a prepare that throws gives writes that fail the same way. */
function prepareOrFail(projection: Projection, events: LogEvent[]): PreparedBatch {
  try {
    return projection.prepare!(events);
  } catch (error) {
    return () => Promise.reject(error);
  }
}

/**
 * Rebuilds a projection from event zero while the live read model keeps serving, then replaces it in one
 * transaction. That transaction first locks the projection's checkpoint row (the live projector takes the same row
 * lock as its batches' first statement, so none of its batches runs meanwhile), applies the events that arrived
 * during the rebuild to the shadow tables, swaps the tables, moves the checkpoint there and publishes the rows
 * that last step changed. The live projector's next batch then finds the checkpoint moved, discards itself and
 * continues from the new checkpoint.
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { sql, projection } = options;
  const log = options.log ?? (() => {});
  const batchSize = options.batchSize ?? 20_000;
  const started = Date.now();
  const lock = await sql.reserve();
  try {
    const [held] = await lock<{ ok: boolean }[]>`
      select pg_try_advisory_lock(${REBUILD_LOCK_CLASS}::int, hashtext(${projection.name})) as ok`;
    if (!held?.ok) throw new Error(`a rebuild of ${projection.name} is already running`);
    try {
      await ensureCheckpoint(sql, projection.name);
      const built = await buildShadow({ ...options, startedAt: started });
      log(`replayed ${built.events} events into ${built.shadow.schema}; swapping`);
      try {
        const result = await sql.begin(async (tx) => {
          const [live] = await tx<{ transaction_id: string; position: string }[]>`
            select transaction_id::text, position::text from projection_checkpoints where name = ${projection.name} for update`;
          await useShadow(tx, built.shadow);
          let checkpoint = built.checkpoint;
          let events = built.events;
          const changed: { projection: string; row: ChangedRow; cursor: GlobalCheckpoint }[] = [];
          for (;;) {
            const batch = await readAllLean(tx, checkpoint, batchSize);
            if (batch.events.length === 0) break;
            const rows = await projection.apply(tx, batch.events);
            for (const row of rows) changed.push({ projection: projection.name, row, cursor: row.cursor ?? batch.checkpoint });
            checkpoint = batch.checkpoint;
            events += batch.events.length;
          }
          const liveCheckpoint = { transactionId: BigInt(live!.transaction_id), position: BigInt(live!.position) };
          if (compareCheckpoints(checkpoint, liveCheckpoint) < 0) {
            // Cannot happen with gap-safe reads (the horizon only moves forward); refuse rather than go back in time.
            throw new Error(`rebuilt ${projection.name} ends before the live checkpoint; nothing was swapped`);
          }
          await swapShadow(tx, built.shadow);
          await tx`
            update projection_checkpoints
            set transaction_id = ${checkpoint.transactionId.toString()}::bigint, position = ${checkpoint.position.toString()}::bigint,
                updated_at = now(), stalled_at = null, stalled_position = null, error = null
            where name = ${projection.name}`;
          const payloads = encodeChanges(latestPerRow(changed));
          if (payloads.length > 0) {
            await tx`select pg_notify(${CHANGES_CHANNEL}, payload) from unnest(${payloads}::text[]) as payload`;
          }
          return { events, checkpoint };
        });
        return { ...result, seconds: (Date.now() - started) / 1000 };
      } catch (error) {
        await dropShadow(sql, built.shadow).catch(() => {});
        throw error;
      }
    } finally {
      await lock`select pg_advisory_unlock(${REBUILD_LOCK_CLASS}::int, hashtext(${projection.name}))`;
    }
  } finally {
    lock.release();
  }
}

function latestPerRow(changed: { projection: string; row: ChangedRow; cursor: GlobalCheckpoint }[]): RowChange[] {
  const latest = new Map<string, { projection: string; row: ChangedRow; cursor: GlobalCheckpoint }>();
  for (const entry of changed) {
    const seen = latest.get(entry.row.id);
    if (!seen || compareCheckpoints(entry.cursor, seen.cursor) > 0) latest.set(entry.row.id, entry);
  }
  return [...latest.values()].map((e) => rowChange(e.projection, e.row.id, e.row.tenantId, e.cursor));
}
