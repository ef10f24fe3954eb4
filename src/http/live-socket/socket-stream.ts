import type { ExecutionResult } from 'graphql';
import type { DirectResults, ResultSink } from './shared-results.ts';
import type { SocketAdapter } from './socket-adapter.ts';

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

/**
 * A subscription's results written straight to its socket, bypassing graphql-ws's per-result path (an await on
 * `onNext`, an object spread, a message validation and a JSON.stringify of the whole message per subscriber, which
 * with thousands of subscribers of one change is most of the fan-out). The payload is serialized once per shared
 * result and each socket's message is that string with its operation id around it. A live subscription's
 * error-free results come here directly from the feed (`ResultSink`), without travelling up yoga's iterator chain;
 * results with errors still come up the chain, masked.
 *
 * graphql-ws still runs the protocol: it asks this iterator for its first result, and that answer is the end of the
 * stream (it then sends `complete`) or its error (it sends `error`); results go out meanwhile, each after the
 * previous one is written, as graphql-ws does it, so a client that stops reading holds the stream (whose buffer is
 * bounded and reads on from the versions) rather than a queue of messages. `return()` (the client completed the
 * operation, or the socket closed) ends the stream.
 *
 * A class rather than closures: one of these per idle subscriber.
 */
export class SocketStream implements AsyncIterableIterator<ExecutionResult>, ResultSink {
  private readonly source: AsyncIterator<ExecutionResult>;
  private readonly prefix: string;
  private started = false;
  private finished = false;
  private waiting: { resolve: (result: IteratorResult<ExecutionResult>) => void; reject: (error: unknown) => void } | null = null;

  constructor(
    stream: AsyncIterable<ExecutionResult>,
    private readonly adapter: SocketAdapter,
    id: string,
    private readonly json: (result: ExecutionResult) => string,
    direct: DirectResults | undefined,
  ) {
    this.source = stream[Symbol.asyncIterator]();
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    direct?.attach(this);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.finished) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (!this.started) {
        this.started = true;
        this.pump();
      }
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.finished) {
      this.end();
      await this.source.return?.();
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (!this.finished) {
      this.end();
      await this.source.return?.();
    }
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** A result from the direct path; `done` asks for the next one. */
  sendResult(result: ExecutionResult, done: () => void): void {
    if (this.finished) return;
    this.write(result, done);
  }

  /** The next result up the iterator chain (the only path for streams without a direct one). */
  private pump(): void {
    if (this.finished) return;
    this.source.next().then(
      (step) => {
        if (this.finished) return;
        if (step.done) return this.end();
        this.write(step.value, () => this.pump());
      },
      (error: unknown) => this.end(error ?? new Error('subscription stream failed')),
    );
  }

  private write(result: ExecutionResult, then: () => void): void {
    // As graphql-ws: nothing is sent on a socket that is no longer open; its close ends this stream.
    if (!this.adapter.open) return then();
    this.adapter.write(this.prefix + this.json(result) + '}', (error) => {
      if (!error) return then();
      void this.source.return?.();
      this.end(error);
    });
  }

  private end(error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const consumer = this.waiting;
    this.waiting = null;
    if (error === undefined) consumer?.resolve(DONE);
    else consumer?.reject(error);
  }
}
