import type postgres from 'postgres';
import { outageLog } from '../db/outage-log.ts';
import type { GlobalCheckpoint } from '../event-store/index.ts';
import { CHANGES_CHANNEL, compareCheckpoints, decodeCursor, encodeCursor, parseChanges } from '../projections/changes.ts';
import { startWakeListener, type WakeListener } from '../projections/listener.ts';
import { createChangeStream, type ChangeStream, type ChangeStreamOptions } from './change-stream.ts';
import { LiveError } from './errors.ts';
import { createRegistry } from './registry.ts';
import type { Change, LiveSource } from './types.ts';

export interface LiveFeedOptions<C extends Change> {
  /** The caller's pool: the feed opens only its LISTEN connection (with the pool's settings). */
  sql: postgres.Sql;
  source: LiveSource<C>;
  log?: (line: string) => void;
  /** Changes a subscriber may hold before it reads on from the source's versions instead. Default 100. */
  capacity?: number;
  /** Versions per read for the whole process. Default 500. */
  pageSize?: number;
  /** Versions per catch-up read of one subscriber (`since`, or after its buffer overflowed). Default 50. */
  replayPageSize?: number;
  applicationName?: string;
  /** Pause before retrying after a failed read; it doubles, up to 2 s, while reads keep failing. Default 250 ms. */
  retryMs?: number;
}

export interface SubscribeOptions<C extends Change, T> {
  tenantId: string;
  /** The registry route the subscriber listens on (see LiveSource.routes). */
  route: string;
  accepts: (change: C) => boolean;
  /**
   * The subscriber's own catch-up read (see ChangeStreamOptions.readPage; the feed checks the horizon first), read
   * where every version up to `atLeast` is visible: what the feed has handed out for the tenant when the read starts,
   * since the subscriber gets every later version live.
   */
  readPage: (after: GlobalCheckpoint, limit: number, atLeast: GlobalCheckpoint) => Promise<C[]>;
  /** A cursor handed out earlier: replay the versions after it first. Null: start with the next change. */
  since: string | null;
  emit: (change: C) => T;
  finishesAfter?: (change: C) => boolean;
}

