/**
 * Appends per second at 1 and 16 concurrent writers (one event per append, a new stream each), side by side with a
 * plain single-row INSERT of the same row shape through the same driver into the same Postgres.
 *
 * Then the same appends with the audit sealer running and without (bench/append-sealer.ts).
 *
 *   npm run bench -- append          (or: npx tsx bench/append.ts [seconds per case])
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createEventStore, type EventMetadata, type EventStore } from '../src/event-store/index.ts';
import { cpuMeter } from './support/cpu.ts';
import { benchDatabase, describeServer, type BenchDatabase } from './support/database.ts';

const metadata = (): EventMetadata => ({
  tenantId: 'acme',
  userId: 'bench',
  correlationId: randomUUID(),
  causationId: null,
  commandId: randomUUID(),
  occurredAt: new Date().toISOString(),
});
// A valid VmRequestCreated, as the API writes it: bench/live runs this next to a projector, which must be able to
// project it (a payload it cannot read stalls the vm_requests projection, and the appends would then be measured
// against a projector doing less than it does for real requests).
const payload = {
  projectId: randomUUID(),
  vmName: 'web-01',
  size: 'M',
  justification: 'Benchmark request payload',
  requester: { id: 'bench', email: null, name: null },
};

export interface Run {
  perSecond: number;
  count: number;
}

/** `writers` concurrent loops calling `once(writer)` for `seconds`: how many calls, and how many per second. */
export async function run(writers: number, seconds: number, once: (writer: number) => Promise<unknown>): Promise<Run> {
  const deadline = Date.now() + seconds * 1000;
  let count = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (Date.now() < deadline) {
        await once(writer);
        count++;
      }
    }),
  );
  return { perSecond: count / ((Date.now() - started) / 1000), count };
}

/** One append as the benchmark makes it: a new stream with one valid VmRequestCreated. */
export const appendOneRequest = (store: EventStore) => () =>
  store.append(randomUUID(), 'no_stream', [{ type: 'VmRequestCreated', data: payload }], {
    streamType: 'VmRequest',
    tenantId: 'acme',
    metadata: metadata(),
  });

export interface AppendFigures {
  writers: number;
  store: number;
  plain: number;
  /** CPU per event-store append, in this process and in Postgres (when it runs on this machine). */
  storeCpuUs: { node: number; postgres: number };
  /** Appends per statement the store sent (write combining; 1: the single-append path), mean and largest. */
  groups: { mean: number; max: number };
}

export async function benchAppend(db: BenchDatabase, seconds: number, writerCounts = [1, 16]): Promise<AppendFigures[]> {
  const { sql } = db;
  // Same columns, defaults and unique key as `events`, without the store's triggers and checks.
  await sql`create table if not exists bench_plain (like events including defaults including identity)`;
  await sql`alter table bench_plain add unique (stream_id, stream_version)`;
  const warmStore = createEventStore(sql);

  const plainInsert = () => {
    const m = metadata();
    return sql`
      insert into bench_plain (stream_id, stream_type, stream_version, event_type, schema_version, data, metadata, tenant_id, hash)
      values (${randomUUID()}, 'VmRequest', 1, 'VmRequestCreated', 1, ${JSON.stringify(payload)}::text::jsonb, ${JSON.stringify(m)}::text::jsonb, 'acme', '')`;
  };

  await run(4, 1, plainInsert); // warm-up: connections, prepared statements, caches
  await run(4, 1, appendOneRequest(warmStore));
  await warmStore.flush();
  const figures: AppendFigures[] = [];
  for (const writers of writerCounts) {
    // A store of its own per case, so its group counts are this case's.
    const store = createEventStore(sql);
    const storeAppend = appendOneRequest(store);
    // Alternate the two so drift on a shared machine hits both alike.
    const plainA = await run(writers, seconds / 2, plainInsert);
    const cpu = await cpuMeter(sql);
    const storeA = await run(writers, seconds / 2, storeAppend);
    const storeB = await run(writers, seconds / 2, storeAppend);
    const used = cpu();
    const plainB = await run(writers, seconds / 2, plainInsert);
    const appends = storeA.count + storeB.count;
    figures.push({
      writers,
      store: (storeA.perSecond + storeB.perSecond) / 2,
      plain: (plainA.perSecond + plainB.perSecond) / 2,
      storeCpuUs: { node: (used.node * 1e6) / appends, postgres: (used.postgres * 1e6) / appends },
      groups: { mean: store.appendGroups.appends / store.appendGroups.groups, max: store.appendGroups.largest },
    });
    await store.flush();
  }
  return figures;
}

export function printAppend(figures: AppendFigures[]): void {
  console.log('writers  event store append/s  plain INSERT/s  ratio  CPU per append: Node  Postgres  appends/statement: mean  max');
  for (const f of figures) {
    console.log(
      `${String(f.writers).padStart(7)}  ${f.store.toFixed(0).padStart(20)}  ${f.plain.toFixed(0).padStart(14)}  ${((f.store / f.plain) * 100).toFixed(1).padStart(5)}%` +
        `  ${f.storeCpuUs.node.toFixed(0).padStart(17)} us  ${f.storeCpuUs.postgres.toFixed(0).padStart(5)} us` +
        `  ${f.groups.mean.toFixed(1).padStart(23)}  ${String(f.groups.max).padStart(3)}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const seconds = Number(process.argv[2] ?? 6);
  const db = await benchDatabase();
  console.log(`bench/append: ${describeServer(db.url)}, ${seconds} s per case`);
  try {
    printAppend(await benchAppend(db, seconds));
    // The audit sealer chains and seals after commit: the same appends with it running beside them.
    const { benchAppendWithSealer, printAppendWithSealer } = await import('./append-sealer.ts');
    printAppendWithSealer(await benchAppendWithSealer(db, seconds, { run, appendOneRequest }));
  } finally {
    await db.close();
  }
}
