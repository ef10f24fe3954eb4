import postgres from 'postgres';
import { append, type Write } from './append.ts';
import { insertCombined } from './combined-insert.ts';
import type { AppendResult } from './types.ts';

export interface CombineOptions {
  /** Most appends sent in one statement. */
  maxGroup?: number;
  /**
   * Most statements in flight at once; appends arriving meanwhile wait and go together in the next one. Two: one
   * statement waiting on a row lock (another writer's uncommitted version or command id) leaves a lane for the rest,
   * while fewer statements carry larger groups, and per-row CPU and commits fall with group size (bench/append).
   */
  maxInFlight?: number;
}

/** How appends were grouped so far (a group of one took the single-append path). */
export interface GroupStats {
  groups: number;
  appends: number;
  largest: number;
}

export interface AppendCombiner {
  append(write: Write): Promise<AppendResult>;
  readonly stats: GroupStats;
}

interface Pending {
  write: Write;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Write combining for appends outside a caller's transaction (see isCombinable): appends made while the statements
 * in flight run share the next statement and its commit, while each keeps its own outcome (see insertCombined).
 * Nothing waits on a timer: with a lane free an append goes at once, alone on the single-append path, so a lone
 * writer pays exactly what it did without combining; groups form only from appends that would have queued anyway.
 */
export function createAppendCombiner(pool: postgres.Sql, options: CombineOptions = {}): AppendCombiner {
  const maxGroup = options.maxGroup ?? 64;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Pending[] = [];
  const stats: GroupStats = { groups: 0, appends: 0, largest: 0 };
  let inFlight = 0;

  // One member per stream and per command id: two on one stream would race each other for the same version, and
  // two with one command id would both pass its check and then fail the statement.
  const takeGroup = (): Pending[] => {
    const group: Pending[] = [];
    const streams = new Set<string>();
    const commands = new Set<string>();
    for (let i = 0; i < queue.length && group.length < maxGroup; ) {
      const { streamId, options: appendOptions } = queue[i]!.write;
      const commandId = appendOptions.commandId;
      if (streams.has(streamId) || (commandId !== undefined && commands.has(commandId))) {
        i++;
        continue;
      }
      streams.add(streamId);
      if (commandId !== undefined) commands.add(commandId);
      group.push(queue.splice(i, 1)[0]!);
    }
    return group;
  };

  const single = (pending: Pending) => append(pending.write, pool, false).then(pending.resolve, pending.reject);

  const send = async (group: Pending[]): Promise<void> => {
    stats.groups++;
    stats.appends += group.length;
    stats.largest = Math.max(stats.largest, group.length);
    if (group.length === 1) return single(group[0]!);
    let results: (AppendResult | undefined)[];
    try {
      results = await insertCombined(pool, group.map((pending) => pending.write));
    } catch (error) {
      // Postgres refused the statement, so it wrote nothing: each member's own attempt tells its own outcome. Without
      // Postgres' answer (a lost connection) the statement may have committed, and trying again could write twice.
      if (!(error instanceof postgres.PostgresError)) {
        for (const pending of group) pending.reject(error);
        return;
      }
      results = group.map(() => undefined);
    }
    await Promise.all(
      group.map((pending, i) => {
        const result = results[i];
        return result ? pending.resolve(result) : single(pending);
      }),
    );
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      inFlight++;
      void send(takeGroup()).finally(() => {
        inFlight--;
        // The callers just answered usually append again at once: sending the queue after they have (the next turn
        // of the event loop, not a timer) lets them join the next group instead of one going alone ahead of them.
        setImmediate(pump);
      });
    }
  };

  return {
    stats,
    append: (write) =>
      new Promise<AppendResult>((resolve, reject) => {
        queue.push({ write, resolve, reject });
        pump();
      }),
  };
}
