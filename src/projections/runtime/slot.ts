import type { LogEvent } from '../../event-store/read-all.ts';
import type { GlobalCheckpoint } from '../../event-store/types.ts';
import { compareCheckpoints } from '../cursor.ts';
import type { Projection, ProjectionRuntimeStatus, StallInfo } from '../types.ts';

/** Retries of a stalled projection: the first after `initialMs`, each next one twice as late, up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * One projection as this process runs it: whether it leads, how far it is, and whether it is stalled. Only the
 * leader knows a checkpoint; losing the lead forgets it, and taking the lead loads it again from the database.
 */
export class ProjectionSlot {
  leading = false;
  /** Where the projection is; null while not leading or not yet loaded. */
  checkpoint: GlobalCheckpoint | null = null;
  stall: StallInfo | null = null;
  eventsApplied = 0;
  lastCommitAt: Date | null = null;

  constructor(
    readonly projection: Projection,
    private readonly backoff: Backoff,
  ) {}

  get name(): string {
    return this.projection.name;
  }

  /** This process now holds the projection's lock; its checkpoint is to be loaded. */
  lead(): void {
    this.leading = true;
    this.checkpoint = null;
  }

  /** The lock is gone (or cannot be checked): another process may move the checkpoint now. */
  release(): void {
    this.leading = false;
    this.checkpoint = null;
  }

  /** Ready for a read at `now`: leading, its checkpoint loaded, and not waiting out a stall's backoff. */
  due(now: number): boolean {
    return this.leading && this.checkpoint !== null && !(this.stall && this.stall.retryAt.getTime() > now);
  }

  /** Has applied every event up to `target`, or is not this process's to wait for. */
  reached(target: GlobalCheckpoint): boolean {
    return !this.leading || (this.checkpoint !== null && compareCheckpoints(this.checkpoint, target) >= 0);
  }

  /** `count` events up to `checkpoint` committed. Returns the stall this ends, if any. */
  committed(checkpoint: GlobalCheckpoint, count: number, now = new Date()): StallInfo | null {
    const ended = this.stall;
    this.checkpoint = checkpoint;
    this.eventsApplied += count;
    this.lastCommitAt = now;
    this.stall = null;
    return ended;
  }

  /**
   * The handler failed on `event`: the projection stalls there and retries later. The wait doubles with each
   * failed attempt at the same event; a failure at another event starts the count again (the stall keeps its start).
   */
  stalled(event: Pick<LogEvent, 'position'>, error: string, now = Date.now()): { stall: StallInfo; delayMs: number } {
    const attempts = (this.stall?.position === event.position ? this.stall.attempts : 0) + 1;
    const delayMs = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(attempts - 1, 30));
    this.stall = {
      position: event.position,
      error,
      since: this.stall?.since ?? new Date(now),
      attempts,
      retryAt: new Date(now + delayMs),
    };
    return { stall: this.stall, delayMs };
  }

  status(): ProjectionRuntimeStatus {
    return {
      name: this.name,
      leading: this.leading,
      checkpoint: this.checkpoint,
      stalled: this.stall,
      eventsApplied: this.eventsApplied,
      lastCommitAt: this.lastCommitAt,
    };
  }
}

/** Slots that can read together: due ones at the same checkpoint. */
export interface SlotGroup {
  from: GlobalCheckpoint;
  slots: ProjectionSlot[];
}

/**
 * The due slots grouped by checkpoint. Projections at the same checkpoint (the usual case: they start together and
 * move together) share each read and each batch transaction.
 */
export function groupsDue(slots: readonly ProjectionSlot[], now: number): SlotGroup[] {
  const groups = new Map<string, SlotGroup>();
  for (const slot of slots) {
    if (!slot.due(now)) continue;
    const from = slot.checkpoint!;
    const key = `${from.transactionId}:${from.position}`;
    const group = groups.get(key);
    if (group) group.slots.push(slot);
    else groups.set(key, { from, slots: [slot] });
  }
  return [...groups.values()];
}

/** When the first stalled projection this process leads is due to try again; null when none is stalled. */
export function nextRetryAt(slots: readonly ProjectionSlot[]): number | null {
  let next: number | null = null;
  for (const slot of slots) {
    if (!slot.leading || !slot.stall) continue;
    const at = slot.stall.retryAt.getTime();
    if (next === null || at < next) next = at;
  }
  return next;
}
