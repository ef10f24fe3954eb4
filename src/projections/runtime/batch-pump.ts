import type postgres from 'postgres';
import { readAllLean, type LogEvent, type ReadLogResult } from '../../event-store/read-all.ts';
import type { GlobalCheckpoint } from '../../event-store/types.ts';
import { checkpointOf, compareCheckpoints } from '../cursor.ts';
import { latestEvent } from '../latest-event.ts';
import type { PreparedBatch } from '../types.ts';
import { prepareFor, type BatchApplier } from './batch-applier.ts';
import type { HeldBackHorizon } from './held-back.ts';
import { groupsDue, nextRetryAt, type ProjectionSlot } from './slot.ts';
import type { StallRetry } from './stall-retry.ts';

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

export interface BatchPumpOptions {
  sql: postgres.Sql;
  slots: readonly ProjectionSlot[];
  /** Events per read and per transaction. */
  batchSize: number;
  applier: BatchApplier;
  horizon: HeldBackHorizon;
  retry: StallRetry;
  /** The earliest wake-up not yet answered by a read (WakeLoop.takeWake). */
  takeWake: () => number | null;
  /** After every committed batch. */
  afterBatch: () => void;
  onBatch?: (trace: BatchTrace) => void;
  /** Aborted: the round ends after the batch in flight, and no read ahead is started. */
  signal: AbortSignal;
}

interface PreparedRead extends ReadLogResult {
  prepared: (PreparedBatch | null)[];
}

type ReadTiming = Pick<BatchTrace, 'wokenAt' | 'readStartedAt' | 'readAt'>;

/**
 * One catch-up round: reads gap-safe batches for every due projection and applies them, until none has anything
 * left to read. Projections at the same checkpoint read together; once every group has caught up (or split: one of
 * them stalled or lost the lead), the due projections are grouped again, so projections that meet at a checkpoint
 * share the reads from there on.
 */
export class BatchPump {
  constructor(private readonly options: BatchPumpOptions) {}

  async round(): Promise<void> {
    const { slots, horizon, retry, signal } = this.options;
    horizon.roundStarted();
    let progressedAny = false;
    while (!signal.aborted) {
      const groups = groupsDue(slots, Date.now());
      if (groups.length === 0) break;
      const progressed = await Promise.all(groups.map((g) => this.pumpGroup(g.slots, g.from)));
      if (!progressed.some(Boolean)) break;
      progressedAny = true;
    }
    retry.schedule(nextRetryAt(slots));
    horizon.roundEnded(progressedAny);
  }

  /**
   * Reads for projections at the same checkpoint; true when there were events. While a full batch is applied, the
   * next one is already being read (replay and catch-up overlap reading with writing); a short batch means the
   * group is caught up, and the caller regroups.
   */
  private async pumpGroup(group: ProjectionSlot[], start: GlobalCheckpoint): Promise<boolean> {
    const { sql, batchSize, applier, signal } = this.options;
    // Each batch is prepared (Projection.prepare) as soon as it has been read: for a batch read ahead, that is
    // while the previous batch's transaction runs, so the database does not wait for it.
    const read = (after: GlobalCheckpoint): Promise<PreparedRead> =>
      readAllLean(sql, after, batchSize).then((result) => ({ ...result, prepared: prepareFor(group, result.events) }));
    let from = start;
    let wokenAt = this.options.takeWake();
    let readStartedAt = performance.now();
    let next: Promise<PreparedRead> | null = read(from);
    let progressed = false;
    while (next) {
      const { events, checkpoint, prepared }: PreparedRead = await next;
      const readAt = performance.now();
      if (events.length === 0) {
        if (!progressed) await this.noteHeldBack(from);
        return progressed;
      }
      const timing: ReadTiming = { wokenAt, readStartedAt, readAt };
      if (events.length === batchSize && !signal.aborted) {
        wokenAt = null;
        readStartedAt = performance.now();
        next = read(checkpoint);
      } else {
        next = null;
      }
      try {
        await applier.applyGroup(group, from, events, prepared);
      } catch (error) {
        next?.catch(() => {}); // the read ahead is abandoned with this round: its failure is nobody's to handle
        throw error;
      }
      progressed = true;
      if (this.options.onBatch) this.trace(group, events, timing);
      this.options.afterBatch();
      const intact = group.every(
        (slot) => slot.leading && !slot.stall && slot.checkpoint !== null && compareCheckpoints(slot.checkpoint, checkpoint) === 0,
      );
      if (!intact || signal.aborted) {
        next?.catch(() => {}); // read ahead for nothing: the group changed
        next = null;
      }
      from = checkpoint;
    }
    return progressed;
  }

  /** Nothing was readable after `from`: held back, if the log has committed events past it. */
  private async noteHeldBack(from: GlobalCheckpoint): Promise<void> {
    const latest = await latestEvent(this.options.sql);
    if (latest && compareCheckpoints(latest, from) > 0) this.options.horizon.heldBack();
  }

  private trace(group: ProjectionSlot[], events: LogEvent[], timing: ReadTiming): void {
    const first = checkpointOf(events[0]!);
    const applied = group.filter((slot) => slot.checkpoint !== null && compareCheckpoints(slot.checkpoint, first) >= 0);
    if (applied.length === 0) return;
    this.options.onBatch?.({
      projections: applied.map((slot) => slot.name),
      events: events.length,
      first,
      last: checkpointOf(events[events.length - 1]!),
      ...timing,
      committedAt: performance.now(),
    });
  }
}
