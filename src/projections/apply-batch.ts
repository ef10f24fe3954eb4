import type postgres from 'postgres';
import type { GlobalCheckpoint } from '../event-store/types.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { CHANGES_CHANNEL, encodeChanges, rowChange, type RowChange } from './changes.ts';
import { advanceCheckpoints } from './checkpoints.ts';
import { checkpointOf, compareCheckpoints } from './cursor.ts';
import type { ChangedRow, PreparedBatch, Projection } from './types.ts';

export type BatchOutcome =
  | { kind: 'applied'; checkpoint: GlobalCheckpoint; changes: RowChange[] }
  /** A checkpoint was no longer at `from`: someone else applied these events; nothing was written. */
  | { kind: 'stale' };

class StaleBatch extends Error {}

/**
 * Applies `events` (read after `from`) to one or more projections and moves their checkpoints to the last of
 * them, in one transaction: the read tables, the checkpoints and the change notifications all commit, or none do.
 * Several projections at the same checkpoint share the transaction (one BEGIN, one guard, one commit flush);
 * when one of them fails, the runtime retries them one by one, so the failure stays with its projection.
 *
 * The NOTIFY is issued inside the transaction: Postgres delivers it when, and only if, the transaction commits, so
 * listeners hear about a change after it is visible and a crash between commit and publication cannot lose it.
 * (The global commit-order lock a NOTIFY takes costs little here: one writer per projection, batches not rows.)
 * A handler error propagates after the rollback.
 */
export interface ApplyOptions {
  /**
   * false: commit without waiting for the WAL flush (`synchronous_commit = off` for this transaction). A server
   * crash may then lose the last fraction of a second of projector commits, read tables and checkpoint together,
   * and the projector applies those events again; nothing is skipped or doubled, but a listener may have heard of a
   * change that the crash undid until it is re-applied. Default: false when every projection of the batch allows
   * it (Projection.asynchronousCommit), else true.
   */
  synchronousCommit?: boolean;
  /**
   * The batch's writes as Projection.prepare worked them out beforehand, one per projection in order (null: that
   * projection is applied with `apply`).
   */
  prepared?: readonly (PreparedBatch | null)[];
}

export async function applyBatch(
  sql: postgres.Sql,
  projections: Projection | readonly Projection[],
  from: GlobalCheckpoint,
  events: LogEvent[],
  options: ApplyOptions = {},
): Promise<BatchOutcome> {
  const group = Array.isArray(projections) ? (projections as readonly Projection[]) : [projections as Projection];
  const last = events[events.length - 1];
  if (!last || group.length === 0) return { kind: 'applied', checkpoint: from, changes: [] };
  const to = checkpointOf(last);
  let published = null as Promise<unknown> | null;
  try {
    const changes = await sql.begin(async (tx) => {
      const synchronous = options.synchronousCommit ?? !group.every((p) => p.asynchronousCommit === true);
      const asynchronous = synchronous ? null : tx`set local synchronous_commit = off`.execute();
      // The guard goes first on the connection, so it takes the checkpoint rows' locks (waiting for any other
      // writer) before a handler statement runs; the handlers' statements are sent right behind it rather than
      // after its answer, and all of it rolls back if it finds a checkpoint moved.
      const guard = advanceCheckpoints(tx, group.map((p) => p.name), from, to);
      // Handlers run side by side: their statements pipeline on the transaction's connection.
      const applied = Promise.allSettled(group.map((p, i) => options.prepared?.[i]?.(tx) ?? p.apply(tx, events)));
      // Wait for everything to settle before deciding: postgres.js would run a statement issued after the
      // transaction ended outside of it, on a connection back in the pool.
      const [moved, results, settings] = await Promise.allSettled([guard, applied, asynchronous]);
      if (settings.status === 'rejected') throw settings.reason;
      if (moved.status === 'rejected') throw moved.reason;
      if (moved.value !== group.length) throw new StaleBatch();
      if (results.status === 'rejected') throw results.reason;
      const changes: RowChange[] = [];
      for (const [i, result] of results.value.entries()) {
        if (result.status === 'rejected') throw result.reason;
        changes.push(...publishable(group[i]!.name, result.value, to));
      }
      const payloads = encodeChanges(changes);
      if (payloads.length > 0) {
        // Sent, not awaited: it runs right before the COMMIT that postgres.js sends behind it on this connection,
        // which saves a round trip. Should it fail, the transaction is aborted and that COMMIT only rolls back
        // (Postgres answers ROLLBACK, not an error), so the batch counts as applied only once this has succeeded.
        published = tx`select pg_notify(${CHANGES_CHANNEL}, payload) from unnest(${payloads}::text[]) as payload`.execute();
        published.catch(() => {}); // awaited below; this keeps a failure from being reported as unhandled meanwhile
      }
      return changes;
    });
    if (published) await published;
    return { kind: 'applied', checkpoint: to, changes };
  } catch (error) {
    if (error instanceof StaleBatch) return { kind: 'stale' };
    throw error;
  }
}

