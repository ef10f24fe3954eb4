import type { GlobalCheckpoint } from '../event-store/index.ts';

/**
 * One version of one read-model entity, as its projection committed it, at the cursor of the event that made it.
 * The feed hands the same object to every subscriber it concerns (so work done for one, such as executing a
 * subscription's document, can be shared).
 */
export interface Change {
  tenantId: string;
  checkpoint: GlobalCheckpoint;
  /** The opaque form of `checkpoint` that clients hand back as `since`. */
  cursor: string;
}

/** Somebody in this process who wants changes: told of every change routed to them, in cursor order. */
export interface Subscriber<C extends Change> {
  deliver(change: C): void;
}

/** Changes of `tenantId` after `after`. */
export interface Bound {
  tenantId: string;
  after: GlobalCheckpoint;
}

/**
 * A projection whose versions the feed publishes: it reads them and says whom each concerns. The projection writes
 * each version in the transaction that applies its event and announces the batch on `dvmm_changes`.
 */
export interface LiveSource<C extends Change> {
  /** The projection's name, as its `dvmm_changes` entries and its checkpoint carry it. */
  projection: string;
  /**
   * Versions of these tenants after each one's cursor, in cursor order, at most `limit`, read where every version up
   * to `atLeast` is visible (a read replica that has replayed that far, else the primary: the newest change notified).
   */
  changesAfter(bounds: readonly Bound[], limit: number, atLeast: GlobalCheckpoint): Promise<C[]>;
  /** The routes (see Registry) whose subscribers a change may concern; each subscriber still checks it. */
  routes(change: C): readonly string[];
  /** Every version at or below this cursor has been written: the projection's checkpoint. */
  checkpoint(): Promise<GlobalCheckpoint>;
  /** The newest cursor whose versions were pruned; null while none were. A replay from at or below it is expired. */
  horizon(): Promise<GlobalCheckpoint | null>;
}
