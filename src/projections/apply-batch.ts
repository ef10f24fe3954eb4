import type postgres from 'postgres';
import type { GlobalCheckpoint } from '../event-store/types.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { CHANGES_CHANNEL, encodeChanges, rowChange, type RowChange } from './changes.ts';
import { checkpointOf, compareCheckpoints } from './cursor.ts';
import type { ChangedRow, PreparedBatch, Projection } from './types.ts';

export type BatchOutcome =
  | { kind: 'applied'; checkpoint: GlobalCheckpoint; changes: RowChange[] }
  /** A checkpoint was no longer at `from`: someone else applied these events; nothing was written. */
  | { kind: 'stale' };

/** SQLSTATE of dvmm_advance_checkpoints when a checkpoint was not at the batch's start (drizzle/0007). */
const STALE_BATCH = 'DV010';
/** SQLSTATE of a statement sent behind a failed one: the transaction is aborted (and will roll back). */
const IN_FAILED_TRANSACTION = '25P02';

/**
 * Applies `events` (read after `from`) to one or more projections and moves their checkpoints to the last of
 * them, in one transaction: the read tables, the checkpoints and the change notifications all commit, or none do.
 * Several projections at the same checkpoint share the transaction (one BEGIN, one guard, one commit flush);
 * when one of them fails, the runtime retries them one by one, so the failure stays with its projection.
 *
 * The transaction runs on one reserved connection, its statements sent without waiting for answers in between:
 * BEGIN, the guard, the handlers' writes, and (once the handlers have settled) the change NOTIFY and the COMMIT.
 * When every projection's batch is prepared and pipelined (PreparedBatch.changes), nothing needs an answer before
 * the COMMIT, so all of it goes out at once: one round trip. Each check that may refuse the batch is then a
 * statement that fails (the guard, dvmm_fail in the handlers): the transaction is aborted, the statements behind
 * it fail too, and the COMMIT only rolls back (Postgres answers ROLLBACK, not an error). Otherwise the handlers'
 * answers are awaited first (two round trips) and a failure sends ROLLBACK.
 *
 * The NOTIFY is issued inside the transaction: Postgres delivers it when, and only if, the transaction commits, so
 * listeners hear about a change after it is visible and a crash between commit and publication cannot lose it.
 * (The global commit-order lock a NOTIFY takes costs little here: one writer per projection, batches not rows.)
 * A handler error propagates after the rollback.
 *
 * `sql` should be a pool whose sessions are read-only by default (connection.ts batchPool; the transaction is
 * opened READ WRITE), so a statement that somehow runs after the COMMIT cannot write.
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
  const synchronous = options.synchronousCommit ?? !group.every((p) => p.asynchronousCommit === true);
  const connection = await sql.reserve();
  let ended = false;
  try {
    // After the COMMIT or ROLLBACK has been sent, a handler statement would run outside the transaction: refused.
    // Every statement created is kept, to check that a pipelined batch has sent all of its own before the COMMIT.
    const created: { executed?: boolean }[] = [];
    const tx = new Proxy(connection, {
      apply(target, self, args) {
        if (ended) throw new Error('a projection handler sent a statement after its batch transaction ended');
        const statement = Reflect.apply(target, self, args) as { executed?: boolean };
        created.push(statement);
        return statement;
      },
    }) as unknown as postgres.TransactionSql;
    const sent: Promise<unknown>[] = [];
    const send = (statement: postgres.PendingQuery<postgres.Row[]>): Promise<unknown> => {
      const result = statement.execute().then((rows) => rows);
      result.catch(() => {}); // every one is awaited below; this keeps a failure from being reported as unhandled meanwhile
      sent.push(result);
      return result;
    };
    // A simple query: BEGIN and SET LOCAL as one message.
    send(connection.unsafe(synchronous ? 'begin read write' : 'begin read write; set local synchronous_commit = off'));
    // The guard goes first, so it takes the checkpoint rows' locks (waiting for any other writer) before a handler
    // statement runs; it fails the transaction if a checkpoint moved.
    const guard = send(connection`
      select dvmm_advance_checkpoints(${group.map((p) => p.name)}::text[], ${from.transactionId.toString()}::bigint,
        ${from.position.toString()}::bigint, ${to.transactionId.toString()}::bigint, ${to.position.toString()}::bigint)`);
    // Handlers run side by side: their statements pipeline on the connection, behind the guard.
    const batches = group.map((p, i) => options.prepared?.[i] ?? null);
    const handlers = group.map((p, i) => {
      const handled = batches[i] ? batches[i]!(tx) : p.apply(tx, events);
      handled.catch(() => {});
      return handled;
    });
    const declared = batches.every((b) => b?.changes !== undefined) ? batches.map((b) => b!.changes!) : null;
    let changed: readonly (readonly ChangedRow[])[];
    if (declared) {
      // postgres.js sends a statement when it is first awaited or executed, a microtask or two later: one that a
      // handler has not executed yet could go out behind the COMMIT. A pipelined batch executes them all at once.
      if (created.some((statement) => statement.executed === false)) {
        ended = true;
        await connection`rollback`.execute().catch(() => {});
        throw new Error('a pipelined batch left a statement unsent when it returned (see PreparedBatch)');
      }
      changed = declared;
    } else {
      // Some handler may need an answer before it sends its last statement: wait for all of them.
      const settled = await Promise.allSettled([...sent, ...handlers]);
      if (settled.some((r) => r.status === 'rejected')) {
        ended = true;
        await connection`rollback`.execute().catch(() => {});
        return failure(await guardOutcome(guard), handlers);
      }
      changed = await Promise.all(handlers);
    }
    const changes = group.flatMap((p, i) => publishable(p.name, changed[i]!, to));
    const payloads = encodeChanges(changes);
    if (payloads.length > 0) send(connection`select pg_notify(${CHANGES_CHANNEL}, payload) from unnest(${payloads}::text[]) as payload`);
    const commit = connection`commit`.execute();
    ended = true;
    const [committed, results] = await Promise.all([commit.then((r) => r, (e: unknown) => e), Promise.allSettled([...sent, ...handlers])]);
    if (committed instanceof Error) throw committed;
    const command = (committed as postgres.RowList<postgres.Row[]>).command;
    if (results.some((r) => r.status === 'rejected')) {
      // A failed statement aborts the transaction, so the COMMIT rolled back; anything else is a broken promise.
      if (command === 'COMMIT') throw new Error('a batch transaction committed although one of its statements failed');
      return failure(await guardOutcome(guard), [...handlers, ...sent]);
    }
    if (command !== 'COMMIT') throw new Error(`batch transaction ended with ${command}`);
    return { kind: 'applied', checkpoint: to, changes };
  } finally {
    if (!ended) await connection`rollback`.execute().catch(() => {});
    connection.release();
  }
}

/** The guard's verdict once it has settled: stale, or an error of its own (null: it passed). */
async function guardOutcome(guard: Promise<unknown>): Promise<'stale' | { error: unknown } | null> {
  try {
    await guard;
    return null;
  } catch (error) {
    return (error as { code?: string }).code === STALE_BATCH ? 'stale' : { error };
  }
}

/**
 * The outcome of a transaction that rolled back: stale when the guard said so, else the first error that is not
 * just "the transaction was already aborted" (a handler's, then the NOTIFY's).
 */
async function failure(guard: 'stale' | { error: unknown } | null, others: Promise<unknown>[]): Promise<BatchOutcome> {
  if (guard === 'stale') return { kind: 'stale' };
  if (guard) throw guard.error;
  const errors: unknown[] = [];
  for (const result of await Promise.allSettled(others)) if (result.status === 'rejected') errors.push(result.reason);
  throw errors.find((e) => (e as { code?: string }).code !== IN_FAILED_TRANSACTION) ?? errors[0] ?? new Error('batch transaction rolled back');
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
