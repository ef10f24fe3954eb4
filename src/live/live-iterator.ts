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

/**
 * An async iterator driven by a pull function, for graphql-js to consume. Nothing is queued here: `pull` takes from
 * the subscriber's bounded buffer when the consumer is ready, so a consumer that stops pulling (its socket is
 * full) holds at most that buffer (change-stream.ts reads on from the source once it overflows). Consumers call `next()` one at a time, as graphql-js does.
 *
 * Kept lean on purpose: one change wakes thousands of these at once, so a waiting consumer is answered straight
 * from `wake` (one promise, no extra ticks) whenever the pull can answer synchronously.
 */
export const createLiveIterator = <T>(pull: () => Step<T> | Promise<Step<T>>, onClose: () => void): LiveIterator<T> => {
  let closed = false;
  /** Counts wakes, so a pull that was in flight when one came is repeated instead of parking. */
  let signals = 0;
  let waiting: Consumer<T> | null = null;

  const close = (): void => {
    if (closed) return;
    closed = true;
    onClose();
    const consumer = waiting;
    waiting = null;
    consumer?.resolve(DONE);
  };

  /** Answers `consumer` if the pull has something (or the end); false when there is nothing yet. */
  const settle = (step: Step<T>, consumer: Consumer<T>): boolean => {
    if (step === 'wait') return false;
    if (step === 'done') {
      close();
      consumer.resolve(DONE);
    } else consumer.resolve({ value: step.value, done: false });
    return true;
  };

  const attempt = (consumer: Consumer<T>): void => {
    const seen = signals;
    let step: Step<T> | Promise<Step<T>>;
    try {
      step = pull();
    } catch (error) {
      close();
      consumer.reject(error);
      return;
    }
    if (step instanceof Promise) {
      step.then(
        (resolved) => {
          if (closed) consumer.resolve(DONE);
          else if (!settle(resolved, consumer)) {
            if (signals !== seen) attempt(consumer);
            else park(consumer);
          }
        },
        (error: unknown) => {
          close();
          consumer.reject(error);
        },
      );
    } else if (!settle(step, consumer)) park(consumer);
  };

  const park = (consumer: Consumer<T>): void => {
    waiting = consumer;
  };

  const wake = (): void => {
    signals++;
    const consumer = waiting;
    if (!consumer || closed) return;
    waiting = null;
    attempt(consumer);
  };

  const iterator: RequestableIterator<T> = {
    next() {
      if (closed) return Promise.resolve(DONE);
      return new Promise<IteratorResult<T>>((resolve, reject) => attempt({ resolve, reject }));
    },
    [REQUEST_NEXT](consumer) {
      if (closed) consumer.resolve(DONE);
      else attempt(consumer);
    },
    async return() {
      close();
      return DONE;
    },
    async throw(error: unknown) {
      close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return { iterator, wake, close };
};
