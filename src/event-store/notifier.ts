import type postgres from 'postgres';

export const EVENTS_CHANNEL = 'dvmm_events';

export interface Notifier {
  /** Call after a commit: a wake-up NOTIFY follows within `intervalMs`, shared with every other signal meanwhile. */
  signal(): void;
  /** Sends what is pending now and stops the timer. */
  flush(): Promise<void>;
}

/**
 * Coalesces wake-ups: at most one NOTIFY per interval, and always one after the last signal.
 *
 * NOTIFY inside a writer's transaction takes a global lock at commit and serialises all writers, so the store
 * signals here, after commit, and a burst of appends costs one NOTIFY. The notification carries no data: a
 * listener reads the event log from its checkpoint, so a lost wake-up only delays (the poll catches up).
 */
export function createNotifier(sql: postgres.Sql, intervalMs = 3, channel = EVENTS_CHANNEL): Notifier {
  let pending = false;
  let timer: NodeJS.Timeout | null = null;
  let sending: Promise<void> | null = null;
  let lastSent = 0;

  const send = async (): Promise<void> => {
    timer = null;
    if (!pending) return;
    pending = false;
    lastSent = Date.now();
    try {
      await sql.notify(channel, '');
    } catch (error) {
      // Listeners also poll, so a failed wake-up delays delivery; it loses nothing.
      console.warn(`[event-store] NOTIFY ${channel} failed: ${(error as Error).message}`);
    }
  };

  const schedule = (): void => {
    if (timer || sending) return;
    const wait = Math.max(0, lastSent + intervalMs - Date.now());
    timer = setTimeout(() => {
      sending = send().finally(() => {
        sending = null;
        if (pending) schedule();
      });
    }, wait);
    timer.unref();
  };

  return {
    signal() {
      pending = true;
      schedule();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (sending) await sending;
      await send();
    },
  };
}
