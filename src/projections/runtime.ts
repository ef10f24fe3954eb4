import { hostname } from 'node:os';
import type postgres from 'postgres';
import { isConnectionError } from '../db/connection-errors.ts';
import { outageLog } from '../db/outage-log.ts';
import { EVENTS_CHANNEL } from '../event-store/notifier.ts';
import { readAllLean, type LogEvent, type ReadLogResult } from '../event-store/read-all.ts';
import type { GlobalCheckpoint } from '../event-store/types.ts';
import { applyBatch, applyIsolating } from './apply-batch.ts';
import { loadCheckpoint, recordStall } from './checkpoints.ts';
import { batchPool } from './connection.ts';
import { checkpointOf, compareCheckpoints } from './cursor.ts';
import { latestEvent } from './latest-event.ts';
import { createLeadership } from './leadership.ts';
import { startWakeListener } from './listener.ts';
import type { Log, PreparedBatch, Projection, ProjectorStatus, StallInfo } from './types.ts';

export type { ChangedRow, Projection, ProjectorStatus, ProjectionRuntimeStatus, StallInfo, Log } from './types.ts';
export type { ApplyOptions } from './apply-batch.ts';

export interface ProjectorOptions {
  sql: postgres.Sql;
  projections: readonly Projection[];
  /** Fallback poll, for a lost wake-up. Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * Events per read and per transaction while catching up (live batches are as small as the traffic). Default
   * 20,000: a request's events then mostly fall into one batch and its row is written once, not once per batch
   * (a vm_requests update touches all six of its indexes).
   */
  batchSize?: number;
  /** How often a standby tries to take over and a leader checks it still holds its locks. Default 1000 ms. */
  leaderCheckMs?: number;
  /** Backoff of a stalled projection: first retry after `retryInitialMs`, doubling up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** See ApplyOptions.synchronousCommit (apply-batch.ts). Default: per projection (Projection.asynchronousCommit). */
  synchronousCommit?: boolean;
  /** Hears about every committed batch, with its timings (for benchmarks and metrics). */
  onBatch?: (trace: BatchTrace) => void;
  /** Shown in pg_stat_activity for the lock and LISTEN connections (status prints it as the leader). */
  applicationName?: string;
  log?: Log;
}

/** One committed batch. Times are performance.now() of this process. */
export interface BatchTrace {
  projections: string[];
  events: number;
  /** The batch's first and last event. */
  first: GlobalCheckpoint;
  last: GlobalCheckpoint;
  /** The earliest wake-up (notification, poll, retry) this pump round answers; null for a read-ahead batch. */
  wokenAt: number | null;
  readStartedAt: number;
  readAt: number;
  committedAt: number;
}