/** One entry per row, carrying the newest cursor the batch gave it. */
function publishable(projection: string, changed: readonly ChangedRow[], batchEnd: GlobalCheckpoint): RowChange[] {
  const latest = new Map<string, { row: ChangedRow; cursor: GlobalCheckpoint }>();
  for (const row of changed) {
    const cursor = row.cursor ?? batchEnd;
    const seen = latest.get(row.id);
    if (!seen || compareCheckpoints(cursor, seen.cursor) > 0) latest.set(row.id, { row, cursor });
  }
  return [...latest.values()].map(({ row, cursor }) => rowChange(projection, row.id, row.tenantId, cursor));
}

export type IsolatedOutcome =
  | { kind: 'applied'; checkpoint: GlobalCheckpoint; applied: number }
  | { kind: 'stale' }
  /** Events before `event` were applied (the checkpoint is just before it); `event` itself fails. */
  | { kind: 'failed'; checkpoint: GlobalCheckpoint; applied: number; event: LogEvent; error: unknown };

/**
 * After a batch failed: finds the culprit by bisection (apply the first half; if that fails, look inside it; else
 * go on with the second half), so everything before the culprit commits and the checkpoint ends right before it,
 * in about 2 log2(n) transactions rather than n. The culprit is named by the outcome.
 */
export async function applyIsolating(
  sql: postgres.Sql,
  projection: Projection,
  from: GlobalCheckpoint,
  events: LogEvent[],
  options: ApplyOptions = {},
): Promise<IsolatedOutcome> {
  // `events` as a whole has just failed; a single event is tried once more (the failure may have been transient).
  if (events.length === 1) {
    try {
      const outcome = await applyBatch(sql, projection, from, events, options);
      return outcome.kind === 'stale' ? outcome : { kind: 'applied', checkpoint: outcome.checkpoint, applied: 1 };
    } catch (error) {
      return { kind: 'failed', checkpoint: from, applied: 0, event: events[0]!, error };
    }
  }
  const half = Math.ceil(events.length / 2);
  const left = await applyHalf(sql, projection, from, events.slice(0, half), options);
  if (left.kind !== 'applied') return left;
  const right = await applyHalf(sql, projection, left.checkpoint, events.slice(half), options);
  if (right.kind === 'stale') return right;
  return { ...right, applied: left.applied + right.applied };
}

async function applyHalf(
  sql: postgres.Sql,
  projection: Projection,
  from: GlobalCheckpoint,
  events: LogEvent[],
  options: ApplyOptions,
): Promise<IsolatedOutcome> {
  try {
    const outcome = await applyBatch(sql, projection, from, events, options);
    return outcome.kind === 'stale' ? outcome : { kind: 'applied', checkpoint: outcome.checkpoint, applied: events.length };
  } catch {
    return applyIsolating(sql, projection, from, events, options);
  }
}