export interface LiveFeed<C extends Change> {
  /** Starts listening; resolves once LISTEN is active. */
  start(): Promise<void>;
  stop(): Promise<void>;
  subscriberCount(): number;
  /** For /ready: a NOTIFY round trip through the LISTEN connection, and reads of versions work. */
  check(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
  /** Changes held in this process for subscribers that have not taken them yet (bounded per subscriber). */
  bufferedChanges(): number;
  /**
   * A subscriber's stream: every version after `since` (or from now) it accepts, in cursor order, each once.
   * Throws LiveError INVALID_CURSOR for a `since` that is no cursor, CURSOR_EXPIRED for one older than the versions
   * kept (checked before the stream is returned).
   */
  subscribe<T>(options: SubscribeOptions<C, T>): Promise<ChangeStream<C, T>>;
  /**
   * Every version of this tenant at or below this cursor has been handed out: a read made now for a new subscriber
   * (its current state) must see at least this far, since only later versions reach it live.
   */
  deliveredTo(tenantId: string): GlobalCheckpoint;
}

/**
 * The process's live change feed for one source (architecture decision 8).
 *
 * One direct connection LISTENs on `dvmm_changes`. A notification only says which tenants' versions were written:
 * the feed then reads, in one query per batch of notifications, the versions of those tenants after the cursor it
 * has delivered up to for each tenant, in cursor order, and hands each once, as one shared object, to the
 * subscribers whose routes it names. Tenants nobody here listens to cost no query. The projector commits one batch
 * after another, so cursors become visible in order and "after what I delivered" misses nothing; after a re-LISTEN
 * the same read catches up on whatever was notified while the connection was down. A subscriber that cannot keep up
 * reads on from the versions itself (change-stream.ts): the feed never waits for it.
 */
export function createLiveFeed<C extends Change>(options: LiveFeedOptions<C>): LiveFeed<C> {
  const { sql, source } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const capacity = options.capacity ?? 100;
  const pageSize = options.pageSize ?? 500;
  const replayPageSize = options.replayPageSize ?? 50;
  const retryMs = options.retryMs ?? 250;
  const retryMaxMs = Math.max(retryMs, 2_000);
  let retryDelayMs = retryMs;
  const readOutage = outageLog((line) => log(`[live] ${line}`), `reading ${source.projection} versions`);

  const registry = createRegistry<C>();
  /** Every stream of this process, to end them on stop and to count what they hold. */
  const open = new Set<ChangeStream<C, unknown>>();
  /** Per tenant: every version at or below this cursor has been handed out (or had nobody here to go to). */
  const delivered = new Map<string, GlobalCheckpoint>();
  /** The cursor of tenants not in `delivered`: the source's checkpoint when LISTEN was (re)established. */
  let baseline: GlobalCheckpoint = { transactionId: 0n, position: 0n };
  /** The newest change notified (or the baseline): reads after a notification must see at least this far. */
  let heard: GlobalCheckpoint = baseline;
  const hear = (checkpoint: GlobalCheckpoint): void => {
    if (compareCheckpoints(checkpoint, heard) > 0) heard = checkpoint;
  };
  const pending = new Set<string>();
  let catchUp = false;
  let draining = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let listener: WakeListener | null = null;
  let stopped = false;

  const cursorOf = (tenantId: string): GlobalCheckpoint => delivered.get(tenantId) ?? baseline;
  const advance = (tenantId: string, checkpoint: GlobalCheckpoint): boolean => {
    if (compareCheckpoints(checkpoint, cursorOf(tenantId)) <= 0) return false;
    delivered.set(tenantId, checkpoint);
    return true;
  };

  const onPayload = (payload: string): void => {
    for (const change of parseChanges(payload)) {
      if (change.projection !== source.projection) continue;
      hear(change.checkpoint);
      if (registry.hasTenant(change.tenantId)) pending.add(change.tenantId);
      // Nobody here to tell: just remember how far this tenant has got, so a later subscriber starts from there.
      else advance(change.tenantId, change.checkpoint);
    }
    schedule();
  };

  /** Reads and fans out the versions of these tenants, page by page, until nothing is left. */
  const deliverChanges = async (tenants: readonly string[]): Promise<void> => {
    let current = tenants.filter((tenantId) => registry.hasTenant(tenantId));
    while (current.length > 0) {
      const changes = await source.changesAfter(
        current.map((tenantId) => ({ tenantId, after: cursorOf(tenantId) })),
        pageSize,
        heard,
      );
      for (const change of changes) {
        if (!advance(change.tenantId, change.checkpoint)) continue;
        // Changes go out in cursor order: a large fan-out is finished before the next change starts.
        const fanning = registry.fanOut(change, source.routes(change));
        if (fanning) await fanning;
      }
      if (changes.length < pageSize) return;
      current = current.filter((tenantId) => registry.hasTenant(tenantId));
    }
  };

  // One drain at a time; notifications arriving meanwhile pile up in `pending` and go out as the next batch.
  const schedule = (): void => {
    if (draining || stopped || retryTimer) return;
    if (pending.size === 0 && !catchUp) return;
    draining = true;
    void (async () => {
      try {
        while (!stopped && (pending.size > 0 || catchUp)) {
          const tenants = catchUp ? registry.tenants() : [...pending];
          catchUp = false;
          pending.clear();
          await deliverChanges(tenants);
        }
        readOutage.recovered();
        retryDelayMs = retryMs;
      } catch (error) {
        // A failed read loses nothing: the cursors did not move, so the next drain reads the same versions again.
        readOutage.failed(error);
        catchUp = true;
        retryTimer = setTimeout(() => {
          retryTimer = null;
          schedule();
        }, retryDelayMs);
        retryDelayMs = Math.min(retryMaxMs, retryDelayMs * 2);
        retryTimer.unref();
      } finally {
        draining = false;
      }
    })();
  };

  const onListen = (first: boolean): void => {
    if (first) return; // start() reads the baseline itself.
    // Notifications during the gap are lost: catch up every tenant that has subscribers from where it was.
    for (const tenantId of delivered.keys()) if (!registry.hasTenant(tenantId)) delivered.delete(tenantId);
    for (const tenantId of registry.tenants()) delivered.set(tenantId, cursorOf(tenantId));
    void source
      .checkpoint()
      .then((checkpoint) => {
        baseline = checkpoint;
        hear(checkpoint);
      })
      .catch((error: unknown) => log(`[live] reading the ${source.projection} checkpoint failed: ${(error as Error).message}`))
      .finally(() => {
        catchUp = true;
        schedule();
      });
  };

  /** Refuses a catch-up from at or below the pruned horizon: the versions after it are no longer all there. */
  const expectKept = async (after: GlobalCheckpoint): Promise<void> => {
    const horizon = await source.horizon();
    if (horizon && compareCheckpoints(after, horizon) < 0) {
      const current = encodeCursor(await source.checkpoint());
      throw new LiveError(
        'CURSOR_EXPIRED',
        'The versions after this cursor are no longer kept: read the current state, then subscribe with `since` set to ' +
          'the cursor in this error (or to a later one).',
        current,
      );
    }
  };

  /**
   * A subscriber's stream settings: the subscription's own, the feed's bounds, and the horizon check before every
   * catch-up page. A class (declared once per feed) so an idle subscriber holds no closures for them.
   */
  class StreamOptions<T> implements ChangeStreamOptions<C, T> {
    readonly capacity = capacity;
    readonly pageSize = replayPageSize;
    readonly replay: boolean;
    /** The replay's first page starts at `since`, whose horizon check subscribe() made. */
    private checked: boolean;
    stream: ChangeStream<C, T> | null = null;
    unregister: (() => void) | null = null;

    constructor(
      private readonly subscription: SubscribeOptions<C, T>,
      readonly start: GlobalCheckpoint,
    ) {
      this.replay = subscription.since !== null;
      this.checked = this.replay;
    }

    accepts(change: C): boolean {
      return this.subscription.accepts(change);
    }

    emit(change: C): T {
      return this.subscription.emit(change);
    }

    finishesAfter(change: C): boolean {
      return this.subscription.finishesAfter?.(change) ?? false;
    }

    // Every catch-up page checks the horizon: versions pruned while a subscriber is behind are never skipped.
    async readPage(after: GlobalCheckpoint, limit: number): Promise<C[]> {
      if (!this.checked) await expectKept(after);
      this.checked = false;
      return this.subscription.readPage(after, limit, cursorOf(this.subscription.tenantId));
    }

    onClose(): void {
      this.unregister?.();
      if (this.stream) open.delete(this.stream as ChangeStream<C, unknown>);
    }
  }

  return {
    async start() {
      stopped = false;
      listener = await startWakeListener({
        sql,
        channel: CHANGES_CHANNEL,
        applicationName: options.applicationName ?? 'dvmm-live',
        onWake: onPayload,
        onListen,
        log: (line) => log(`[live] ${line}`),
      });
      // Read after LISTEN is active: every change committed after this point is notified to us.
      baseline = await source.checkpoint();
      hear(baseline);
    },

    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      for (const stream of [...open]) stream.live.close();
      await listener?.stop();
      listener = null;
    },

    subscriberCount: () => registry.count(),

    deliveredTo: (tenantId) => cursorOf(tenantId),

    async check(timeoutMs = 2_000) {
      if (stopped || !listener) return { ok: false, detail: 'stopped' };
      try {
        await listener.ping(timeoutMs);
      } catch (error) {
        return { ok: false, detail: `LISTEN connection: ${(error as Error).message}` };
      }
      return readOutage.down ? { ok: false, detail: `reading ${source.projection} versions fails` } : { ok: true };
    },

    bufferedChanges() {
      let total = 0;
      for (const stream of open) total += stream.buffered();
      return total;
    },

    async subscribe<T>(subscription: SubscribeOptions<C, T>) {
      let start = cursorOf(subscription.tenantId);
      if (subscription.since !== null) {
        const decoded = decodeCursor(subscription.since);
        if (!decoded) throw new LiveError('INVALID_CURSOR', 'Invalid cursor in `since`');
        await expectKept(decoded);
        start = decoded;
      }
      const streamOptions = new StreamOptions(subscription, start);
      const stream = createChangeStream(streamOptions);
      streamOptions.stream = stream;
      streamOptions.unregister = registry.add(subscription.tenantId, subscription.route, stream.subscriber);
      open.add(stream as ChangeStream<C, unknown>);
      return stream;
    },
  };
}
