import type postgres from 'postgres';
import { append } from './append.ts';
import { createAppendCombiner, type CombineOptions, type GroupStats } from './append-combiner.ts';
import { noteAppend, noteCommitted } from './append-scope.ts';
import { isCombinable } from './combined-insert.ts';
import { ConcurrencyConflictError, ConflictInTransactionError } from './errors.ts';
import { createNotifier, type Notifier } from './notifier.ts';
import { readAll } from './read-all.ts';
import { readStream, streamVersion } from './read-stream.ts';
import type {
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  GlobalCheckpoint,
  NewEvent,
  ReadAllResult,
  RecordedEvent,
  Sql,
  VerifyResult,
} from './types.ts';
import { DEFAULT_MAX_EVENT_BYTES, validateAppend } from './validate.ts';
import { verifyAll, verifyStream } from './verify.ts';

export * from './types.ts';
export { AppendConditionFailedError, AppendDeclinedError, ConcurrencyConflictError, EventStoreInputError } from './errors.ts';
export { EVENTS_CHANNEL } from './notifier.ts';
export { collectAppends, type AppendedPosition, type AppendScope } from './append-scope.ts';
export type { CombineOptions, GroupStats } from './append-combiner.ts';

export interface EventStoreOptions {
  /** Largest accepted event payload (JSON bytes). */
  maxEventBytes?: number;
  /** Minimum gap between two wake-up NOTIFYs. */
  notifyIntervalMs?: number;
  /** How concurrent appends outside transactions share statements (see createAppendCombiner). */
  combine?: CombineOptions;
}

export interface EventStore {
  /**
   * Appends in one round trip. With `options.sql` (a handle from `transaction`) it runs inside that transaction and
   * the wake-up goes out when the transaction commits.
   */
  append(
    streamId: string,
    expected: ExpectedVersion,
    events: readonly NewEvent[],
    options: AppendOptions & { sql?: postgres.TransactionSql },
  ): Promise<AppendResult>;
  /** Runs `fn` in a transaction and signals listeners after it commits. */
  transaction<T>(fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T>;
  readStream(streamId: string, fromVersion?: number): Promise<RecordedEvent[]>;
  streamVersion(streamId: string): Promise<number>;
  readAll(after: GlobalCheckpoint, limit: number): Promise<ReadAllResult>;
  verify(streamId: string): Promise<VerifyResult>;
  verifyAll(): Promise<VerifyResult>;
  /** Sends a pending wake-up now (call before shutting down). */
  flush(): Promise<void>;
  readonly sql: postgres.Sql;
  readonly notifier: Notifier;
  /** How appends were combined into statements so far. */
  readonly appendGroups: GroupStats;
}

export function createEventStore(sql: postgres.Sql, options: EventStoreOptions = {}): EventStore {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const notifier = createNotifier(sql, options.notifyIntervalMs);
  const combiner = createAppendCombiner(sql, options.combine);
  return {
    sql,
    notifier,
    appendGroups: combiner.stats,
    async append(streamId, expected, events, appendOptions) {
      const { sql: tx, ...rest } = appendOptions;
      const { eventsJson, metadataJson } = validateAppend(streamId, expected, events, rest, maxEventBytes);
      const write = { sql: tx ?? sql, streamId, expected, eventsJson, metadataJson, options: rest };
      const result = isCombinable(write, events.length, tx !== undefined)
        ? await combiner.append(write)
        : await append(write, sql, tx !== undefined);
      noteAppend({ transactionId: result.transactionId, position: result.lastPosition }, tx ?? null);
      if (!tx && !result.duplicate) notifier.signal();
      return result;
    },
    async transaction<T>(fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
      let result: T;
      let handle: postgres.TransactionSql | undefined;
      try {
        result = (await sql.begin((tx) => {
          handle = tx;
          return fn(tx);
        })) as T;
      } catch (error) {
        // Rolled back and its connection returned: now the actual version can be read (see ConflictInTransactionError).
        if (!(error instanceof ConflictInTransactionError)) throw error;
        throw new ConcurrencyConflictError(error.streamId, error.expected, await streamVersion(sql, error.streamId));
      }
      if (handle) noteCommitted(handle);
      notifier.signal();
      return result;
    },
    readStream: (streamId, fromVersion) => readStream(sql, streamId, fromVersion),
    streamVersion: (streamId) => streamVersion(sql, streamId),
    readAll: (after, limit) => readAll(sql, after, limit),
    verify: (streamId) => verifyStream(sql, streamId),
    verifyAll: () => verifyAll(sql),
    flush: () => notifier.flush(),
  };
}

export type { Sql };
