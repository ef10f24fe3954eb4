import type postgres from 'postgres';
import { outageLog, type OutageLog } from '../../db/outage-log.ts';
import { createLeadership, type Leadership } from '../leadership.ts';
import type { Log } from '../types.ts';
import { messageOf } from './batch-applier.ts';
import type { ProjectionSlot } from './slot.ts';

export interface LeadershipLoopOptions {
  sql: postgres.Sql;
  slots: readonly ProjectionSlot[];
  /** Shown in pg_stat_activity for the lock connection. */
  applicationName: string;
  /** Loads a slot's checkpoint once it leads (BatchApplier.reload). */
  reload: (slot: ProjectionSlot) => Promise<void>;
  /** A slot took the lead and has its checkpoint: time to read for it. */
  onLead: () => void;
  /** After every check, and when the lead is lost at once (Waiters.settle). */
  onChange: () => void;
  /** How often a standby tries to take over and a leader checks it still holds its locks. */
  intervalMs: number;
  log: Log;
  /** Aborted: no further periodic checks. */
  signal: AbortSignal;
}

/**
 * Which projections this process leads: checked every interval (a standby takes over a lock that came free; a
 * leader notices a lock it lost), and given up at once when the lock connection closes or a check fails.
 */
export class LeadershipLoop {
  private readonly leadership: Leadership;
  private readonly names: string[];
  private readonly outage: OutageLog;
  private checking: Promise<void> | null = null;
  private lastError: string | null = null;

  constructor(private readonly options: LeadershipLoopOptions) {
    this.names = options.slots.map((slot) => slot.name);
    this.outage = outageLog(options.log, `leader check (every ${options.intervalMs} ms)`);
    this.leadership = createLeadership(options.sql, options.applicationName, () => this.loseAll('lock connection closed'));
  }

  /** Checks now. One check at a time: a call while one runs joins it. */
  check(): Promise<void> {
    return (this.checking ??= this.refresh().finally(() => {
      this.checking = null;
    }));
  }

  /** Checks every interval from now on, until the signal aborts. */
  start(): void {
    const timer = setInterval(() => void this.check(), this.options.intervalMs);
    timer.unref();
    this.options.signal.addEventListener('abort', () => clearInterval(timer));
  }

  /** Why the last check failed; null when it worked. */
  failure(): string | null {
    return this.lastError;
  }

  /** A round trip on the lock connection within `timeoutMs`; throws otherwise. */
  ping(timeoutMs: number): Promise<void> {
    return this.leadership.ping(timeoutMs);
  }

  /** Waits for a check in flight, then releases every lock and closes the lock connection. */
  async close(): Promise<void> {
    await this.checking;
    await this.leadership.close();
  }

  private async refresh(): Promise<void> {
    let held: Set<string>;
    try {
      held = await this.leadership.refresh(this.names);
    } catch (error) {
      this.outage.failed(error);
      this.lastError = `leader check failed: ${messageOf(error)}`;
      this.loseAll(this.lastError);
      return;
    }
    this.outage.recovered();
    this.lastError = null;
    let loaded = false;
    for (const slot of this.options.slots) {
      const leads = held.has(slot.name);
      if (leads && !slot.leading) {
        slot.lead();
        this.options.log(`leading ${slot.name}`);
      } else if (!leads && slot.leading) {
        slot.release();
        this.options.log(`no longer leading ${slot.name}: its lock is gone`);
      }
      if (slot.leading && slot.checkpoint === null) {
        await this.options.reload(slot);
        loaded = true;
      }
    }
    if (loaded) this.options.onLead();
    this.options.onChange();
  }

  private loseAll(why: string): void {
    const lost = this.options.slots.filter((slot) => slot.leading);
    for (const slot of lost) slot.release();
    if (lost.length > 0) this.options.log(`no longer leading ${lost.map((slot) => slot.name).join(', ')}: ${why}`);
    this.options.onChange();
  }
}
