/** Longest wait before looking again while the gap-safe horizon holds committed events back. */
export const HELD_BACK_MAX_MS = 25;
/** First wait before looking again. */
export const HELD_BACK_MIN_MS = 2;

/**
 * Woken, but nothing readable although events were committed after the checkpoint: an older transaction (maybe not
 * one of ours, maybe in another database on the server, neither of which sends a wake-up when it ends) still holds
 * back the gap-safe horizon. The projector looks again soon, backing off from HELD_BACK_MIN_MS to HELD_BACK_MAX_MS
 * (each look costs an empty read and a one-row index lookup), so the events follow within HELD_BACK_MAX_MS of that
 * transaction's end rather than at the next poll.
 */
export class HeldBackHorizon {
  private held = false;
  private delayMs = 0;
  private timer: NodeJS.Timeout | null = null;

  /** `wake` is called when it is time to look again; never later than `pollIntervalMs`, never after `signal` aborts. */
  constructor(
    private readonly wake: () => void,
    private readonly pollIntervalMs: number,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    });
  }

  /** A pump round starts: nothing is known to be held back yet. */
  roundStarted(): void {
    this.held = false;
  }

  /** A read found nothing, although the log has events after where it read from. */
  heldBack(): void {
    this.held = true;
  }

  /**
   * The round is over. When it found events held back, look again after a wait that doubles while nothing moves;
   * a round that applied something, or found nothing held back, starts the backoff over.
   */
  roundEnded(progressed: boolean): void {
    if (progressed || !this.held) this.delayMs = 0;
    if (!this.held || this.signal.aborted || this.timer) return;
    this.delayMs = Math.min(HELD_BACK_MAX_MS, this.pollIntervalMs, Math.max(HELD_BACK_MIN_MS, this.delayMs * 2));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, this.delayMs);
    this.timer.unref();
  }
}