export interface Projector {
  /** Finishes the batch in flight, releases leadership, closes its connections. */
  stop(): Promise<void>;
  status(): ProjectorStatus;
  /**
   * Resolves when every projection this process leads has applied every event committed before the call (waiting
   * for older transactions still in flight, and for a stalled projection to recover). Projections led by another
   * process are not waited for. Rejects when the projector stops first.
   */
  caughtUp(): Promise<void>;
  /**
   * For /ready: round trips through the lock connection and the LISTEN connection (a NOTIFY it must hear), and the
   * catch-up loop goes round (it does at least every poll interval when nothing fails). Not ok while any of these
   * does not hold or a projection it leads is stalled.
   */
  check(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
}

interface Slot {
  projection: Projection;
  leading: boolean;
  /** Where the projection is; null while not leading or not yet loaded. */
  checkpoint: GlobalCheckpoint | null;
  stall: StallInfo | null;
  eventsApplied: number;
  lastCommitAt: Date | null;
}

interface PreparedRead extends ReadLogResult {
  prepared: (PreparedBatch | null)[];
}

interface Waiter {
  target: GlobalCheckpoint | null;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Longest wait before looking again while the gap-safe horizon holds committed events back. */
const HELD_BACK_MAX_MS = 25;

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs projections: for each, one leader across all processes, woken by LISTEN dvmm_events, catching up on start,
 * on every re-LISTEN and on a slow poll, reading gap-safe batches and applying each in one guarded transaction.
 *
 * Projections at the same checkpoint (the usual case: they start together and move together) share each read and
 * each batch transaction. A projection whose handler throws stalls alone, at the failing event.
 */
export async function startProjector(options: ProjectorOptions): Promise<Projector> {
  const { sql } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 20_000;
  const leaderCheckMs = options.leaderCheckMs ?? 1000;
  const retryInitialMs = options.retryInitialMs ?? 1000;
  const retryMaxMs = options.retryMaxMs ?? 60_000;
  const applicationName = options.applicationName ?? `dvmm-projector ${hostname()}:${process.pid}`;
  const applyOptions = { synchronousCommit: options.synchronousCommit };
  const logLine = options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void => logLine(`[projector] ${line}`);

  const names = options.projections.map((p) => p.name);
  if (new Set(names).size !== names.length) throw new Error(`projection names must be unique: ${names.join(', ')}`);
  const slots: Slot[] = options.projections.map((projection) => ({
    projection,
    leading: false,
    checkpoint: null,
    stall: null,
    eventsApplied: 0,
    lastCommitAt: null,
  }));

  let stopped = false;
  /** When the catch-up loop last applied a batch or went round without failing (for check()). */
  let lastRoundAt = Date.now();
  let pumping: Promise<void> | null = null;
  let again = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let waiters: Waiter[] = [];

  const isDone = (target: GlobalCheckpoint | null): boolean =>
    target === null ||
    slots.every((s) => !s.leading || (s.checkpoint !== null && compareCheckpoints(s.checkpoint, target) >= 0));

  const settleWaiters = (): void => {
    if (waiters.length === 0) return;
    const pending: Waiter[] = [];
    for (const waiter of waiters) (isDone(waiter.target) ? waiter.resolve() : pending.push(waiter));
    waiters = pending;
  };

  const loseAll = (why: string): void => {
    const lost = slots.filter((s) => s.leading);
    for (const slot of lost) {
      slot.leading = false;
      slot.checkpoint = null;
    }
    if (lost.length > 0) log(`no longer leading ${lost.map((s) => s.projection.name).join(', ')}: ${why}`);
    settleWaiters();
  };

  // --- applying ---------------------------------------------------------------------------------------------------

  const stall = (slot: Slot, event: LogEvent, error: unknown): void => {
    const message = describe(error);
    const attempts = (slot.stall?.position === event.position ? slot.stall.attempts : 0) + 1;
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(attempts - 1, 30));
    slot.stall = {
      position: event.position,
      error: message,
      since: slot.stall?.since ?? new Date(),
      attempts,
      retryAt: new Date(Date.now() + delay),
    };
    log(
      `projection ${slot.projection.name} STALLED at event position ${event.position} ` +
        `(${event.type}, stream ${event.streamId} version ${event.streamVersion}, transaction ${event.transactionId}): ` +
        `${message}; attempt ${attempts}, retrying in ${delay} ms; its checkpoint stays before this event`,
    );
    recordStall(sql, slot.projection.name, event.position, message).catch((e: unknown) =>
      log(`could not record the stall of ${slot.projection.name}: ${describe(e)}`),
    );
  };

  const committed = (slot: Slot, checkpoint: GlobalCheckpoint, count: number): void => {
    slot.checkpoint = checkpoint;
    slot.eventsApplied += count;
    slot.lastCommitAt = new Date();
    if (slot.stall) {
      log(`projection ${slot.projection.name} recovered after ${slot.stall.attempts} failed attempt(s)`);
      slot.stall = null;
    }
  };

  const reload = async (slot: Slot): Promise<void> => {
    try {
      slot.checkpoint = slot.leading ? await loadCheckpoint(sql, slot.projection.name) : null;
    } catch (error) {
      slot.checkpoint = null; // the leadership check loads it again
      // An outage is logged once by the leader check and the catch-up loop.
      if (!isConnectionError(error)) log(`could not load the checkpoint of ${slot.projection.name}: ${describe(error)}`);
    }
  };

  // Batch transactions go out in one round trip on connections of their own (connection.ts batchPool): one per
  // projection at most, as many as can write at once (each its own group, or a group's retry one by one).
  const writer = batchPool(sql, { applicationName, max: Math.max(1, slots.length) });

