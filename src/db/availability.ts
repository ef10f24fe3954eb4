import type postgres from 'postgres';
import { describeError, isConnectionError } from './connection-errors.ts';

export interface DatabaseAvailability {
  /** False from a connection failure until a probe answers again: requests are then refused at once (503). */
  available(): boolean;
  /** Hands in a failure seen anywhere; a connection failure marks the database unavailable. True if it was one. */
  report(error: unknown): boolean;
  /** A round trip through the pool within `timeoutMs`; throws otherwise (for /ready). */
  ping(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export interface AvailabilityOptions {
  /** Pause between probes while unavailable. Default 500 ms. */
  probeIntervalMs?: number;
  /** A probe not answered within this counts as failed. Default 2000 ms. */
  probeTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * Whether the database answers, as last seen. A request that fails for want of a connection marks it down; from then
 * on a probe (`select 1` through the same pool) runs every half second, and the first one that answers marks it up.
 * Meanwhile requests are refused without waiting on the pool, so during an outage clients get a quick 503 with
 * Retry-After instead of requests piling up until the server returns (see http/plugins/database-gate.ts).
 */
export function createAvailability(sql: postgres.Sql, options: AvailabilityOptions = {}): DatabaseAvailability {
  const probeIntervalMs = options.probeIntervalMs ?? 500;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  const log = options.log ?? ((line: string) => console.log(line));
  let downSince: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const ping = async (timeoutMs = probeTimeoutMs): Promise<void> => {
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`select 1`,
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timeout);
    }
  };

  const probe = (): void => {
    timer = setTimeout(async () => {
      timer = null;
      if (stopped || downSince === null) return;
      try {
        await ping();
        log(`[db] the database answers again after ${((Date.now() - downSince) / 1000).toFixed(1)} s: serving requests`);
        downSince = null;
      } catch {
        probe();
      }
    }, probeIntervalMs);
    timer.unref();
  };

  return {
    available: () => downSince === null,
    report(error) {
      if (!isConnectionError(error)) return false;
      if (downSince === null && !stopped) {
        downSince = Date.now();
        log(`[db] the database cannot be reached (${describeError(error)}): answering 503 until it does`);
        probe();
      }
      return true;
    },
    ping,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
