import {
  createSourceEventStream,
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type Consumer, isRequestable, REQUEST_NEXT, type RequestableIterator } from '../../live/live-iterator.ts';

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
 * Where a transport takes error-free results straight from the live feed (src/http/ws.ts).
 *
 * Normally each result travels up the iterator chain yoga builds around a subscription (one wrapper per plugin
 * hook, for error masking) and back down for the next one: with 10,000 subscribers of one change that chain, not
 * the send, was most of the work per subscriber. A result without errors passes those wrappers unchanged (they mask
 * errors; metrics count subscriptions, not results), so a transport that attaches a sink gets such results
 * directly, synchronously from the feed's delivery for a result already computed for the change. A result with
 * errors still goes up the chain, masked as before. Backpressure is the sink's: the next value is taken from the
 * subscriber's bounded buffer only when the sink calls `done`, so a client that stops reading holds its latest state,
 * not a queue.
 */
export interface ResultSink {
  /** Sends `result`; calls `done` once the transport is ready for the next one (not at all when it stops). */
  sendResult(result: ExecutionResult, done: () => void): void;
}

export interface DirectResults {
  /** From now on, error-free results go to `sink` instead of up the iterator chain. Attach before the first `next()`. */
  attach(sink: ResultSink): void;
}

/** Subscriptions a transport may attach a sink to, by their GraphQL context (one subscription per context). */
const direct = new WeakMap<object, DirectResults>();

/** The direct path of the subscription started with this context, if it has one; handed out once. */
export const takeDirectResults = (contextValue: unknown): DirectResults | undefined => {
  if (typeof contextValue !== 'object' || contextValue === null) return undefined;
  const found = direct.get(contextValue);
  direct.delete(contextValue);
  return found;
};

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

/**
 * A live subscription's results: each state from the live iterator executed (shared), then either handed to the
 * attached sink or answered to the pending `next()`. A class, not closures: one of these per idle subscriber.
 *
 * Exactly one request to the live iterator is outstanding at a time: while the chain's `next()` is pending the
 * results iterate here, each sent result asking for the next state when its send is done; a result with errors
 * answers the pending `next()`, and the chain's following `next()` asks again.
 */
class SharedResults implements AsyncIterableIterator<ExecutionResult>, Consumer<unknown>, DirectResults {
  private sink: ResultSink | null = null;
  private pending: Consumer<ExecutionResult> | null = null;
  private readonly requestNext = (): void => this.source[REQUEST_NEXT](this);

  constructor(
    private readonly source: RequestableIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly key: string,
  ) {}

  attach(sink: ResultSink): void {
    this.sink = sink;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.requestNext();
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    // The pending `next()` may have no request outstanding (the sink holds the turn): it ends here too.
    this.answer(DONE);
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    this.answer(DONE);
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** A step of the live iterator (Consumer): runs inside the feed's fan-out, so it never throws. */
  resolve(step: IteratorResult<unknown>): void {
    if (step.done) return this.answer(DONE);
    let result: Result;
    try {
      result = executeShared(this.args, this.key, step.value);
    } catch (error) {
      return this.reject(error);
    }
    if (result instanceof Promise) result.then((settled) => this.relay(settled), (error: unknown) => this.reject(error));
    else this.relay(result);
  }

  reject(error: unknown): void {
    const consumer = this.pending;
    this.pending = null;
    consumer?.reject(error);
  }

  private relay(result: ExecutionResult): void {
    const sink = this.sink;
    if (sink === null || result.errors?.length) return this.answer({ value: result, done: false });
    try {
      sink.sendResult(result, this.requestNext);
    } catch (error) {
      this.reject(error);
    }
  }

  private answer(step: IteratorResult<ExecutionResult>): void {
    const consumer = this.pending;
    this.pending = null;
    consumer?.resolve(step);
  }
}

/**
 * One change, one execution per distinct subscription operation, however many subscribers it goes to.
 *
 * graphql-js executes a subscription's selection once per event and subscriber; with 10,000 subscribers of the
 * same request that is 10,000 identical executions of one payload. The live feed hands every subscriber of a
 * change the same payload object, and yoga hands every subscriber of the same query text the same document, so
 * the result for (payload, document, operation, variables) is computed once and shared. Live streams also offer
 * the direct path above (`takeDirectResults`).
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
      if (isRequestable(source)) {
        const results = new SharedResults(source, args, key);
        if (typeof args.contextValue === 'object' && args.contextValue !== null) direct.set(args.contextValue, results);
        return results;
      }
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
