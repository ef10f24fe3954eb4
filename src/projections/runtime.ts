import { hostname } from 'node:os';
import type postgres from 'postgres';
import { outageLog } from '../db/outage-log.ts';
import { EVENTS_CHANNEL } from '../event-store/notifier.ts';
import { batchPool } from './connection.ts';
import { latestEvent } from './latest-event.ts';
import { startWakeListener } from './listener.ts';
import { BatchApplier, messageOf } from './runtime/batch-applier.ts';
import { BatchPump, type BatchTrace } from './runtime/batch-pump.ts';
import { HeldBackHorizon } from './runtime/held-back.ts';
import { LeadershipLoop } from './runtime/leadership-loop.ts';
import { ProjectionSlot } from './runtime/slot.ts';
import { StallRetry } from './runtime/stall-retry.ts';
import { Waiters } from './runtime/waiters.ts';
import { WakeLoop } from './runtime/wake-loop.ts';
import type { Log, Projection, ProjectorStatus } from './types.ts';

export type { ChangedRow, Projection, ProjectorStatus, ProjectionRuntimeStatus, StallInfo, Log } from './types.ts';
export type { ApplyOptions } from './apply-batch.ts';
export type { BatchTrace } from './runtime/batch-pump.ts';

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

/**
 * Runs projections: for each, one leader across all processes, woken by LISTEN dvmm_events, catching up on start,
 * on every re-LISTEN and on a slow poll, reading gap-safe batches and applying each in one guarded transaction.
 *
 * Projections at the same checkpoint share each read and each batch transaction. A projection whose handler throws
 * stalls alone, at the failing event.
 *
 * The parts (src/projections/runtime/): each projection's slot (lead, checkpoint, stall and its backoff), the
 * leadership loop that moves the lead, the wake loop that runs one catch-up round at a time, the batch pump that
 * reads ahead and regroups, the applier that commits a batch or stalls its culprit, the held-back horizon and the
 * stall retry that wake the loop early, and the waiters of caughtUp().
 */
export async function startProjector(options: ProjectorOptions): Promise<Projector> {
  const { sql } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const applicationName = options.applicationName ?? `dvmm-projector ${hostname()}:${process.pid}`;
  const logLine = options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void => logLine(`[projector] ${line}`);

  const names = options.projections.map((p) => p.name);
  if (new Set(names).size !== names.length) throw new Error(`projection names must be unique: ${names.join(', ')}`);
  const backoff = { initialMs: options.retryInitialMs ?? 1000, maxMs: options.retryMaxMs ?? 60_000 };
  const slots = options.projections.map((projection) => new ProjectionSlot(projection, backoff));

  const stopping = new AbortController();
  const { signal } = stopping;
  const waiters = new Waiters((target) => slots.every((slot) => slot.reached(target)));
  // Batch transactions go out in one round trip on connections of their own (connection.ts batchPool): one per
  // projection at most, as many as can write at once (each its own group, or a group's retry one by one).
  const writer = batchPool(sql, { applicationName, max: Math.max(1, slots.length) });
  const applier = new BatchApplier({ sql, writer, synchronousCommit: options.synchronousCommit, log });
  const loop: WakeLoop = new WakeLoop(() => pump.round(), outageLog(log, 'catch-up'), signal);
  const pump = new BatchPump({
    sql,
    slots,
    batchSize: options.batchSize ?? 20_000,
    applier,
    horizon: new HeldBackHorizon(loop.wake, pollIntervalMs, signal),
    retry: new StallRetry(loop.wake, signal),
    takeWake: () => loop.takeWake(),
    afterBatch: () => {
      loop.progressed();
      waiters.settle();
    },
    onBatch: options.onBatch,
    signal,
  });
  const leaders = new LeadershipLoop({
    sql,
    slots,
    applicationName,
    reload: (slot) => applier.reload(slot),
    onLead: loop.wake,
    onChange: () => waiters.settle(),
    intervalMs: options.leaderCheckMs ?? 1000,
    log,
    signal,
  });

  await leaders.check();
  const listener = await startWakeListener({ sql, channel: EVENTS_CHANNEL, applicationName, onWake: loop.wake, onListen: loop.wake, log });
  leaders.start();
  const pollTimer = setInterval(loop.wake, pollIntervalMs);
  pollTimer.unref();
  signal.addEventListener('abort', () => clearInterval(pollTimer));
  loop.wake();

  return {
    async stop() {
      if (signal.aborted) return;
      stopping.abort();
      await listener.stop();
      await loop.settled();
      await leaders.close();
      await writer.end({ timeout: 5 });
      for (const slot of slots) slot.leading = false;
      waiters.rejectAll(new Error('projector stopped'));
    },
    status() {
      return { listening: listener.listening(), projections: slots.map((slot) => slot.status()) };
    },
    async check(timeoutMs = 2_000) {
      if (signal.aborted) return { ok: false, detail: 'stopped' };
      const problems: string[] = [];
      const [lock, listen] = await Promise.allSettled([leaders.ping(timeoutMs), listener.ping(timeoutMs)]);
      if (lock.status === 'rejected') problems.push(`lock connection: ${messageOf(lock.reason)}`);
      if (listen.status === 'rejected') problems.push(`LISTEN connection: ${messageOf(listen.reason)}`);
      const leaderError = leaders.failure();
      if (leaderError) problems.push(leaderError);
      const quietMs = Date.now() - loop.lastRoundAt;
      const roundDueMs = Math.max(5_000, 5 * pollIntervalMs);
      if (slots.some((s) => s.leading) && quietMs > roundDueMs) problems.push(`catch-up loop made no progress for ${Math.round(quietMs / 1000)} s`);
      const stalled = slots.filter((s) => s.leading && s.stall).map((s) => s.name);
      if (stalled.length > 0) problems.push(`stalled: ${stalled.join(', ')}`);
      return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
    },
    async caughtUp() {
      if (signal.aborted) throw new Error('projector stopped');
      const target = await latestEvent(sql);
      const done = waiters.wait(target);
      loop.wake();
      await done;
    },
  };
}