  const applyTo = async (slot: Slot, from: GlobalCheckpoint, events: LogEvent[], prepared: PreparedBatch | null = null): Promise<void> => {
    try {
      const outcome = await applyBatch(writer, slot.projection, from, events, { ...applyOptions, prepared: [prepared] });
      if (!slot.leading) return;
      if (outcome.kind === 'stale') return await reload(slot);
      committed(slot, outcome.checkpoint, events.length);
    } catch (batchError) {
      if (!slot.leading) return;
      // The database went away: no event is at fault, nothing stalls. The loop tries again when it answers (a
      // COMMIT that went through unanswered makes that batch stale, and the checkpoint is reloaded).
      if (isConnectionError(batchError)) throw batchError;
      // Find the culprit, so everything before it commits and the checkpoint stops right there.
      const isolated = events.length > 1 ? await applyIsolating(writer, slot.projection, from, events, applyOptions) : null;
      if (!slot.leading) return;
      if (isolated === null) return stall(slot, events[0]!, batchError);
      if (isolated.kind === 'stale') return await reload(slot);
      if (isolated.applied > 0) committed(slot, isolated.checkpoint, isolated.applied);
      if (isolated.kind === 'failed') {
        if (isConnectionError(isolated.error)) throw isolated.error;
        stall(slot, isolated.event, isolated.error);
      }
    }
  };

  /**
   * Projections at the same checkpoint apply a batch in one shared transaction. If that fails (one handler threw,
   * or one checkpoint moved), each goes again on its own, so only the culprit stalls.
   */
  const applyGroup = async (
    group: Slot[],
    from: GlobalCheckpoint,
    events: LogEvent[],
    prepared: readonly (PreparedBatch | null)[],
  ): Promise<void> => {
    if (group.length === 1) return applyTo(group[0]!, from, events, prepared[0] ?? null);
    try {
      const outcome = await applyBatch(writer, group.map((slot) => slot.projection), from, events, { ...applyOptions, prepared });
      if (outcome.kind === 'applied') {
        for (const slot of group) if (slot.leading) committed(slot, outcome.checkpoint, events.length);
        return;
      }
    } catch (error) {
      if (isConnectionError(error)) throw error;
      // Found below, projection by projection (a prepared batch is used once: each prepares again).
    }
    await Promise.all(group.map((slot) => applyTo(slot, from, events)));
  };

  /** Each projection's prepared writes for `events` (null: it has no prepare step); a throwing prepare fails the batch. */
  const prepareFor = (group: Slot[], events: LogEvent[]): (PreparedBatch | null)[] =>
    group.map(({ projection }) => {
      if (!projection.prepare || events.length === 0) return null;
      try {
        return projection.prepare(events);
      } catch (error) {
        return () => Promise.reject(error);
      }
    });

  /**
   * Reads for projections at the same checkpoint; true when there were events. While a full batch is applied, the
   * next one is already being read (replay and catch-up overlap reading with writing); a short batch means the
   * group is caught up, and the caller regroups.
   */
  const pumpGroup = async (group: Slot[], start: GlobalCheckpoint): Promise<boolean> => {
    // Each batch is prepared (Projection.prepare) as soon as it has been read: for a batch read ahead, that is
    // while the previous batch's transaction runs, so the database does not wait for it.
    const read = (after: GlobalCheckpoint): Promise<PreparedRead> =>
      readAllLean(sql, after, batchSize).then((result) => ({ ...result, prepared: prepareFor(group, result.events) }));
    let from = start;
    let wokenAt = takeWake();
    let readStartedAt = performance.now();
    let next: Promise<PreparedRead> | null = read(from);
    let progressed = false;
    while (next) {
      const { events, checkpoint, prepared }: PreparedRead = await next;
      const readAt = performance.now();
      if (events.length === 0) {
        if (!progressed) await noteHeldBack(from);
        return progressed;
      }
      const trace = { wokenAt, readStartedAt, readAt };
      if (events.length === batchSize && !stopped) {
        wokenAt = null;
        readStartedAt = performance.now();
        next = read(checkpoint);
      } else {
        next = null;
      }
      try {
        await applyGroup(group, from, events, prepared);
      } catch (error) {
        next?.catch(() => {}); // the read ahead is abandoned with this round: its failure is nobody's to handle
        throw error;
      }
      progressed = true;
      lastRoundAt = Date.now();
      if (options.onBatch) traceBatch(group, events, trace);
      settleWaiters();
      const intact = group.every(
        (slot) => slot.leading && !slot.stall && slot.checkpoint !== null && compareCheckpoints(slot.checkpoint, checkpoint) === 0,
      );
      if (!intact || stopped) {
        next?.catch(() => {}); // read ahead for nothing: the group changed
        next = null;
      }
      from = checkpoint;
    }
    return progressed;
  };

