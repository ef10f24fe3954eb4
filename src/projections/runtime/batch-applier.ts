import type postgres from 'postgres';
import { isConnectionError } from '../../db/connection-errors.ts';
import type { LogEvent } from '../../event-store/read-all.ts';
import type { GlobalCheckpoint } from '../../event-store/types.ts';
import { applyBatch, applyIsolating, type ApplyOptions } from '../apply-batch.ts';
import { loadCheckpoint, recordStall } from '../checkpoints.ts';
import type { Log, PreparedBatch } from '../types.ts';
import type { ProjectionSlot } from './slot.ts';

export interface BatchApplierOptions {
  /** For checkpoints and stall records. */
  sql: postgres.Sql;
  /** Runs the batch transactions (connection.ts batchPool). */
  writer: postgres.Sql;
  synchronousCommit?: boolean;
  log: Log;
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Each projection's prepared writes for `events` (null: it has no prepare step); a throwing prepare fails the batch. */
export function prepareFor(group: readonly ProjectionSlot[], events: LogEvent[]): (PreparedBatch | null)[] {
  return group.map(({ projection }) => {
    if (!projection.prepare || events.length === 0) return null;
    try {
      return projection.prepare(events);
    } catch (error) {
      return () => Promise.reject(error);
    }
  });
}

/**
 * Applies batches to slots and moves them on: a committed batch advances their checkpoints, a stale one (another
 * process got there first) reloads them, and a failing handler stalls its own projection at the failing event.
 * A lost connection is no event's fault: it throws, nothing stalls, and the caller tries again later. A slot that
 * lost the lead meanwhile is left alone.
 */
export class BatchApplier {
  private readonly sql: postgres.Sql;
  private readonly writer: postgres.Sql;
  private readonly applyOptions: ApplyOptions;
  private readonly log: Log;

  constructor(options: BatchApplierOptions) {
    this.sql = options.sql;
    this.writer = options.writer;
    this.applyOptions = { synchronousCommit: options.synchronousCommit };
    this.log = options.log;
  }

  /**
   * Projections at the same checkpoint apply a batch in one shared transaction. If that fails (one handler threw,
   * or one checkpoint moved), each goes again on its own, so only the culprit stalls.
   */
  async applyGroup(group: ProjectionSlot[], from: GlobalCheckpoint, events: LogEvent[], prepared: readonly (PreparedBatch | null)[]): Promise<void> {
    if (group.length === 1) return this.applyTo(group[0]!, from, events, prepared[0] ?? null);
    try {
      const outcome = await applyBatch(this.writer, group.map((slot) => slot.projection), from, events, { ...this.applyOptions, prepared });
      if (outcome.kind === 'applied') {
        for (const slot of group) if (slot.leading) this.committed(slot, outcome.checkpoint, events.length);
        return;
      }
    } catch (error) {
      if (isConnectionError(error)) throw error;
      // Found below, projection by projection (a prepared batch is used once: each prepares again).
    }
    await Promise.all(group.map((slot) => this.applyTo(slot, from, events)));
  }

  /** Loads the slot's checkpoint while it leads; on failure leaves it unloaded, for the leadership check to load. */
  async reload(slot: ProjectionSlot): Promise<void> {
    try {
      slot.checkpoint = slot.leading ? await loadCheckpoint(this.sql, slot.name) : null;
    } catch (error) {
      slot.checkpoint = null;
      // An outage is logged once by the leader check and the catch-up loop.
      if (!isConnectionError(error)) this.log(`could not load the checkpoint of ${slot.name}: ${messageOf(error)}`);
    }
  }

  private async applyTo(slot: ProjectionSlot, from: GlobalCheckpoint, events: LogEvent[], prepared: PreparedBatch | null = null): Promise<void> {
    try {
      const outcome = await applyBatch(this.writer, slot.projection, from, events, { ...this.applyOptions, prepared: [prepared] });
      if (!slot.leading) return;
      if (outcome.kind === 'stale') return await this.reload(slot);
      this.committed(slot, outcome.checkpoint, events.length);
    } catch (batchError) {
      if (!slot.leading) return;
      // The database went away: the caller tries again when it answers (a COMMIT that went through unanswered makes
      // that batch stale, and the checkpoint is reloaded).
      if (isConnectionError(batchError)) throw batchError;
      // Find the culprit, so everything before it commits and the checkpoint stops right there.
      const isolated = events.length > 1 ? await applyIsolating(this.writer, slot.projection, from, events, this.applyOptions) : null;
      if (!slot.leading) return;
      if (isolated === null) return this.stall(slot, events[0]!, batchError);
      if (isolated.kind === 'stale') return await this.reload(slot);
      if (isolated.applied > 0) this.committed(slot, isolated.checkpoint, isolated.applied);
      if (isolated.kind === 'failed') {
        if (isConnectionError(isolated.error)) throw isolated.error;
        this.stall(slot, isolated.event, isolated.error);
      }
    }
  }

  private committed(slot: ProjectionSlot, checkpoint: GlobalCheckpoint, count: number): void {
    const ended = slot.committed(checkpoint, count);
    if (ended) this.log(`projection ${slot.name} recovered after ${ended.attempts} failed attempt(s)`);
  }

  private stall(slot: ProjectionSlot, event: LogEvent, error: unknown): void {
    const message = messageOf(error);
    const { stall, delayMs } = slot.stalled(event, message);
    this.log(
      `projection ${slot.name} STALLED at event position ${event.position} ` +
        `(${event.type}, stream ${event.streamId} version ${event.streamVersion}, transaction ${event.transactionId}): ` +
        `${message}; attempt ${stall.attempts}, retrying in ${delayMs} ms; its checkpoint stays before this event`,
    );
    recordStall(this.sql, slot.name, event.position, message).catch((e: unknown) =>
      this.log(`could not record the stall of ${slot.name}: ${messageOf(e)}`),
    );
  }
}
