import type { GlobalCheckpoint } from '../../event-store/index.ts';
import { compareCheckpoints } from '../../projections/cursor.ts';

export interface CallerPositions {
  /** The newest position this caller wrote (or was handed as liveCursor) within the last `ttlMs`; null otherwise. */
  get(caller: string): GlobalCheckpoint | null;
  /** Raises the caller's position (never lowers it). */
  raise(caller: string, position: GlobalCheckpoint): void;
  size(): number;
}

/**
 * Per caller (tenant and user), the newest position they wrote, kept a short while, so their next queries on this
 * instance see their own writes even when the client passes nothing. Past `ttlMs` a replica has long caught up (or is
 * out of rotation), and the requirement would only cost a look at its position. Bounded: beyond `max` callers the
 * least recently written is forgotten, which costs that caller at most a read that does not wait.
 */
export function createCallerPositions(options: { ttlMs?: number; max?: number; now?: () => number } = {}): CallerPositions {
  const ttlMs = options.ttlMs ?? 30_000;
  const max = options.max ?? 100_000;
  const now = options.now ?? Date.now;
  // Map order is insertion order: re-inserting on every write keeps the least recently written first.
  const entries = new Map<string, { position: GlobalCheckpoint; at: number }>();

  return {
    get(caller) {
      const entry = entries.get(caller);
      if (!entry) return null;
      if (now() - entry.at > ttlMs) {
        entries.delete(caller);
        return null;
      }
      return entry.position;
    },
    raise(caller, position) {
      const entry = entries.get(caller);
      const newest = entry && now() - entry.at <= ttlMs && compareCheckpoints(entry.position, position) > 0 ? entry.position : position;
      entries.delete(caller);
      entries.set(caller, { position: newest, at: now() });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    size: () => entries.size,
  };
}

export const callerKey = (principal: { tenantId: string; userId: string }): string => `${principal.tenantId}\u0000${principal.userId}`;
