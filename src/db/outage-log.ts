import { describeError } from './connection-errors.ts';

/**
 * Logs a database outage once, where a loop retrying every second would log each attempt: the first failure, then
 * nothing until `recovered()`, which says how long it lasted and how many attempts failed meanwhile.
 */
export interface OutageLog {
  failed(error: unknown): void;
  recovered(): void;
  /** True between a failure and the next recovery. */
  readonly down: boolean;
}

/** `waiting` ends the first line: what happens until the recovery (a retry loop, or a check polled from outside). */
export function outageLog(log: (line: string) => void, what: string, waiting = 'retrying until the database answers'): OutageLog {
  let since: number | null = null;
  let attempts = 0;
  return {
    failed(error) {
      attempts++;
      if (since !== null) return;
      since = Date.now();
      log(`${what} failed: ${describeError(error)}; ${waiting} (logged once)`);
    },
    recovered() {
      if (since === null) return;
      log(`${what} works again after ${((Date.now() - since) / 1000).toFixed(1)} s (${attempts} failed attempt(s))`);
      since = null;
      attempts = 0;
    },
    get down() {
      return since !== null;
    },
  };
}
