import type { GlobalCheckpoint } from '../event-store/index.ts';
import { compareCheckpoints } from '../projections/changes.ts';
import { type ChangeBuffer, createChangeBuffer } from './buffer.ts';
import { type LiveIterator, PullIterator, type PullSource, type Step } from './live-iterator.ts';
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
 *
 * A class that is its own subscriber and pull source: one of these per idle subscriber, without closures of its own.
 * The options' functions are called as its methods, so options built as a class instance cost none either.
 */
class BufferedChangeStream<C extends Change, T> implements ChangeStream<C, T>, Subscriber<C>, PullSource<T> {
  readonly live: PullIterator<T> = new PullIterator<T>(this);
  private mode: 'live' | 'replay';
  private last: GlobalCheckpoint;
  /** The newest change handed to `deliver`: the feed hands changes out in cursor order, so anything older is stale. */
  private received: GlobalCheckpoint;
  private first: C | null = null;
  private page: C[] = [];
  private finished = false;
  private readonly buffer: ChangeBuffer<C>;

  constructor(private readonly options: ChangeStreamOptions<C, T>) {
    this.mode = options.replay ? 'replay' : 'live';
    this.last = options.start;
    this.received = options.start;
    this.buffer = createChangeBuffer<C>(options.capacity);
  }

  get subscriber(): Subscriber<C> {
    return this;
  }

  buffered(): number {
    return this.buffer.size + this.page.length + (this.first ? 1 : 0);
  }

  resumeFrom(change: C): void {
    this.first = change;
    this.last = change.checkpoint;
    if (compareCheckpoints(change.checkpoint, this.received) > 0) this.received = change.checkpoint;
    this.live.wake();
  }

  deliver(change: C): void {
    if (this.finished || this.mode === 'replay' || compareCheckpoints(change.checkpoint, this.received) <= 0 || !this.fresh(change)) return;
    if (!this.options.accepts(change)) return;
    this.received = change.checkpoint;
    if (!this.buffer.push(change)) {
      this.buffer.clear();
      this.mode = 'replay';
    }
    this.live.wake();
  }

  pull(): Step<T> | Promise<Step<T>> {
    if (this.finished) return 'done';
    if (this.first) {
      const change = this.first;
      this.first = null;
      return this.take(change);
    }
    return this.next();
  }

  closed(): void {
    this.buffer.clear();
    if (this.page.length > 0) this.page = [];
    this.first = null;
    this.options.onClose();
  }

  private async readOn(): Promise<Step<T>> {
    this.mode = 'live';
    this.page = await this.options.readPage(this.last, this.options.pageSize);
    if (this.page.length >= this.options.pageSize) {
      // More than a page behind: the rest comes from the source too, not from what piles up meanwhile.
      this.mode = 'replay';
      this.buffer.clear();
    }
    return this.next();
  }

  /** The next change from the page read, the source (replaying) or the buffer; synchronous unless it reads. */
  private next(): Step<T> | Promise<Step<T>> {
    for (;;) {
      const replayed = this.page.shift();
      if (replayed) {
        if (this.fresh(replayed)) return this.take(replayed);
        continue;
      }
      if (this.mode === 'replay') return this.readOn();
      const queued = this.buffer.shift();
      if (!queued) return 'wait';
      if (this.fresh(queued)) return this.take(queued);
    }
  }

  private fresh(change: C): boolean {
    return compareCheckpoints(change.checkpoint, this.last) > 0;
  }

  private take(change: C): Step<T> {
    this.last = change.checkpoint;
    if (this.options.finishesAfter?.(change)) this.finished = true;
    return { value: this.options.emit(change) };
  }
}

export const createChangeStream = <C extends Change, T>(options: ChangeStreamOptions<C, T>): ChangeStream<C, T> =>
  new BufferedChangeStream(options);
