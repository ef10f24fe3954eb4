import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { type Consumer, REQUEST_NEXT, type RequestableIterator } from '../../live/live-iterator.ts';

export type Result = ExecutionResult | Promise<ExecutionResult>;

/** Executes a subscription's selection on one live payload, shared with every subscriber of the same operation. */
export type ExecuteShared = (args: ExecutionArgs, key: string, payload: unknown) => Result;

/**
 * Where a transport takes error-free results straight from the live feed (socket-stream.ts).
 *
 * Normally each result travels up the iterator chain yoga builds around a subscription (one wrapper per plugin
 * hook, for error masking) and back down for the next one; with thousands of subscribers of one change that chain,
 * not the send, is most of the work per subscriber. A result without errors passes those wrappers unchanged (they
 * mask errors; metrics count subscriptions, not results), so a transport that attaches a sink gets such results
 * directly, synchronously from the feed's delivery for a result already computed for the change. A result with
 * errors still goes up the chain, masked as before. Backpressure is the sink's: the next value is taken from the
 * subscriber's bounded buffer only when the sink calls `done`, so a client that stops reading holds a cursor,
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

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

/**
 * A live subscription's results: each state from the live iterator executed (shared), then either handed to the
 * attached sink or answered to the pending `next()`. A class, not closures: one of these per idle subscriber.
 *
 * Exactly one request to the live iterator is outstanding at a time: while the chain's `next()` is pending the
 * results iterate here, each sent result asking for the next state when its send is done; a result with errors
 * answers the pending `next()`, and the chain's following `next()` asks again.
 */
export class SharedResults implements AsyncIterableIterator<ExecutionResult>, Consumer<unknown>, DirectResults {
  private sink: ResultSink | null = null;
  private pending: Consumer<ExecutionResult> | null = null;
  private readonly requestNext = (): void => this.source[REQUEST_NEXT](this);

  constructor(
    private readonly source: RequestableIterator<unknown>,
    private readonly execute: ExecuteShared,
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
      result = this.execute(this.args, this.key, step.value);
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
