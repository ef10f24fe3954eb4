import type { GlobalCheckpoint } from '../event-store/index.ts';
import { compareCheckpoints } from '../projections/changes.ts';
import { createChangeBuffer } from './buffer.ts';
import { createLiveIterator, type LiveIterator, type Step } from './live-iterator.ts';
import type { Change, Subscriber } from './types.ts';

export interface ChangeStreamOptions<C extends Change, T> {
  /** Does this change concern the subscriber (visibility, filters)? The same rule as `readPage`. */
  accepts: (change: C) => boolean;
  /** The versions after `after` that `accepts` would take, in cursor order, at most `limit`. */
  readPage: (after: GlobalCheckpoint, limit: number) => Promise<C[]>;
  /** Deliver only changes after this cursor. */
  start: GlobalCheckpoint;
  /** Read what changed after `start` from the source before going live (`since`). */
  replay: boolean;
  /** Changes held for a consumer that is not keeping up, before it reads on from the source instead. */
  capacity: number;
  /** Versions per catch-up read: each subscriber holds its page until sent, so this bounds a slow one's memory. */
  pageSize: number;
  /** What the iterator yields for a change. */
  emit: (change: C) => T;
  /** The stream ends after delivering a change for which this is true. */
  finishesAfter?: (change: C) => boolean;
  onClose: () => void;
}

export interface ChangeStream<C extends Change, T> {
  subscriber: Subscriber<C>;
  live: LiveIterator<T>;
  /** Changes held, live or read ahead. */
  buffered(): number;
  /** Deliver `change` first and only changes after it from then on (a current state read after subscribing). */
  resumeFrom(change: C): void;
}

/**
 * One subscriber's changes: every version it may see, each once, in cursor order, however far behind it falls.
 *
 * Live, changes wait in a bounded buffer. When it overflows, or when the client asked to replay from `since`, the
 * stream drops what it holds and reads on from the source's versions after the last cursor it delivered, a page at a
 * time, at the consumer's pace. Before each page read it starts buffering live changes again, and only a page that
 * came back short ends the catch-up: so nothing committed between the page and the live changes is lost, and the
 * cursor filter drops what the page already had.
 */
export const createChangeStream = <C extends Change, T>(options: ChangeStreamOptions<C, T>): ChangeStream<C, T> => {
  let mode: 'live' | 'replay' = options.replay ? 'replay' : 'live';
  let last = options.start;
  /** The newest change handed to `deliver`: the feed hands changes out in cursor order, so anything older is stale. */
  let received = options.start;
  let first: C | null = null;
  let page: C[] = [];
  let finished = false;
  const buffer = createChangeBuffer<C>(options.capacity);

  const fresh = (change: C): boolean => compareCheckpoints(change.checkpoint, last) > 0;
  const take = (change: C): Step<T> => {
    last = change.checkpoint;
    if (options.finishesAfter?.(change)) finished = true;
    return { value: options.emit(change) };
  };

  const pull = async (): Promise<Step<T>> => {
    if (finished) return 'done';
    if (first) {
      const change = first;
      first = null;
      return take(change);
    }
    for (;;) {
      const replayed = page.shift();
      if (replayed) {
        if (fresh(replayed)) return take(replayed);
        continue;
      }
      if (mode === 'replay') {
        mode = 'live';
        page = await options.readPage(last, options.pageSize);
        if (page.length >= options.pageSize) {
          // More than a page behind: the rest comes from the source too, not from what piles up meanwhile.
          mode = 'replay';
          buffer.clear();
        }
        continue;
      }
      const queued = buffer.shift();
      if (!queued) return 'wait';
      if (fresh(queued)) return take(queued);
    }
  };

  const live = createLiveIterator(pull, () => {
    buffer.clear();
    page = [];
    first = null;
    options.onClose();
  });

  const subscriber: Subscriber<C> = {
    deliver(change) {
      if (finished || mode === 'replay' || compareCheckpoints(change.checkpoint, received) <= 0 || !fresh(change)) return;
      if (!options.accepts(change)) return;
      received = change.checkpoint;
      if (!buffer.push(change)) {
        buffer.clear();
        mode = 'replay';
      }
      live.wake();
    },
  };

  return {
    subscriber,
    live,
    buffered: () => buffer.size + page.length + (first ? 1 : 0),
    resumeFrom(change) {
      first = change;
      last = change.checkpoint;
      if (compareCheckpoints(change.checkpoint, received) > 0) received = change.checkpoint;
      live.wake();
    },
  };
};
