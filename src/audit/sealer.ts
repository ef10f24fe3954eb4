import { hostname } from 'node:os';
import type postgres from 'postgres';
import { outageLog } from '../db/outage-log.ts';
import { createLeadership } from '../projections/leadership.ts';
import { latestEvent } from '../projections/latest-event.ts';
import { compareCheckpoints } from '../projections/cursor.ts';
import { extendChain, loadHead, type ChainHead } from './chain-rows.ts';
import type { SealKey } from './seal-key.ts';
import { latestSeal, sealHead, type StoredSeal } from './seals.ts';

/** The sealer's leader lock, taken like a projection's (leadership.ts) under a name no projection uses. */
export const SEALER_LOCK_NAME = 'dvmm-audit-sealer';

export interface SealerOptions {
  sql: postgres.Sql;
  /** Null: keep the chain but sign nothing (production without a key). */
  key: SealKey | null;
  /** Seal the head this often when it moved since the last seal. Default 10 s. */
  sealIntervalMs?: number;
  /** Extend the chain (and check leadership) this often. Default 1 s. */
  chainIntervalMs?: number;
  /** Events per read and per chain insert. Default 5,000. */
  batchSize?: number;
  applicationName?: string;
  log?: (line: string) => void;
}

export interface SealerStatus {
  leading: boolean;
  head: { seq: bigint; position: bigint } | null;
  lastSeal: { sealNo: bigint; seq: bigint; position: bigint; sealedAt: Date } | null;
}

export interface Sealer {
  status(): SealerStatus;
  /**
   * As the leader: chains every event committed before the call, then seals the head if it moved since the last
   * seal. Resolves with the newest seal; null when another process leads or there is no key.
   */
  sealNow(): Promise<StoredSeal | null>;
  /** Chains what is readable, seals it if it moved (as leader), releases leadership. */
  stop(): Promise<void>;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The global chain and its seals, kept after commit by one leader among all processes: it reads the gap-safe log
 * from the chain's head as a projection reads from its checkpoint (the head row is the checkpoint), chains each
 * event, and every `sealIntervalMs` signs the head. Appends never wait for it; a standby takes over within about
 * `chainIntervalMs` of the leader's end, starting from the head in the database.
 */
export async function startSealer(options: SealerOptions): Promise<Sealer> {
  const { sql, key } = options;
  const sealIntervalMs = options.sealIntervalMs ?? 10_000;
  const chainIntervalMs = options.chainIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 5000;
  const applicationName = options.applicationName ?? `dvmm-sealer ${hostname()}:${process.pid}`;
  const logLine = options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void => logLine(`[audit] ${line}`);

  let leading = false;
  let stopping = false; // stop() was called: a long catch-up ends after its batch
  let stopped = false;
  let head: ChainHead | null = null;
  let lastSeal: StoredSeal | null = null;
  // An outage fails every tick, each maybe with another message (refused, reset, shutting down): logged once.
  const chainOutage = outageLog(log, `chaining (every ${chainIntervalMs} ms)`);
  // One round at a time: a tick, sealNow and stop queue behind each other.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => {});
    return next;
  };

  const leadership = createLeadership(sql, applicationName, () => {
    if (leading) log('no longer sealing: lock connection closed');
    leading = false;
  });

  const refreshLeadership = async (): Promise<boolean> => {
    const leads = (await leadership.refresh([SEALER_LOCK_NAME])).has(SEALER_LOCK_NAME);
    if (leads && !leading) log(`leading the audit chain${key ? ` (seals signed with key ${key.keyId})` : ' (no seal key: not sealing)'}`);
    if (!leads && leading) log('no longer leading the audit chain: its lock is gone');
    leading = leads;
    return leads;
  };

  /** Chains batches until a short one; the head always comes from the database (another leader may have moved it). */
  const chainReadable = async (): Promise<ChainHead> => {
    let current = await loadHead(sql);
    for (;;) {
      const next = await extendChain(sql, current, batchSize);
      const added = next.seq - current.seq;
      current = next;
      head = current;
      if (added < BigInt(batchSize) || stopping) return current;
    }
  };

  const sealIfMoved = async (current: ChainHead, due: boolean): Promise<void> => {
    if (!key) return;
    lastSeal = await latestSeal(sql);
    if (current.seq === 0n || (lastSeal && lastSeal.seq >= current.seq)) return;
    if (!due && lastSeal && Date.now() - lastSeal.sealedAt.getTime() < sealIntervalMs) return;
    lastSeal = await sealHead(sql, current, lastSeal?.sealNo ?? 0n, key);
  };

  const tick = (): Promise<void> =>
    serial(async () => {
      if (stopping) return;
      try {
        if (await refreshLeadership()) await sealIfMoved(await chainReadable(), false);
        chainOutage.recovered();
      } catch (error) {
        // A lost connection, or another sealer's rows refused by the primary key: the next tick starts over from the
        // head in the database.
        chainOutage.failed(error);
      }
    });

  // At most one tick waits: a catch-up longer than the interval does not pile up rounds behind it.
  let pendingTick: Promise<void> | null = null;
  const timer = setInterval(() => {
    pendingTick ??= tick().finally(() => {
      pendingTick = null;
    });
  }, chainIntervalMs);
  timer.unref();
  await tick();

  return {
    status: () => ({
      leading,
      head: head ? { seq: head.seq, position: head.checkpoint.position } : null,
      lastSeal: lastSeal
        ? { sealNo: lastSeal.sealNo, seq: lastSeal.seq, position: lastSeal.position, sealedAt: lastSeal.sealedAt }
        : null,
    }),
    sealNow: () =>
      serial(async () => {
        if (stopped || !(await refreshLeadership())) return null;
        const target = await latestEvent(sql);
        let current = await chainReadable();
        // An older transaction (in any database of the server) can hold the gap-safe horizon back for a moment.
        while (target && compareCheckpoints(current.checkpoint, target) < 0) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (!leading || stopping) return null;
          current = await chainReadable();
        }
        await sealIfMoved(current, true);
        return key ? lastSeal : null;
      }),
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      await serial(async () => {
        try {
          if (leading && (await refreshLeadership())) await sealIfMoved(await chainReadable(), true);
        } catch (error) {
          log(`final seal failed: ${describe(error)}`);
        }
        stopped = true;
      });
      leading = false;
      await leadership.close();
    },
  };
}
