/** What a subscription's pull step found: something to deliver, nothing yet, or the end. */
export type Step<T> = { value: T } | 'wait' | 'done';

/** Callbacks answering one request for the next value: `next()` without a promise. */
export interface Consumer<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

/**
 * A live iterator's promise-free `next()`, under this key on the iterator: `consumer` is answered once, synchronously
 * when a value is ready, else from the `wake` that brings one. For consumers that relay thousands of values of one
 * change at once (shared-execution.ts): no promise and no microtask hop per value.
 */
export const REQUEST_NEXT: unique symbol = Symbol('live iterator: request next');

export type RequestableIterator<T> = AsyncIterableIterator<T> & { [REQUEST_NEXT](consumer: Consumer<T>): void };

export const isRequestable = <T>(iterator: AsyncIterator<T>): iterator is RequestableIterator<T> => REQUEST_NEXT in iterator;

export interface LiveIterator<T> {
  iterator: RequestableIterator<T>;
  /** Something may be ready: a waiting `next()` pulls again. Cheap; call on every delivery. */
  wake(): void;
  /** Ends the iterator (the client left or the feed stopped); `onClose` runs once. */
  close(): void;
}

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

/** Where a live iterator takes its values from (change-stream.ts): a pull step, and word that the iterator ended. */
export interface PullSource<T> {
  pull(): Step<T> | Promise<Step<T>>;
  /** The iterator ended (closed, done or failed); runs once. */
  closed(): void;
}

/**
 * An async iterator driven by a pull function, for graphql-js to consume. Nothing is queued here: `pull` takes from
 * the subscriber's bounded buffer when the consumer is ready, so a consumer that stops pulling (its socket is
 * full) holds at most that buffer (change-stream.ts reads on from the source once it overflows). Consumers call `next()` one at a time, as graphql-js does.
 *
 * Kept lean on purpose: one change wakes thousands of these at once, so a waiting consumer is answered straight
 * from `wake` (one promise, no extra ticks) whenever the pull can answer synchronously. A class, its own iterator:
 * one of these per idle subscriber, without closures of its own.
 */
export class PullIterator<T> implements LiveIterator<T>, RequestableIterator<T> {
  private closed = false;
  /** Counts wakes, so a pull that was in flight when one came is repeated instead of parking. */
  private signals = 0;
  private waiting: Consumer<T> | null = null;

  constructor(private readonly source: PullSource<T>) {}

  get iterator(): RequestableIterator<T> {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.closed();
    const consumer = this.waiting;
    this.waiting = null;
    consumer?.resolve(DONE);
  }

  wake(): void {
    this.signals++;
    const consumer = this.waiting;
    if (!consumer || this.closed) return;
    this.waiting = null;
    this.attempt(consumer);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.closed) return Promise.resolve(DONE);
    return new Promise<IteratorResult<T>>((resolve, reject) => this.attempt({ resolve, reject }));
  }

  [REQUEST_NEXT](consumer: Consumer<T>): void {
    if (this.closed) consumer.resolve(DONE);
    else this.attempt(consumer);
  }

  async return(): Promise<IteratorResult<T>> {
    this.close();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Answers `consumer` if the pull has something (or the end); false when there is nothing yet. */
  private settle(step: Step<T>, consumer: Consumer<T>): boolean {
    if (step === 'wait') return false;
    if (step === 'done') {
      this.close();
      consumer.resolve(DONE);
    } else consumer.resolve({ value: step.value, done: false });
    return true;
  }

  private attempt(consumer: Consumer<T>): void {
    const seen = this.signals;
    let step: Step<T> | Promise<Step<T>>;
    try {
      step = this.source.pull();
    } catch (error) {
      this.close();
      consumer.reject(error);
      return;
    }
    if (step instanceof Promise) {
      step.then(
        (resolved) => {
          if (this.closed) consumer.resolve(DONE);
          else if (!this.settle(resolved, consumer)) {
            if (this.signals !== seen) this.attempt(consumer);
            else this.waiting = consumer;
          }
        },
        (error: unknown) => {
          this.close();
          consumer.reject(error);
        },
      );
    } else if (!this.settle(step, consumer)) this.waiting = consumer;
  }
}

export const createLiveIterator = <T>(pull: () => Step<T> | Promise<Step<T>>, onClose: () => void): LiveIterator<T> =>
  new PullIterator<T>({ pull, closed: onClose });
