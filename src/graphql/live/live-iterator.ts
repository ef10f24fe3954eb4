/** What a subscription's pull step found: something to deliver, nothing yet, or the end. */
export type Step<T> = { value: T } | 'wait' | 'done';

export interface LiveIterator<T> {
  iterator: AsyncIterableIterator<T>;
  /** Something may be ready: a waiting `next()` pulls again. Cheap; call on every delivery. */
  wake(): void;
  /** Ends the iterator (the client left or the feed stopped); `onClose` runs once. */
  close(): void;
}

/**
 * An async iterator driven by a pull function, for graphql-js to consume. Nothing is queued here: `pull` takes from
 * the subscriber's bounded mailbox when the consumer is ready, so a consumer that stops pulling (its socket is
 * full) holds at most a mailbox of latest states. Consumers call `next()` one at a time, as graphql-js does.
 */
export const createLiveIterator = <T>(pull: () => Step<T> | Promise<Step<T>>, onClose: () => void): LiveIterator<T> => {
  let closed = false;
  let signals = 0;
  let waiter: (() => void) | null = null;

  const wake = (): void => {
    signals++;
    const resolve = waiter;
    waiter = null;
    resolve?.();
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    onClose();
    wake();
  };
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (!closed) {
        const seen = signals;
        let step: Step<T>;
        try {
          step = await pull();
        } catch (error) {
          close();
          throw error;
        }
        if (closed) break;
        if (step === 'done') {
          close();
          break;
        }
        if (step !== 'wait') return { value: step.value, done: false };
        // A delivery between the pull and now would be missed by waiting: pull again instead.
        if (signals !== seen) continue;
        await new Promise<void>((resolve) => {
          waiter = resolve;
        });
      }
      return done();
    },
    async return() {
      close();
      return done();
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
