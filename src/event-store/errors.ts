import type { ExpectedVersion } from './types.ts';

/** A stale expectation: the stream was not at the version the writer expected. Nothing was written. */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual version ${actual}`);
  }
}

/**
 * A version conflict inside a caller's transaction, whose actual version is read once the transaction has ended
 * (`EventStore.transaction` turns it into a ConcurrencyConflictError). Reading it at once would need a second
 * connection while this one is held by an aborted transaction: with every pooled connection held that way (many
 * writers of one stream at once), none would ever be free to answer, and all would wait until the idle timeout.
 */
export class ConflictInTransactionError extends Error {
  override readonly name = 'ConflictInTransactionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, found another version (read after the transaction)`);
  }
}

/** An append whose attached write declined it (AttachedWrite.declineIf was true). Nothing was written. */
export class AppendDeclinedError extends Error {
  override readonly name = 'AppendDeclinedError';
  constructor(readonly streamId: string) {
    super(`stream ${streamId}: the attached write declined the append`);
  }
}

/** Input the event store refuses before writing anything: names the offending field. */
export class EventStoreInputError extends Error {
  override readonly name = 'EventStoreInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** An append's condition (AppendOptions.condition) did not hold: the other stream moved on. Nothing was written. */
export class AppendConditionFailedError extends Error {
  override readonly name = 'AppendConditionFailedError';
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`append condition: stream ${streamId} expected at version ${expected}, actual version ${actual}`);
  }
}
