import type { OutageLog } from '../../db/outage-log.ts';

/**
 * Runs the catch-up round on every wake-up (notification, poll, retry), one round at a time: a wake-up while a round
 * runs makes it go round once more, so nothing notified is left unread. A failed round (connection lost, server
 * restarting) is not retried by the loop itself: only a wake-up, at the latest the poll, makes another.
 */
export class WakeLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private wokenAt: number | null = null;
  /** When a round last went through or applied a batch (Date.now()), for the readiness check. */
  lastRoundAt = Date.now();

  constructor(
    private readonly round: () => Promise<void>,
    private readonly outage: OutageLog,
    private readonly signal: AbortSignal,
  ) {}

  readonly wake = (): void => {
    if (this.signal.aborted) return;
    this.wokenAt ??= performance.now();
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again && !this.signal.aborted) this.wake();
    });
  };

  /** When the earliest wake-up not yet answered by a read came (performance.now()); the read that answers it takes it. */
  takeWake(): number | null {
    const at = this.wokenAt;
    this.wokenAt = null;
    return at;
  }

  /** A batch committed mid-round: the loop is moving. */
  progressed(): void {
    this.lastRoundAt = Date.now();
  }

  /** The round in flight, if any, has ended (call after aborting the signal). */
  async settled(): Promise<void> {
    await this.running;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.round();
        this.lastRoundAt = Date.now();
        this.outage.recovered();
      } catch (error) {
        this.outage.failed(error);
        break;
      }
    } while (this.again && !this.signal.aborted);
  }
}
