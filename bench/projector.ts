/**
 * The projector: replay throughput (events/s into every read model, from a log of pre-inserted realistic events)
 * and end-to-end lag (append commit -> the read-model commit's change notification) while appending at a steady
 * rate.
 *
 *   npm run bench -- projector          (or: npx tsx bench/projector.ts [events] [rate/s] [seconds])
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { DomainEvent } from '../src/domain/index.ts';
import { createSql } from '../src/db/client.ts';
import { createEventStore, type EventMetadata, type JsonObject } from '../src/event-store/index.ts';
import { CHANGES_CHANNEL, parseChanges, PROJECTIONS, startProjector, type Projector } from '../src/projections/index.ts';
import { cpuMeter } from './support/cpu.ts';
import { benchDatabase, describeServer, percentile, type BenchDatabase } from './support/database.ts';

const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
const SIZES = ['S', 'M', 'L', 'XL'] as const;
const STAGES = ['CLONING', 'CONFIGURING', 'POWERING_ON', 'WAITING_FOR_NETWORK'] as const;

interface Stream {
  id: string;
  type: 'VmRequest' | 'Project';
  tenant: string;
  steps: { actor: string; event: DomainEvent }[];
}

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

/** A request's events along the lifecycle most requests take (ready), with some rejected, cancelled or failed. */
function requestStream(i: number, projectId: string, tenant: string): Stream {
  const requester = `user-${i % 50}`;
  const steps: Stream['steps'] = [
    {
      actor: requester,
      event: {
        type: 'VmRequestCreated',
        data: {
          projectId,
          vmName: `vm-${i}`,
          size: pick(SIZES, i),
          justification: 'Capacity for the quarterly load test environment',
          requester: { id: requester, email: `${requester}@${tenant}.test`, name: `User ${i % 50}` },
        },
      },
    },
  ];
  const path = i % 10;
  if (path === 0) steps.push({ actor: 'admin', event: { type: 'VmRequestRejected', data: { rejectedBy: 'admin', reason: 'Use the shared cluster instead' } } });
  else if (path === 1) steps.push({ actor: requester, event: { type: 'VmRequestCancelled', data: { reason: 'Plans changed' } } });
  else {
    steps.push({ actor: 'admin', event: { type: 'VmRequestApproved', data: { approvedBy: 'admin' } } });
    steps.push({ actor: 'system', event: { type: 'VmRequestProvisioningStarted', data: {} } });
    for (const stage of STAGES) steps.push({ actor: 'system', event: { type: 'VmProvisioningProgressed', data: { stage } } });
    steps.push(
      path === 2
        ? { actor: 'system', event: { type: 'VmRequestProvisioningFailed', data: { errorCode: 'INSUFFICIENT_RESOURCES', errorMessage: 'Cluster is full', attempts: 5 } } }
        : { actor: 'system', event: { type: 'VmRequestReady', data: { vmwareVmId: `vm-${i}`, hostname: `vm-${i}.internal`, ipAddress: '10.1.2.3' } } },
    );
  }
  return { id: randomUUID(), type: 'VmRequest', tenant, steps };
}

function projectStream(i: number, tenant: string): Stream {
  return {
    id: randomUUID(),
    type: 'Project',
    tenant,
    steps: [
      { actor: 'admin', event: { type: 'ProjectCreated', data: { name: `Project ${i}`, createdBy: 'admin' } } },
      { actor: 'admin', event: { type: 'MemberAdded', data: { userId: 'admin', role: 'PROJECT_ADMIN' } } },
      ...Array.from({ length: 5 }, (_, m) => ({ actor: 'admin', event: { type: 'MemberAdded', data: { userId: `user-${(i + m) % 50}`, role: 'MEMBER' } } as DomainEvent })),
    ],
  };
}

/**
 * Inserts about `target` events as a busy tenant set would write them: 200 projects, then requests whose lives
 * overlap (about 1,000 in flight at any time, each step of a random one next), so a read batch of 2,000 events
 * touches several hundred rows rather than a few (one request's life in a row) or 2,000 (every row every batch).
 * Plain INSERT ... SELECT from one jsonb parameter per 5,000 events; the store's trigger still links the hash chain.
 */