  // Woken, but nothing readable although events were committed after the checkpoint: an older transaction (maybe
  // not one of ours, maybe in another database on the server, neither of which sends a wake-up when it ends) still
  // holds back the gap-safe horizon. Look again soon: after 2 ms, backing off to at most 25 ms (an empty read and
  // a one-row index lookup each time), so the events follow within 25 ms of that transaction's end, not a poll.
  let heldBack = false;
  let heldBackDelayMs = 0;
  let heldBackTimer: NodeJS.Timeout | null = null;
  const noteHeldBack = async (from: GlobalCheckpoint): Promise<void> => {
    const latest = await latestEvent(sql);
    if (latest && compareCheckpoints(latest, from) > 0) heldBack = true;
  };
  const scheduleHeldBack = (progressed: boolean): void => {
    if (progressed || !heldBack) heldBackDelayMs = 0;
    if (!heldBack || stopped || heldBackTimer) return;
    heldBackDelayMs = Math.min(HELD_BACK_MAX_MS, pollIntervalMs, Math.max(2, heldBackDelayMs * 2));
    heldBackTimer = setTimeout(() => {
      heldBackTimer = null;
      wake();
    }, heldBackDelayMs);
    heldBackTimer.unref();
  };

  const pumpAll = async (): Promise<void> => {
    heldBack = false;
    let progressedAny = false;
    while (!stopped) {
      const now = Date.now();
      const groups = new Map<string, { from: GlobalCheckpoint; slots: Slot[] }>();
      for (const slot of slots) {
        if (!slot.leading || slot.checkpoint === null || (slot.stall && slot.stall.retryAt.getTime() > now)) continue;
        const key = `${slot.checkpoint.transactionId}:${slot.checkpoint.position}`;
        const group = groups.get(key) ?? { from: slot.checkpoint, slots: [] };
        group.slots.push(slot);
        groups.set(key, group);
      }
      if (groups.size === 0) break;
      const progressed = await Promise.all([...groups.values()].map((g) => pumpGroup(g.slots, g.from)));
      if (!progressed.some(Boolean)) break;
      progressedAny = true;
    }
    scheduleRetry();
    scheduleHeldBack(progressedAny);
  };

  const scheduleRetry = (): void => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const due = slots.filter((s) => s.leading && s.stall).map((s) => s.stall!.retryAt.getTime());
    if (due.length === 0 || stopped) return;
    retryTimer = setTimeout(wake, Math.max(0, Math.min(...due) - Date.now()));
    retryTimer.unref();
  };

  /** When the earliest wake-up not yet answered by a read came; a read takes it. */
  let wokenAt: number | null = null;
  const takeWake = (): number | null => {
    const at = wokenAt;
    wokenAt = null;
    return at;
  };
  const traceBatch = (group: Slot[], events: LogEvent[], timing: Pick<BatchTrace, 'wokenAt' | 'readStartedAt' | 'readAt'>): void => {
    const applied = group.filter((slot) => slot.checkpoint !== null && compareCheckpoints(slot.checkpoint, checkpointOf(events[0]!)) >= 0);
    if (applied.length === 0) return;
    options.onBatch?.({
      projections: applied.map((slot) => slot.projection.name),
      events: events.length,
      first: checkpointOf(events[0]!),
      last: checkpointOf(events[events.length - 1]!),
      ...timing,
      committedAt: performance.now(),
    });
  };

  const catchUpOutage = outageLog(log, 'catch-up');

  /** Runs the pump; a wake-up while it runs makes it go round once more, so nothing notified is left unread. */
  function wake(): void {
    if (stopped) return;
    wokenAt ??= performance.now();
    if (pumping) {
      again = true;
      return;
    }
    pumping = (async () => {
      do {
        again = false;
        try {
          await pumpAll();
          lastRoundAt = Date.now();
          catchUpOutage.recovered();
        } catch (error) {
          // A failed read or write (connection lost, server restarting): the poll tries again, every second.
          catchUpOutage.failed(error);
          break;
        }
      } while (again && !stopped);
    })().finally(() => {
      pumping = null;
      if (again && !stopped) wake();
    });
  }

