import { GraphQLError } from 'graphql';
import type postgres from 'postgres';
import { readVmRequest } from '../../commands/index.ts';
import { createDb, createSql, type DrizzleDb } from '../../db/client.ts';
import { outageLog } from '../../db/outage-log.ts';
import type { Principal } from '../../domain/index.ts';
import { createEventStore, type EventStore, type GlobalCheckpoint } from '../../event-store/index.ts';
import { CHANGES_CHANNEL, compareCheckpoints, decodeCursor, parseChanges } from '../../projections/changes.ts';
import type { LiveFeed } from '../context.ts';
import { canSee } from '../read/vm-request-rows.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { createChangeSubscription } from './change-subscription.ts';
import { createVersionFiller } from './fill-versions.ts';
import { type ChangeListener, startChangeListener } from './listen.ts';
import { createRegistry } from './registry.ts';
import { createRequestWatch } from './request-watch.ts';
import { projectionCheckpoint, rowsChangedAfter, visibleChangesAfter, visibleRow, VM_REQUESTS_PROJECTION } from './rows.ts';
import type { LiveChange } from './types.ts';

export type LiveFeedOptions = ({ sql: postgres.Sql; db?: DrizzleDb; store?: EventStore } | { url: string }) & {
  log?: (line: string) => void;
  /** Distinct requests a slow change-feed subscriber may hold before it falls back to re-reading. Default 100. */
  capacity?: number;
  /** Rows per read of changed rows for the whole process. Default 500. */
  pageSize?: number;
  /**
   * Rows per replay read of one subscriber (`since`, or after its mailbox overflowed). Small, because each
   * subscriber holds its page until it has sent it: this bounds a slow subscriber's memory. Default 50.
   */
  replayPageSize?: number;
  applicationName?: string;
  /** Pause before retrying after a failed read-model load; it doubles, up to 2 s, while reads keep failing. Default 250 ms. */
  retryMs?: number;
};

/**
 * The process's live change feed (architecture decision 8).
 *
 * One direct connection LISTENs on `dvmm_changes`. A notification only says which tenants' rows changed: the feed
 * then reads, in one query per batch of notifications, the rows of those tenants changed after the cursor it has
 * delivered up to for each tenant, in cursor order, and hands each row once, as one shared view, to the subscribers
 * it may concern. Tenants nobody here listens to cost no query. The projector commits one batch after another, so
 * cursors become visible in order and "changed after what I delivered" misses nothing; after a re-LISTEN the same
 * read catches up on whatever was notified while the connection was down.
 */
