/**
 * Wakes the projector when the first stalled projection is due to try again. One timer, moved to the earliest
 * retry after every pump round.
 */
export class StallRetry {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly wake: () => void,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.clear());
  }

  /** `at`: the earliest retry (Date.now() time), null when nothing is stalled. */
  schedule(at: number | null): void {
    this.clear();
    if (at === null || this.signal.aborted) return;
    this.timer = setTimeout(this.wake, Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
