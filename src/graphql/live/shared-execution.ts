import {
  createSourceEventStream,
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

type Result = ExecutionResult | Promise<ExecutionResult>;

const documentIds = new WeakMap<DocumentNode, number>();
let documents = 0;
/** Per live payload (the feed hands one object to every subscriber of a change): results by operation. */
const shared = new WeakMap<object, Map<string, Result>>();

/** Same document object (yoga caches parsed documents by text), same operation, same variables. */
const operationKey = (args: ExecutionArgs): string => {
  let id = documentIds.get(args.document);
  if (id === undefined) {
    id = documents++;
    documents %= Number.MAX_SAFE_INTEGER;
    documentIds.set(args.document, id);
  }
  return `${id}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? null)}`;
};

const executeShared = (args: ExecutionArgs, key: string, payload: unknown): Result => {
  if (typeof payload !== 'object' || payload === null) return execute({ ...args, rootValue: payload });
  let byOperation = shared.get(payload);
  if (!byOperation) {
    byOperation = new Map();
    shared.set(payload, byOperation);
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

/**
 * One change, one execution per distinct subscription operation, however many subscribers it goes to.
 *
 * graphql-js executes a subscription's selection once per event and subscriber; with 10,000 subscribers of the
 * same request that is 10,000 identical executions of one payload. The live feed hands every subscriber of a
 * change the same payload object, and yoga hands every subscriber of the same query text the same document, so
 * the result for (payload, document, operation, variables) is computed once and shared.
 *
 * Sound because nothing under a subscription payload depends on who is asking: visibility is decided by the feed
 * before a change is delivered, and resolvers use the context only for its shared services (db, store). Keep it so.
 */
export const useSharedLiveExecution = (): Plugin => ({
  onSubscribe({ setSubscribeFn }) {
    setSubscribeFn(async (args: ExecutionArgs) => {
      const stream = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in stream)) return stream;
      const source = stream[Symbol.asyncIterator]();
      const key = operationKey(args);
      const results: AsyncIterableIterator<ExecutionResult> = {
        async next() {
          const step = await source.next();
          if (step.done) return { value: undefined, done: true };
          return { value: await executeShared(args, key, step.value), done: false };
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
    });
  },
});
