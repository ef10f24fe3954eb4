import type { GlobalCheckpoint } from '../event-store/types.ts';
import { createDb, createSql, type DrizzleDb, type Sql } from './client.ts';
import { describeError, isConnectionError } from './connection-errors.ts';
import { readReplicaLag } from './replica-probe.ts';
import { comparePositions, readModelPosition } from './replica-position.ts';

/** A server to read from: the primary, or one replica. */
export interface ReadHandle {
  /** 'primary', or the replica's name (`replica-1` ...: its place in DATABASE_READ_URL). */
  target: string;
  sql: Sql;
  db: DrizzleDb;
}

export type ReplicaState = 'in-rotation' | 'lagging' | 'down';

export interface ReplicaStatus {
  name: string;
  /** The URL without its password. */
  url: string;
  state: ReplicaState;
  /** Replay lag at the last probe (null before one answered). */
  lagSeconds: number | null;
  /** The read models' position there, as last seen. */
  position: GlobalCheckpoint | null;
  /** Why it is out of rotation. */
  detail?: string;
}

/** Why a read that asked for a replica went to the primary. */
export type FallbackReason = 'wait' | 'no-replica' | 'failed';

export interface ReadReplicaStats {
  /** Reads handed out, per target ('primary' or a replica's name). */
  routed: ReadonlyMap<string, number>;
  /** Reads sent to the primary although replicas are configured, per reason. */
  fallbacks: ReadonlyMap<FallbackReason, number>;
}

export interface ReadReplicas {
  /** True when DATABASE_READ_URL names at least one replica. */
  readonly enabled: boolean;
  readonly primary: ReadHandle;
  /**
   * The server a read should use. `min` null: a replica in rotation (round robin), at once. Otherwise a replica whose
   * read models include `min`, waiting up to the configured bound for one to replay that far; else the primary, and
   * the fallback is counted. Never throws: a replica that fails to answer is taken out of rotation.
   */
  readerFor(min: GlobalCheckpoint | null): Promise<ReadHandle>;
  /**
   * Runs `fn` on `readerFor(min)`; when a replica fails it with a connection failure, that replica leaves rotation and
   * `fn` runs again on the primary (for reads only: they are safe to repeat).
   */
  read<T>(min: GlobalCheckpoint | null, fn: (handle: ReadHandle) => Promise<T>): Promise<T>;
  /** A read on `handle` failed: a connection failure takes that replica out of rotation until a probe answers. */
  reportFailure(handle: ReadHandle, error: unknown): void;
  /** The primary, for a read retried there after its replica failed (counted; waits for `min` as readerFor does). */
  primaryAfterFailure(min: GlobalCheckpoint | null): Promise<ReadHandle>;
  status(): ReplicaStatus[];
  stats(): ReadReplicaStats;
  /** Probes every replica once now (tests; start() also does). */
  probe(): Promise<void>;
  start(): Promise<void>;
  /** Stops probing and ends the replicas' pools (not the primary's). */
  stop(): Promise<void>;
}

export interface ReadReplicaOptions {
  primary: { sql: Sql; db: DrizzleDb };
  /** DATABASE_READ_URL, split. */
  urls: readonly string[];
  /** The projections whose checkpoints say how far a server's read models go (replica-position.ts). */
  projections: readonly string[];
  /** READ_REPLICA_WAIT_MS: how long a read with a position waits for a replica before going to the primary. */
  waitMs?: number;
  /** READ_REPLICA_MAX_LAG_MS: a replica lagging more is out of rotation. */
  maxLagMs?: number;
  /** Pause between probes. Default: `maxLagMs`, at most 1 s (a replica that falls behind leaves within its bound). */
  probeIntervalMs?: number;
  /** Pool size per replica. */
  poolMax?: number;
  applicationName?: string;
  log?: (line: string) => void;
}

interface Replica {
  handle: ReadHandle;
  url: string;
  state: ReplicaState;
  lagSeconds: number | null;
  position: GlobalCheckpoint | null;
  detail?: string;
  /** False until the first probe: its outcome is logged whatever it is. */
  probed: boolean;
  /** The position read in flight, shared by every waiter. */
  reading: Promise<GlobalCheckpoint | null> | null;
}

