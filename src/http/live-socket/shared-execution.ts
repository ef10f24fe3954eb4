import { createSourceEventStream, type DocumentNode, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isRequestable } from '../../live/live-iterator.ts';
import { type DirectResults, type Result, SharedResults } from './shared-results.ts';

/**
 * One change, one execution per distinct subscription operation, however many subscribers it goes to; one per server.
 *
 * graphql-js executes a subscription's selection once per event and subscriber: with thousands of subscribers of
 * the same request that is thousands of identical executions of one payload. The live feed hands every subscriber
 * of a change the same payload object, and yoga hands every subscriber of the same query text the same document, so
 * the result for (payload, document, operation, variables) is computed once and shared, and so is its JSON text.
 * Live streams also offer the direct path of shared-results.ts, taken by the WebSocket end (`takeDirectResults`).
 *
 * Sound because nothing under a subscription payload depends on who is asking: visibility is decided by the feed
 * before a change is delivered, and resolvers use the context only for its shared services (db, store). Keep it so.
 */
export class SharedExecution {
  /** yoga's end: every subscription's subscribe function, over SSE and WebSocket alike. */
  readonly plugin: Plugin = {
    onSubscribe: ({ setSubscribeFn }) => setSubscribeFn((args: ExecutionArgs) => this.subscribe(args)),
  };

  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private documents = 0;
  /** Per live payload: results by operation. */
  private readonly shared = new WeakMap<object, Map<string, Result>>();
  /** `next` payloads by result object: a result shared by many subscribers is serialized once. */
  private readonly serialized = new WeakMap<ExecutionResult, string>();
  /** Live subscriptions a transport may attach a sink to, by their GraphQL context (one subscription per context). */
  private readonly direct = new WeakMap<object, DirectResults>();

  /** The direct path of the subscription started with this context, if it has one; handed out once. */
  takeDirectResults(contextValue: unknown): DirectResults | undefined {
    if (typeof contextValue !== 'object' || contextValue === null) return undefined;
    const found = this.direct.get(contextValue);
    this.direct.delete(contextValue);
    return found;
  }

  /** A result's `next` payload as graphql-ws builds it (errors last, as their JSON form). */
  json(result: ExecutionResult): string {
    if (result.errors) {
      const { errors, ...rest } = result;
      return JSON.stringify({ ...rest, errors: errors.map((error) => error.toJSON()) });
    }
    let json = this.serialized.get(result);
    if (json === undefined) {
      json = JSON.stringify(result);
      this.serialized.set(result, json);
    }
    return json;
  }

  private readonly execute = (args: ExecutionArgs, key: string, payload: unknown): Result => {
    if (typeof payload !== 'object' || payload === null) return execute({ ...args, rootValue: payload });
    let byOperation = this.shared.get(payload);
    if (!byOperation) {
      byOperation = new Map();
      this.shared.set(payload, byOperation);
    }
    const known = byOperation.get(key);
    if (known) return known;
    const result = execute({ ...args, rootValue: payload });
    byOperation.set(key, result);
    const forget = (settled: ExecutionResult) => {
      // A result with errors stays the caller's own: it may carry what only that operation should see.
      if (settled.errors?.length) byOperation.delete(key);
    };
    if (result instanceof Promise) result.then(forget, () => byOperation.delete(key));
    else forget(result);
    return result;
  };

  /** Same document object (yoga caches parsed documents by text), same operation, same variables. */
  private operationKey(args: ExecutionArgs): string {
    let id = this.documentIds.get(args.document);
    if (id === undefined) {
      id = this.documents++;
      this.documents %= Number.MAX_SAFE_INTEGER;
      this.documentIds.set(args.document, id);
    }
    return `${id}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? null)}`;
  }

  private async subscribe(args: ExecutionArgs) {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const key = this.operationKey(args);
    if (isRequestable(source)) {
      const results = new SharedResults(source, this.execute, args, key);
      if (typeof args.contextValue === 'object' && args.contextValue !== null) this.direct.set(args.contextValue, results);
      return results;
    }
    const execute = this.execute;
    const results: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const step = await source.next();
        if (step.done) return { value: undefined, done: true };
        return { value: await execute(args, key, step.value), done: false };
      },
      async return() {
        await source.return?.();
        return { value: undefined, done: true };
      },
      async throw(error: unknown) {
        await source.return?.();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return results;
  }
}