  // --- leadership -------------------------------------------------------------------------------------------------

  const leadership = createLeadership(sql, applicationName, () => loseAll('lock connection closed'));
  let checking: Promise<void> | null = null;
  let lastLeaderError: string | null = null;
  const leaderOutage = outageLog(log, `leader check (every ${leaderCheckMs} ms)`);
  const checkLeadership = (): Promise<void> =>
    (checking ??= (async () => {
      let held: Set<string>;
      try {
        held = await leadership.refresh(names);
      } catch (error) {
        leaderOutage.failed(error);
        lastLeaderError = `leader check failed: ${describe(error)}`;
        loseAll(lastLeaderError);
        return;
      }
      leaderOutage.recovered();
      lastLeaderError = null;
      let changed = false;
      for (const slot of slots) {
        const leads = held.has(slot.projection.name);
        if (leads && !slot.leading) {
          slot.leading = true;
          slot.checkpoint = null;
          log(`leading ${slot.projection.name}`);
        } else if (!leads && slot.leading) {
          slot.leading = false;
          slot.checkpoint = null;
          log(`no longer leading ${slot.projection.name}: its lock is gone`);
        }
        if (slot.leading && slot.checkpoint === null) {
          await reload(slot);
          changed = true;
        }
      }
      if (changed) wake();
      settleWaiters();
    })().finally(() => {
      checking = null;
    }));

  // --- start ------------------------------------------------------------------------------------------------------

  await checkLeadership();
  const listener = await startWakeListener({
    sql,
    channel: EVENTS_CHANNEL,
    applicationName,
    onWake: wake,
    onListen: wake,
    log,
  });
  const leaderTimer = setInterval(() => void checkLeadership(), leaderCheckMs);
  leaderTimer.unref();
  const pollTimer = setInterval(wake, pollIntervalMs);
  pollTimer.unref();
  wake();

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(leaderTimer);
      clearInterval(pollTimer);
      if (retryTimer) clearTimeout(retryTimer);
      if (heldBackTimer) clearTimeout(heldBackTimer);
      await listener.stop();
      await pumping;
      await checking;
      await leadership.close();
      await writer.end({ timeout: 5 });
      for (const slot of slots) slot.leading = false;
      for (const waiter of waiters) waiter.reject(new Error('projector stopped'));
      waiters = [];
    },
    status() {
      return {
        listening: listener.listening(),
        projections: slots.map((s) => ({
          name: s.projection.name,
          leading: s.leading,
          checkpoint: s.checkpoint,
          stalled: s.stall,
          eventsApplied: s.eventsApplied,
          lastCommitAt: s.lastCommitAt,
        })),
      };
    },
    async check(timeoutMs = 2_000) {
      if (stopped) return { ok: false, detail: 'stopped' };
      const problems: string[] = [];
      const [lock, listen] = await Promise.allSettled([leadership.ping(timeoutMs), listener.ping(timeoutMs)]);
      if (lock.status === 'rejected') problems.push(`lock connection: ${describe(lock.reason)}`);
      if (listen.status === 'rejected') problems.push(`LISTEN connection: ${describe(listen.reason)}`);
      if (lastLeaderError) problems.push(lastLeaderError);
      const quietMs = Date.now() - lastRoundAt;
      const roundDueMs = Math.max(5_000, 5 * pollIntervalMs);
      if (slots.some((s) => s.leading) && quietMs > roundDueMs) problems.push(`catch-up loop made no progress for ${Math.round(quietMs / 1000)} s`);
      const stalled = slots.filter((s) => s.leading && s.stall).map((s) => s.projection.name);
      if (stalled.length > 0) problems.push(`stalled: ${stalled.join(', ')}`);
      return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
    },
    async caughtUp() {
      if (stopped) throw new Error('projector stopped');
      const target = await latestEvent(sql);
      await new Promise<void>((resolve, reject) => {
        waiters.push({ target, resolve, reject });
        settleWaiters();
        wake();
      });
    },
  };
}
