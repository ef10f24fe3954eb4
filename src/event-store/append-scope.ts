import { AsyncLocalStorage } from 'node:async_hooks';

/** The positions appended while a scope ran (the last event of each append, duplicates' original included). */
export interface AppendScope {
  positions: bigint[];
}

const scopes = new AsyncLocalStorage<AppendScope>();

/**
 * Runs `fn` and collects the position of every append it makes, however deep in the command layer, so that whoever
 * ran it (a GraphQL mutation) can tell its caller where the log stood after its writes, without every command
 * handing that back. An append inside a transaction that later rolls back is collected too: readers of the scope
 * look the positions up in the log, where such a one is absent.
 */
export function collectAppends<T>(fn: () => T): { scope: AppendScope; result: T } {
  const scope: AppendScope = { positions: [] };
  return { scope, result: scopes.run(scope, fn) };
}

/** Called by the event store after each append. */
export function noteAppend(lastPosition: bigint): void {
  scopes.getStore()?.positions.push(lastPosition);
}