const POLL_MIN_MS = 2;
const POLL_MAX_MS = 20;

/**
 * Read replicas (architecture decision 20). Freshness is judged by the read models' own checkpoints on each server,
 * not by WAL positions: the cursors clients already hold (changes, liveCursor, a mutation's cursor) are log positions,
 * a checkpoint row is written in the transaction that writes the rows, so "checkpoint >= cursor" on the replica says
 * exactly that its read models show that change, whereas a WAL position would need a map from cursors to LSNs and
 * would still not say whether the projector had got that far. The lag from pg_last_xact_replay_timestamp() only
 * decides rotation.
 */
export function createReadReplicas(options: ReadReplicaOptions): ReadReplicas {
  const waitMs = options.waitMs ?? 200;
  const maxLagMs = options.maxLagMs ?? 5_000;
  const probeIntervalMs = options.probeIntervalMs ?? Math.max(50, Math.min(maxLagMs, 1_000));
  const log = options.log ?? ((line: string) => console.log(line));
  const primary: ReadHandle = { target: 'primary', sql: options.primary.sql, db: options.primary.db };
  const replicas: Replica[] = options.urls.map((url, i) => {
    const sql = createSql(url, { max: options.poolMax ?? 10, applicationName: options.applicationName ?? 'dvmm-read' });
    return {
      handle: { target: `replica-${i + 1}`, sql, db: createDb(sql) },
      url: withoutPassword(url),
      // Out of rotation until its first probe answers.
      state: 'down',
      lagSeconds: null,
      position: null,
      detail: 'not probed yet',
      probed: false,
      reading: null,
    };
  });
  // The primary's read models trail a write as well (the projector applies it after the append): its position is
  // read like a replica's, to wait for it before a read with a position falls back there.
  const onPrimary: Replica = { handle: primary, url: '', state: 'in-rotation', lagSeconds: 0, position: null, probed: true, reading: null };
  const routed = new Map<string, number>();
  const fallbacks = new Map<FallbackReason, number>();
  let next = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const count = (target: string): void => void routed.set(target, (routed.get(target) ?? 0) + 1);
  const fallBack = (reason: FallbackReason): ReadHandle => {
    fallbacks.set(reason, (fallbacks.get(reason) ?? 0) + 1);
    count(primary.target);
    return primary;
  };
  const has = (replica: Replica, min: GlobalCheckpoint): boolean =>
    replica.position !== null && comparePositions(replica.position, min) >= 0;
  const inRotation = (): Replica[] => replicas.filter((replica) => replica.state === 'in-rotation');
  const pick = (candidates: Replica[]): ReadHandle => {
    const chosen = candidates[next++ % candidates.length]!;
    count(chosen.handle.target);
    return chosen.handle;
  };

  const setState = (replica: Replica, state: ReplicaState, detail?: string): void => {
    if (replica.state !== state || !replica.probed) {
      log(`[db] read replica ${replica.handle.target} (${replica.url}): ${state}${detail ? ` (${detail})` : ''}`);
    }
    replica.probed = true;
    replica.state = state;
    replica.detail = detail;
  };

  const markDown = (replica: Replica, error: unknown): void => setState(replica, 'down', describeError(error));

  /** The replica's read-model position now; concurrent callers share one query. */
  const readPosition = (replica: Replica): Promise<GlobalCheckpoint | null> => {
    replica.reading ??= readModelPosition(replica.handle.sql, options.projections)
      .then((position) => {
        if (position && (!replica.position || comparePositions(position, replica.position) > 0)) replica.position = position;
        return replica.position;
      })
      .finally(() => {
        replica.reading = null;
      });
    return replica.reading;
  };

  const probeOne = async (replica: Replica): Promise<void> => {
    try {
      const [{ lagSeconds }] = await Promise.all([readReplicaLag(replica.handle.sql), readPosition(replica)]);
      replica.lagSeconds = lagSeconds;
      if (lagSeconds * 1000 > maxLagMs) setState(replica, 'lagging', `${lagSeconds.toFixed(1)} s behind`);
      else setState(replica, 'in-rotation');
    } catch (error) {
      markDown(replica, error);
    }
  };

  const probe = async (): Promise<void> => {
    await Promise.all(replicas.map(probeOne));
  };

  const schedule = (): void => {
    if (stopped || replicas.length === 0) return;
    timer = setTimeout(() => {
      timer = null;
      void probe().finally(schedule);
    }, probeIntervalMs);
    timer.unref();
  };

  /** The first candidate to reach `min` within the bound, or null. */
  const waitFor = async (candidates: Replica[], min: GlobalCheckpoint): Promise<Replica | null> => {
    const deadline = Date.now() + waitMs;
    let pause = POLL_MIN_MS;
    for (;;) {
      // A replica that stops answering without closing its connection must not hold the read past the bound.
      const readings = await Promise.allSettled(candidates.map((replica) => withinDeadline(readPosition(replica), deadline)));
      readings.forEach((reading, i) => {
        if (reading.status === 'rejected' && isConnectionError(reading.reason)) markDown(candidates[i]!, reading.reason);
      });
      const ready = candidates.filter((replica) => replica.state === 'in-rotation' && has(replica, min));
      if (ready.length > 0) return ready[next++ % ready.length]!;
      candidates = candidates.filter((replica) => replica.state === 'in-rotation');
      const left = deadline - Date.now();
      if (candidates.length === 0 || left <= 0) return null;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(POLL_MAX_MS, pause * 2);
    }
  };

  /**
   * A read that must include `min` goes to the primary: waits, within the same bound, until the primary's read models
   * have it too, so a writer's own follow-up read shows the write there whether a replica lags or the projector
   * does. Past the bound (a stalled projection) it reads what is there, as without replicas.
   */
  const fallBackWith = async (reason: FallbackReason, min: GlobalCheckpoint | null): Promise<ReadHandle> => {
    if (min !== null && !has(onPrimary, min)) {
      const deadline = Date.now() + waitMs;
      let pause = POLL_MIN_MS;
      for (;;) {
        const position = await withinDeadline(readPosition(onPrimary), deadline).catch(() => null);
        const left = deadline - Date.now();
        if ((position && comparePositions(position, min) >= 0) || left <= 0 || position === null) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
        pause = Math.min(POLL_MAX_MS, pause * 2);
      }
    }
    return fallBack(reason);
  };

  const readerFor = async (min: GlobalCheckpoint | null): Promise<ReadHandle> => {
    if (replicas.length === 0) {
      count(primary.target);
      return primary;
    }
    const candidates = inRotation();
    if (candidates.length === 0) return fallBackWith('no-replica', min);
    if (min === null) return pick(candidates);
    const ready = candidates.filter((replica) => has(replica, min));
    if (ready.length > 0) return pick(ready);
    const reached = await waitFor(candidates, min);
    if (!reached) return fallBackWith('wait', min);
    count(reached.handle.target);
    return reached.handle;
  };

  const reportFailure = (handle: ReadHandle, error: unknown): void => {
    const replica = replicas.find((candidate) => candidate.handle === handle);
    if (replica && isConnectionError(error)) markDown(replica, error);
  };

  return {
    enabled: replicas.length > 0,
    primary,
    readerFor,
    reportFailure,

    async read(min, fn) {
      const handle = await readerFor(min);
      try {
        return await fn(handle);
      } catch (error) {
        if (handle === primary || !isConnectionError(error)) throw error;
        reportFailure(handle, error);
        return fn(await fallBackWith('failed', min));
      }
    },

    primaryAfterFailure: (min) => fallBackWith('failed', min),

    status: () =>
      replicas.map((replica) => ({
        name: replica.handle.target,
        url: replica.url,
        state: replica.state,
        lagSeconds: replica.lagSeconds,
        position: replica.position,
        ...(replica.detail ? { detail: replica.detail } : {}),
      })),

    stats: () => ({ routed, fallbacks }),

    probe,

    async start() {
      stopped = false;
      await probe();
      schedule();
    },

    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await Promise.all(replicas.map((replica) => replica.handle.sql.end({ timeout: 5 })));
    },
  };
}

/** `promise`, or a rejection once `deadline` (epoch ms) has passed. */
function withinDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within the wait')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