export async function seed(db: BenchDatabase, target: number, inFlight = 1000): Promise<number> {
  const projects = Array.from({ length: 200 }, (_, i) => projectStream(i, pick(TENANTS, i)));
  const rows: object[] = [];
  const start = Date.UTC(2025, 0, 1);
  const emit = (stream: Stream, version: number): void => {
    const step = stream.steps[version - 1]!;
    const metadata: EventMetadata = {
      tenantId: stream.tenant,
      userId: step.actor,
      correlationId: randomUUID(),
      causationId: null,
      commandId: randomUUID(),
      // About two minutes apart: 200,000 events span most of a year, so usage falls into many months.
      occurredAt: new Date(start + rows.length * 120_000).toISOString(),
    };
    rows.push({
      ord: rows.length,
      stream_id: stream.id,
      stream_type: stream.type,
      stream_version: version,
      event_type: step.event.type,
      data: step.event.data,
      metadata,
      tenant_id: stream.tenant,
    });
  };
  for (const project of projects) project.steps.forEach((_, i) => emit(project, i + 1));

  let created = 0;
  const open = (): { stream: Stream; next: number } => {
    const project = pick(projects, created * 7);
    return { stream: requestStream(created++, project.id, project.tenant), next: 1 };
  };
  const active = Array.from({ length: inFlight }, open);
  while (active.length > 0) {
    const i = Math.floor(Math.random() * active.length);
    const entry = active[i]!;
    emit(entry.stream, entry.next++);
    if (entry.next > entry.stream.steps.length) {
      // Finished: a new request takes its place until the target is reached, then the rest wind down.
      if (rows.length < target) active[i] = open();
      else active.splice(i, 1);
    }
  }

  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db.sql`
      insert into events (stream_id, stream_type, stream_version, event_type, schema_version, data, metadata, tenant_id)
      select stream_id, stream_type, stream_version, event_type, 1, data, metadata, tenant_id
      from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + CHUNK))}::text::jsonb)
        as r(ord int, stream_id text, stream_type text, stream_version int, event_type text, data jsonb, metadata jsonb, tenant_id text)
      order by ord`;
  }
  return rows.length;
}

export interface ProjectorFigures {
  events: number;
  seedSeconds: number;
  replaySeconds: number;
  replayEventsPerSecond: number;
  /** CPU seconds the replay took in this process and in the Postgres server (when it runs on this machine). */
  replayCpu: { node: number; postgres: number };
  lag: { rate: number; seconds: number; samples: number; p50: number; p99: number; max: number };
  /** The same, with the projector committing asynchronously. */
  lagAsync: { rate: number; seconds: number; samples: number; p50: number; p99: number; max: number };
}

export async function benchProjector(
  db: BenchDatabase,
  options: { events?: number; rate?: number; seconds?: number; batchSize?: number } = {},
): Promise<ProjectorFigures> {
  const target = options.events ?? 200_000;
  const rate = options.rate ?? 500;
  const seconds = options.seconds ?? 10;

  let t0 = performance.now();
  const events = await seed(db, target);
  const seedSeconds = (performance.now() - t0) / 1000;
  await db.sql`vacuum analyze events`;

  t0 = performance.now();
  const cpu = await cpuMeter(db.sql);
  const projector = await startProjector({ sql: db.sql, projections: PROJECTIONS, ...(options.batchSize ? { batchSize: options.batchSize } : {}), log: () => {} });
  await projector.caughtUp();
  const replaySeconds = (performance.now() - t0) / 1000;
  const replayCpu = cpu();
  await db.sql`vacuum analyze`;

  const lag = await measureLag(db, projector, rate, seconds);
  await projector.stop();
  // The same with asynchronous commit for the projector's transactions (see ApplyOptions.synchronousCommit).
  const asyncProjector = await startProjector({ sql: db.sql, projections: PROJECTIONS, synchronousCommit: false, log: () => {} });
  const lagAsync = await measureLag(db, asyncProjector, rate, seconds);
  await asyncProjector.stop();
  return {
    events,
    seedSeconds,
    replaySeconds,
    replayEventsPerSecond: events / replaySeconds,
    replayCpu,
    lag,
    lagAsync,
  };
}

type LagFigures = ProjectorFigures['lag'];

/**
 * Appends one event at a time at `rate`/s (half of them new requests, half the next step of an open one) and times
 * each append's commit to the change notification of its request's row, which the projector sends inside the
 * read-model transaction, so it arrives right after that commit.
 */
