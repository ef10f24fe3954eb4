import type postgres from 'postgres';

/** A postgres.js client or a transaction handle from `sql.begin`. */
export type Sql = postgres.Sql | postgres.TransactionSql;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What a writer hands to `append`: the event's type, its payload and the payload's schema version. */
export interface NewEvent {
  type: string;
  data: JsonObject;
  /** Schema version of this event type's payload (for upcasting later). Defaults to 1. */
  schemaVersion?: number;
}

/** Metadata stored with every event of one append. */
export interface EventMetadata {
  tenantId: string;
  userId: string;
  correlationId: string;
  causationId: string | null;
  commandId: string;
  occurredAt: string;
  [key: string]: JsonValue;
}

/** `no_stream`: the stream must not exist. `any`: no check. A number: the stream's current version must equal it. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface AppendOptions {
  streamType: string;
  tenantId: string;
  metadata: EventMetadata;
  /**
   * Idempotency: an append carrying a command id that was appended before writes nothing and returns the
   * first append's result (with `duplicate: true`). Must be a UUID.
   */
  commandId?: string;
  /**
   * Appends only if another stream is still at a given version (e.g. a VM request decided on its project's facts):
   * checked in the append's own statement, after taking `sharedLock` for the transaction, so a writer of that
   * stream holding the lock exclusively until its commit is either seen or waits. A failed check writes nothing
   * and throws AppendConditionFailedError with the stream's actual version.
   */
  condition?: AppendCondition;
  /**
   * A write of the caller's that rides on the append's own statement, so both commit together in one round trip
   * without a transaction (e.g. a ledger row that must never be behind the events).
   */
  attached?: AttachedWrite;
}

/**
 * Both parts are built by the caller with the handle it passes (`sql`). They are evaluated in the append's statement,
 * so they see what was committed before it started (and, with a condition, nothing that committed while it waited
 * for the lock: such a writer changed the condition's stream, which the condition then sees).
 */
export interface AttachedWrite {
  /**
   * A boolean SQL expression: while it is true the append writes nothing and throws AppendDeclinedError, so the
   * caller can take a slower path (e.g. one that locks).
   */
  declineIf: postgres.PendingQuery<postgres.Row[]>;
  /**
   * A data-modifying statement, run as a CTE of the append: it must write only when `written` (a boolean SQL
   * expression, true when the events were written: not for a duplicate, a failed condition or a decline) holds.
   */
  write: (written: postgres.PendingQuery<postgres.Row[]>) => postgres.PendingQuery<postgres.Row[]>;
}

export interface AppendCondition {
  streamId: string;
  /** The version `streamId` must be at (0: it must not exist). */
  version: number;
  /** An advisory lock key (any text), taken shared until commit before the check. */
  sharedLock?: string;
}

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append (the version to expect next time). */
  nextExpectedVersion: number;
  firstPosition: bigint;
  lastPosition: bigint;
  /** The transaction that wrote the events (the first append's, for a duplicate): with lastPosition, a log cursor. */
  transactionId: bigint;
  /** True when the command id was seen before and nothing was written. */
  duplicate: boolean;
}

/** An event as read back from the store. */
export interface RecordedEvent {
  position: bigint;
  transactionId: bigint;
  streamId: string;
  streamType: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  tenantId: string;
  recordedAt: Date;
  prevHash: string | null;
  hash: string;
}

/** Where a global reader is: the last (transaction id, position) it has processed. */
export interface GlobalCheckpoint {
  transactionId: bigint;
  position: bigint;
}

export const START: GlobalCheckpoint = { transactionId: 0n, position: 0n };

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Pass this to the next `readAll`. Equals `after` when nothing new was returned. */
  checkpoint: GlobalCheckpoint;
}

export type VerifyResult =
  | { intact: true; checked: number }
  | { intact: false; checked: number; position: bigint; streamId: string; streamVersion: number; reason: string };
