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
