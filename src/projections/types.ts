import type { PgTable } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { GlobalCheckpoint } from '../event-store/types.ts';
import type { LogEvent } from '../event-store/read-all.ts';

/** A read-model row a batch changed, for publication on `dvmm_changes`. */
export interface ChangedRow {
  id: string;
  tenantId: string;
  /**
   * The (transaction id, position) of the last event applied to the row, i.e. the row's change cursor. Optional:
   * without it the runtime uses the batch's last event, which is right only for a projection that does not keep a
   * per-row cursor.
   */
  cursor?: GlobalCheckpoint;
}

/**
 * A read model: its name (the checkpoint key), the tables it owns (rebuilt and swapped together) and a handler that
 * applies a batch of events inside the runtime's transaction. The handler writes only its own tables, may ignore
 * events it does not know, and throws only for a bug or corrupt data (the projection then stalls on that event).
 * It must not depend on other projections' tables: they may be behind, stalled or being rebuilt.
 * Tables are written through unqualified names (the default search_path), so a rebuild can point them at shadows.
 * `apply` may send statements side by side (they pipeline), but must not leave one running when it settles:
 * postgres.js would run a statement sent after the transaction ended outside of it.
 */
export interface Projection {
  name: string;
  tables: PgTable[];
  apply(tx: postgres.TransactionSql, events: LogEvent[]): Promise<ChangedRow[]>;
  /**
   * Optional: the part of `apply` that needs no database, on its own. It works out what `events` change and returns
   * the function that writes it; `prepare(events)(tx)` must do exactly what `apply(tx, events)` does. The runtime
   * prepares a batch read ahead while the previous batch's transaction is still running, so the two overlap. It may
   * throw (an event it cannot handle), which counts as a failure of the batch, like a throwing `apply`.
   */
  prepare?(events: LogEvent[]): PreparedBatch;
  /**
   * True when losing its last commits in a server crash is harmless, so its batches may commit without waiting
   * for the WAL flush (`synchronous_commit = off`: a few milliseconds less lag per batch, far more when the disk is
   * busy). Its rows and its checkpoint are lost together and the projector applies those events again, giving the
   * same rows and cursors. True for read models; never for a projection whose rows start work outside the
   * database (provisioning_jobs): the work could start for a row that the crash then undoes.
   */
  asynchronousCommit?: boolean;
}

/**
 * A batch's writes, worked out by Projection.prepare: sends them inside the runtime's transaction.
 *
 * With `changes` (see `pipelined`) the batch promises more: the call sends every statement before it returns (none
 * waits for another's answer), every check that can fail the batch is in SQL (a failing statement, e.g. through
 * `dvmm_fail`, never a test on an answer), and `changes` are the rows it changes. The runtime can then send the
 * whole transaction, BEGIN to COMMIT with the change NOTIFY, in one round trip: a failing statement aborts the
 * transaction and the COMMIT only rolls back.
 */
export type PreparedBatch = ((tx: postgres.TransactionSql) => Promise<ChangedRow[]>) & { readonly changes?: readonly ChangedRow[] };

/**
 * A pipelined prepared batch changing `changes` (see PreparedBatch): `statements(tx)` creates its statements, which
 * are sent at once, in order (`execute()`: a statement handed to `await` or Promise.all would only be sent a
 * microtask later, possibly behind the COMMIT).
 */
export function pipelined(
  changes: readonly ChangedRow[],
  statements: (tx: postgres.TransactionSql) => postgres.PendingQuery<postgres.Row[]>[],
): PreparedBatch {
  return Object.assign(
    async (tx: postgres.TransactionSql) => {
      await Promise.all(statements(tx).map((statement) => statement.execute()));
      return [...changes];
    },
    { changes },
  );
}

export type Log = (line: string) => void;

export interface StallInfo {
  /** Position of the event the handler failed on. */
  position: bigint;
  error: string;
  since: Date;
  attempts: number;
  /** When the runtime tries again. */
  retryAt: Date;
}

export interface ProjectionRuntimeStatus {
  name: string;
  /** This process holds the projection's leader lock. */
  leading: boolean;
  /** Last applied event; null while not leading (another process owns it). */
  checkpoint: GlobalCheckpoint | null;
  stalled: StallInfo | null;
  /** Events applied by this process since it started. */
  eventsApplied: number;
  lastCommitAt: Date | null;
}

export interface ProjectorStatus {
  /** The wake-up LISTEN is active (false while reconnecting; the poll still runs). */
  listening: boolean;
  projections: ProjectionRuntimeStatus[];
}
