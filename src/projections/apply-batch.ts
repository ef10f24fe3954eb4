import type postgres from 'postgres';
import type { GlobalCheckpoint, RecordedEvent } from '../event-store/types.ts';
import { CHANGES_CHANNEL, encodeChanges, rowChange, type RowChange } from './changes.ts';
import { advanceCheckpoint } from './checkpoints.ts';
import { checkpointOf, compareCheckpoints } from './cursor.ts';
import type { ChangedRow, Projection } from './types.ts';

export type BatchOutcome =
  | { kind: 'applied'; checkpoint: GlobalCheckpoint; changes: RowChange[] }
  /** The checkpoint was no longer at `from`: someone else applied these events; nothing was written. */
  | { kind: 'stale' };

class StaleBatch extends Error {}

/**
 * Applies `events` (read after `from`) and moves the checkpoint to the last of them, in one transaction: either
 * the read tables, the checkpoint and the change notifications all commit, or none does.
 *
 * The NOTIFY is issued inside the transaction: Postgres delivers it when, and only if, the transaction commits, so
 * listeners hear about a change after it is visible and a crash between commit and publication cannot lose it.
 * (The global commit-order lock a NOTIFY takes costs little here: one writer per projection, batches not rows.)
 * A handler error propagates after the rollback.
 */
export async function applyBatch(
  sql: postgres.Sql,
  projection: Projection,
  from: GlobalCheckpoint,
  events: RecordedEvent[],
): Promise<BatchOutcome> {
  const last = events[events.length - 1];
  if (!last) return { kind: 'applied', checkpoint: from, changes: [] };
  const to = checkpointOf(last);
  try {
    const changes = await sql.begin(async (tx) => {
      if (!(await advanceCheckpoint(tx, projection.name, from, to))) throw new StaleBatch();
      const changed = await projection.apply(tx, events);
      const changes = publishable(projection.name, changed, to);
      const payloads = encodeChanges(changes);
      if (payloads.length > 0) {
        await tx`select pg_notify(${CHANGES_CHANNEL}, payload) from unnest(${payloads}::text[]) as payload`;
      }
      return changes;
    });
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
  | { kind: 'failed'; checkpoint: GlobalCheckpoint; applied: number; event: RecordedEvent; error: unknown };

/**
 * After a batch failed: applies its events one by one, so everything before the culprit commits and the checkpoint
 * ends right before it. The culprit is named by the outcome.
 */
export async function applyOneByOne(
  sql: postgres.Sql,
  projection: Projection,
  from: GlobalCheckpoint,
  events: RecordedEvent[],
): Promise<IsolatedOutcome> {
  let checkpoint = from;
  let applied = 0;
  for (const event of events) {
    let outcome: BatchOutcome;
    try {
      outcome = await applyBatch(sql, projection, checkpoint, [event]);
    } catch (error) {
      return { kind: 'failed', checkpoint, applied, event, error };
    }
    // Someone else moved the checkpoint: what we applied so far stands, the caller reloads where it is now.
    if (outcome.kind === 'stale') return { kind: 'stale' };
    checkpoint = outcome.checkpoint;
    applied++;
  }
  return { kind: 'applied', checkpoint, applied };
}
