import { startSealer } from '../src/audit/sealer.ts';
import { parsePrivateKey } from '../src/audit/seal-key.ts';
import { generateKeyPairSync } from 'node:crypto';
import { createEventStore } from '../src/event-store/index.ts';
import type { BenchDatabase } from './support/database.ts';
import type { EventStore } from '../src/event-store/index.ts';
import type { Run } from './append.ts';

export interface SealerFigures {
  writers: number;
  without: number;
  with: number;
  /** Events chained and seals signed while the sealer ran. */
  chained: bigint;
  seals: bigint;
  /** The sealer's first round: the log written so far, chained from nothing (events and events/s). */
  catchUp: { events: bigint; perSecond: number } | null;
}

/**
 * Appends per second with and without the audit sealer running beside them (its defaults: chain every second, seal
 * every 10 s), alternated so drift hits both alike. The sealer works after commit; this shows what it costs the
 * append path on the same Postgres.
 */
export interface AppendLoop {
  /** bench/append.ts's concurrent loop and append, passed in: importing them would cycle with its top-level await. */
  run: (writers: number, seconds: number, once: (writer: number) => Promise<unknown>) => Promise<Run>;
  appendOneRequest: (store: EventStore) => () => Promise<unknown>;
}

export async function benchAppendWithSealer(
  db: BenchDatabase,
  seconds: number,
  { run, appendOneRequest }: AppendLoop,
  writerCounts = [1, 16],
): Promise<SealerFigures[]> {
  const store = createEventStore(db.sql);
  const append = appendOneRequest(store);
  const key = parsePrivateKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'bench');
  const figures: SealerFigures[] = [];
  for (const writers of writerCounts) {
    const withoutA = await run(writers, seconds / 2, append);
    const started = performance.now();
    const sealer = await startSealer({ sql: db.sql, key, log: () => {} });
    const headBefore = (await sealer.sealNow())?.seq ?? 0n;
    const catchUp = figures.length === 0 ? { events: headBefore, perSecond: Number(headBefore) / ((performance.now() - started) / 1000) } : null;
    const withA = await run(writers, seconds / 2, append);
    const withB = await run(writers, seconds / 2, append);
    const last = await sealer.sealNow();
    await sealer.stop();
    const [{ seals }] = (await db.sql`select count(*)::text as seals from audit_seals`) as unknown as [{ seals: string }];
    const withoutB = await run(writers, seconds / 2, append);
    figures.push({
      writers,
      without: (withoutA.perSecond + withoutB.perSecond) / 2,
      with: (withA.perSecond + withB.perSecond) / 2,
      chained: (last?.seq ?? 0n) - headBefore,
      seals: BigInt(seals),
      catchUp,
    });
  }
  await store.flush();
  return figures;
}

export function printAppendWithSealer(figures: SealerFigures[]): void {
  console.log('writers  append/s, no sealer  append/s, sealer running  ratio  events chained  seals so far');
  for (const f of figures) {
    console.log(
      `${String(f.writers).padStart(7)}  ${f.without.toFixed(0).padStart(18)}  ${f.with.toFixed(0).padStart(23)}  ${((f.with / f.without) * 100).toFixed(1).padStart(5)}%` +
        `  ${f.chained.toString().padStart(14)}  ${f.seals.toString().padStart(12)}`,
    );
  }
  for (const f of figures) {
    if (f.catchUp) console.log(`sealer catch-up: ${f.catchUp.events} events already in the log chained and sealed at ${f.catchUp.perSecond.toFixed(0)} events/s`);
  }
}