async function measureLag(db: BenchDatabase, projector: Projector, rate: number, seconds: number): Promise<LagFigures> {
  const store = createEventStore(db.sql, { notifyIntervalMs: 1 });
  const listener = createSql(db.url, { max: 1, applicationName: 'dvmm-bench-listener' });
  const pending = new Map<string, { position: bigint; at: number }[]>();
  const lags: number[] = [];
  await listener.listen(CHANGES_CHANNEL, (payload) => {
    const now = performance.now();
    for (const change of parseChanges(payload)) {
      if (change.projection !== 'vm_requests') continue;
      const waiting = pending.get(change.id);
      if (!waiting) continue;
      const rest = waiting.filter((w) => {
        if (w.position > change.checkpoint.position) return true;
        lags.push(now - w.at);
        return false;
      });
      if (rest.length === 0) pending.delete(change.id);
      else pending.set(change.id, rest);
    }
  });
  const project = projectStream(Math.floor(Math.random() * 1e9), 'acme');
  await store.append(project.id, 'no_stream', project.steps.map((s) => ({ type: s.event.type, data: s.event.data as unknown as JsonObject })), {
    streamType: 'Project',
    tenantId: 'acme',
    metadata: { tenantId: 'acme', userId: 'admin', correlationId: randomUUID(), causationId: null, commandId: randomUUID(), occurredAt: new Date().toISOString() },
  });
  await projector.caughtUp();

  const live: { stream: Stream; next: number }[] = [];
  let created = 0;
  const appendOne = async (): Promise<void> => {
    let entry = live.length > 20 && Math.random() < 0.5 ? live.splice(Math.floor(Math.random() * live.length), 1)[0]! : undefined;
    if (!entry) entry = { stream: requestStream(created++, project.id, 'acme'), next: 0 };
    const step = entry.stream.steps[entry.next]!;
    const result = await store.append(entry.stream.id, entry.next === 0 ? 'no_stream' : entry.next, [{ type: step.event.type, data: step.event.data as unknown as JsonObject }], {
      streamType: 'VmRequest',
      tenantId: 'acme',
      metadata: { tenantId: 'acme', userId: step.actor, correlationId: randomUUID(), causationId: null, commandId: randomUUID(), occurredAt: new Date().toISOString() },
    });
    const at = performance.now();
    const waiting = pending.get(entry.stream.id) ?? [];
    waiting.push({ position: result.lastPosition, at });
    pending.set(entry.stream.id, waiting);
    entry.next++;
    if (entry.next < entry.stream.steps.length) live.push(entry);
  };

  const started = performance.now();
  const appends: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    appends.push(appendOne());
  }
  await Promise.all(appends);
  await projector.caughtUp();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const unmatched = [...pending.values()].reduce((n, w) => n + w.length, 0);
  if (unmatched > 0) console.warn(`bench/projector: ${unmatched} appends without a change notification`);
  await listener.end();
  await store.flush();
  const sorted = lags.sort((a, b) => a - b);
  return {
    rate,
    seconds,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function printProjector(f: ProjectorFigures): void {
  const n = new Intl.NumberFormat('en-US');
  console.log(`seed      ${n.format(f.events)} events inserted in ${f.seedSeconds.toFixed(1)} s`);
  console.log(
    `replay    ${n.format(f.events)} events into ${PROJECTIONS.length} read models in ${f.replaySeconds.toFixed(1)} s: ` +
      `${n.format(Math.round(f.replayEventsPerSecond))} events/s (target >= 30,000)`,
  );
  const cpuSeconds = f.replayCpu.node + f.replayCpu.postgres;
  if (Number.isFinite(cpuSeconds)) {
    console.log(
      `          CPU used: ${f.replayCpu.node.toFixed(1)} s Node + ${f.replayCpu.postgres.toFixed(1)} s Postgres = ` +
        `${n.format(Math.round(f.events / cpuSeconds))} events per CPU-second ` +
        `(Node ${(f.replayCpu.node * 1e6 / f.events).toFixed(0)} us/event, Postgres ${(f.replayCpu.postgres * 1e6 / f.events).toFixed(0)} us/event)`,
    );
  }
  const lagLine = (label: string, l: ProjectorFigures['lag']) =>
    console.log(
      `${label}${n.format(l.samples)} appends at ${l.rate}/s for ${l.seconds} s, append commit -> read-model commit: ` +
        `p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms (target p99 <= 20 ms)`,
    );
  lagLine('lag       ', f.lag);
  lagLine('  async   ', f.lagAsync);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const [events, rate, seconds] = process.argv.slice(2).map(Number);
  const db = await benchDatabase();
  console.log(`bench/projector: ${describeServer(db.url)}`);
  try {
    printProjector(await benchProjector(db, { events: events || undefined, rate: rate || undefined, seconds: seconds || undefined }));
  } finally {
    await db.close();
  }
}
