import type { GlobalCheckpoint } from '../../event-store/types.ts';

interface Waiter {
  target: GlobalCheckpoint;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Callers waiting for the projections to reach a point in the log (Projector.caughtUp). `reached` says whether
 * every projection this process leads is at or past a target; `settle` is called whenever that may have changed
 * (a batch committed, the lead was taken or lost).
 */
export class Waiters {
  private waiting: Waiter[] = [];

  constructor(private readonly reached: (target: GlobalCheckpoint) => boolean) {}

  /** Resolves once `target` is reached (at once for null: the log was empty); rejects on `rejectAll`. */
  wait(target: GlobalCheckpoint | null): Promise<void> {
    if (target === null) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ target, resolve, reject });
      this.settle();
    });
  }

  settle(): void {
    if (this.waiting.length === 0) return;
    const pending: Waiter[] = [];
    for (const waiter of this.waiting) (this.reached(waiter.target) ? waiter.resolve() : pending.push(waiter));
    this.waiting = pending;
  }

  rejectAll(error: Error): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const waiter of waiting) waiter.reject(error);
  }
}
