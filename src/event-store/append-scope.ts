import { AsyncLocalStorage } from 'node:async_hooks';
import type { GlobalCheckpoint } from './types.ts';

/**
 * Where one append left the log: its last event (a duplicate's: the original's). `uncommitted` is the transaction
 * handle it was made in until that transaction commits through the store, and stays set for a transaction the store
 * did not run, whose fate only the log can tell.
 */
export interface AppendedPosition extends GlobalCheckpoint {
  uncommitted: object | null;
}

/** The appends made while a scope ran. */
export interface AppendScope {
  positions: AppendedPosition[];
}

const scopes = new AsyncLocalStorage<AppendScope>();

/**
 * Runs `fn` and collects where every append it makes left the log, however deep in the command layer, so that
 * whoever ran it (a GraphQL mutation) can tell its caller where the log stood after its writes, without every command
 * handing that back. An append inside a transaction is marked committed when the store commits that transaction;
 * one that rolls back stays uncommitted, and readers of the scope look those up in the log, where it is absent.
 */
export function collectAppends<T>(fn: () => T): { scope: AppendScope; result: T } {
  const scope: AppendScope = { positions: [] };
  return { scope, result: scopes.run(scope, fn) };
}

/** Called by the event store after each append; `transaction` is the caller's transaction handle, if any. */
export function noteAppend(at: GlobalCheckpoint, transaction: object | null): void {
  scopes.getStore()?.positions.push({ transactionId: at.transactionId, position: at.position, uncommitted: transaction });
}

/** Called by the event store once `transaction` has committed: its appends stand. */
export function noteCommitted(transaction: object): void {
  for (const appended of scopes.getStore()?.positions ?? []) {
    if (appended.uncommitted === transaction) appended.uncommitted = null;
  }
}