export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const log = options.log ?? ((line: string) => console.log(line));
  const capacity = options.capacity ?? 100;
  const pageSize = options.pageSize ?? 500;
  const replayPageSize = options.replayPageSize ?? 50;
  const retryMs = options.retryMs ?? 250;
  const retryMaxMs = Math.max(retryMs, 2_000);
  let retryDelayMs = retryMs;
  const readOutage = outageLog((line) => log(`[live] ${line}`), 'reading changed rows');
  const ownSql = 'url' in options ? createSql(options.url, { max: 4, applicationName: 'dvmm-live' }) : null;
  const sql = 'sql' in options ? options.sql : ownSql!;
  const db = ('sql' in options ? options.db : undefined) ?? createDb(sql);
  const store = ('sql' in options ? options.store : undefined) ?? createEventStore(sql);

  const registry = createRegistry();
  const versions = createVersionFiller({ sql, store });
  /** Every subscription of this process, to end them on stop and to count what they hold. */
  const open = new Set<{ close(): void; buffered(): number }>();
  /** Per tenant: every change at or below this cursor has been handed out (or had nobody here to go to). */
  const delivered = new Map<string, GlobalCheckpoint>();
  /** The cursor of tenants not in `delivered`: the read model's checkpoint when LISTEN was (re)established. */
  let baseline: GlobalCheckpoint = { transactionId: 0n, position: 0n };
  const pending = new Set<string>();
  let catchUp = false;
  let draining = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let listener: ChangeListener | null = null;
  let stopped = false;

  const cursorOf = (tenantId: string): GlobalCheckpoint => delivered.get(tenantId) ?? baseline;
  const advance = (tenantId: string, checkpoint: GlobalCheckpoint): boolean => {
    if (compareCheckpoints(checkpoint, cursorOf(tenantId)) <= 0) return false;
    delivered.set(tenantId, checkpoint);
    return true;
  };

  const onPayload = (payload: string): void => {
    for (const change of parseChanges(payload)) {
      if (change.projection !== VM_REQUESTS_PROJECTION) continue;
      if (registry.hasTenant(change.tenantId)) pending.add(change.tenantId);
      // Nobody here to tell: just remember how far this tenant has got, so a later subscriber starts from there.
      else advance(change.tenantId, change.checkpoint);
    }
    schedule();
  };

  /** Reads and fans out what changed for these tenants, page by page, until nothing is left. */
  const deliverChanges = async (tenants: readonly string[]): Promise<void> => {
    let current = tenants.filter((tenantId) => registry.hasTenant(tenantId));
    while (current.length > 0) {
      const changes = await rowsChangedAfter(
        db,
        current.map((tenantId) => ({ tenantId, after: cursorOf(tenantId) })),
        pageSize,
      );
      for (const change of await versions.expand(changes, cursorOf)) {
        if (!advance(change.view.tenantId, change.checkpoint)) continue;
        // Changes go out in cursor order: a large fan-out is finished before the next change starts.
        const fanning = registry.fanOut(change);
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
        // A failed read loses nothing: the cursors did not move, so the next drain reads the same rows again.
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
    void projectionCheckpoint(db)
      .then((checkpoint) => {
        baseline = checkpoint;
      })
      .catch((error: unknown) => log(`[live] reading the projection checkpoint failed: ${(error as Error).message}`))
      .finally(() => {
        catchUp = true;
        schedule();
      });
  };

  return {
    async start() {
      stopped = false;
      listener = await startChangeListener({
        sql,
        channel: CHANGES_CHANNEL,
        applicationName: options.applicationName ?? 'dvmm-live',
        onPayload,
        onListen,
        log,
      });
      // Read after LISTEN is active: every change committed after this point is notified to us.
      baseline = await projectionCheckpoint(db);
    },

    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      for (const subscription of [...open]) subscription.close();
      await listener?.stop();
      listener = null;
      if (ownSql) await ownSql.end({ timeout: 5 });
    },

    subscriberCount: () => registry.count(),

    async check(timeoutMs = 2_000) {
      if (stopped || !listener) return { ok: false, detail: 'stopped' };
      try {
        await listener.ping(timeoutMs);
      } catch (error) {
        return { ok: false, detail: `LISTEN connection: ${(error as Error).message}` };
      }
      return readOutage.down ? { ok: false, detail: 'reading changed rows fails' } : { ok: true };
    },

    bufferedChanges() {
      let total = 0;
      for (const subscription of open) total += subscription.buffered();
      return total;
    },

    watchChanges(principal, { projectId, since }) {
      let start = cursorOf(principal.tenantId);
      if (since !== null) {
        const decoded = decodeCursor(since);
        if (!decoded) throw new GraphQLError('Invalid cursor in `since`', { extensions: { code: 'BAD_USER_INPUT' } });
        start = decoded;
      }
      const accepts = (change: LiveChange): boolean =>
        canSee(principal, change.view) && (projectId === null || change.view.projectId === projectId);
      let unregister = (): void => {};
      const entry = { close: () => live.close(), buffered: () => buffered() };
      const { subscriber, live, buffered } = createChangeSubscription({
        accepts,
        readPage: (after, limit) => visibleChangesAfter(db, principal, projectId, after, limit),
        start,
        replay: since !== null,
        capacity,
        pageSize: replayPageSize,
        onClose: () => {
          unregister();
          open.delete(entry);
        },
      });
      unregister = registry.addFeed(principal, subscriber);
      open.add(entry);
      return live.iterator;
    },

    async watchRequest(principal, requestId) {
      let unregister = (): void => {};
      const entry = { close: () => live.close(), buffered: () => buffered() };
      const { subscriber, live, buffered } = createRequestWatch(
        (change) => canSee(principal, change.view),
        () => {
          unregister();
          open.delete(entry);
        },
      );
      // Register first, then read: a change committed after the read reaches the subscriber, and anything at or
      // below the row's cursor is dropped as already seen. No gap, no duplicate.
      unregister = registry.addWatcher(principal, requestId, subscriber);
      open.add(entry);
      try {
        const current = await visibleRow(db, principal, requestId);
        if (current && compareCheckpoints(current.checkpoint, cursorOf(principal.tenantId)) <= 0) {
          versions.covered(current.view.id, current.view.version);
        }
        if (current) subscriber.deliver(current);
        // Not in the read model yet (just created)? Then its first state is on the way through the feed.
        else if (!(await readVmRequest(store, principal, requestId)).ok) {
          live.close();
          return null;
        }
      } catch (error) {
        live.close();
        throw error;
      }
      return live.iterator;
    },
  };
}

export type { LiveChange, VmRequestView };
