/**
 * The projector: replay throughput (events/s into every read model, from a log of pre-inserted realistic events)
 * and end-to-end lag (append commit -> the read-model commit's change notification) while appending at a steady
 * rate.
 *
 *   npm run bench -- projector          (or: npx tsx bench/projector.ts [events] [rate/s,...] [seconds])
 *   The lag is measured at each rate given (default 500/s and 2,000/s), with asynchronous and with synchronous commits.
 *   BENCH_WARMUP_SECONDS (default 1): appends at the same rate before the measured window, left out of the figures
 *   BENCH_PROJECTOR_LAG=0 measures the replay only (skips both lag phases)
 *   BENCH_TRACE=/tmp/trace writes every lag sample and batch to /tmp/trace-<rate>-async.json and /tmp/trace-<rate>-sync.json
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DomainEvent } from '../src/domain/index.ts';
import { createSql } from '../src/db/client.ts';
import { createEventStore, EVENTS_CHANNEL, type EventMetadata, type JsonObject } from '../src/event-store/index.ts';
import { CHANGES_CHANNEL, parseChanges, PROJECTIONS, startProjector, type BatchTrace } from '../src/projections/index.ts';
import type { AppenderReply, AppenderTask } from './projector-appender.ts';
import { cpuMeter } from './support/cpu.ts';
import { databaseBackendsCpu } from './support/database-cpu.ts';
import { benchDatabase, describeServer, percentile, type BenchDatabase } from './support/database.ts';

const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
const SIZES = ['S', 'M', 'L', 'XL'] as const;
const STAGES = ['CLONING', 'CONFIGURING', 'POWERING_ON', 'WAITING_FOR_NETWORK'] as const;

export interface Stream {
  id: string;
  type: 'VmRequest' | 'Project';
  tenant: string;
  steps: { actor: string; event: DomainEvent }[];
}

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

/** A request's events along the lifecycle most requests take (ready), with some rejected, cancelled or failed. */
export function requestStream(i: number, projectId: string, tenant: string): Stream {
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

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface LagFigures {
  rate: number;
  seconds: number;
  /** Appends before the measured window (the appender process warming up), not in the figures. */
  warmup: { appends: number; seconds: number };
  samples: number;
  batches: number;
  /** Append commit -> the read-model commit's change notification, as a listener hears it. */
  total: Percentiles;
  /** The legs of `total`, per event (from the projector's onBatch timings of the batch that applied it). */
  legs: {
    /** Append commit -> the wake-up NOTIFY heard (the store's coalescing notifier, default 3 ms). */
    notify: Percentiles;
    /** Append commit -> the projector starts the read that returns the event (wake-up, a pump round in progress, the gap-safe horizon). */
    toRead: Percentiles;
    read: Percentiles;
    /** Read returned -> batch committed (BEGIN, guard and handlers, NOTIFY and COMMIT). */
    apply: Percentiles;
    /** Batch committed -> the change notification heard. */
    publish: Percentiles;
  };
  /** Load average (1 minute) before and after. */
  load: [number, number];
}

export interface ProjectorFigures {
  events: number;
  seedSeconds: number;
  replaySeconds: number;
  replayEventsPerSecond: number;
  /**
   * CPU seconds the replay took in this process, in the Postgres server (when it runs on this machine; on a shared
   * server, everyone's work) and in this database's backends alone (the statements of the replay).
   */
  replayCpu: { node: number; postgres: number; backends: number };
  replayLoad: [number, number];
  /** Per rate: read models commit asynchronously (their default, Projection.asynchronousCommit). Empty with lag: false. */
  lag: LagFigures[];
  /** Per rate: the same with every batch waiting for the WAL flush (as provisioning_jobs does). */
  lagSync: LagFigures[];
}

const loadAverage = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

export async function benchProjector(
  db: BenchDatabase,
  options: { events?: number; rates?: readonly number[]; seconds?: number; warmupSeconds?: number; batchSize?: number; lag?: boolean } = {},
): Promise<ProjectorFigures> {
  const target = options.events ?? 200_000;
  const rates = options.rates ?? [500, 2000];
  const seconds = options.seconds ?? 10;
  const warmupSeconds = options.warmupSeconds ?? 1;

  let t0 = performance.now();
  const events = await seed(db, target);
  const seedSeconds = (performance.now() - t0) / 1000;
  await db.sql`vacuum analyze events`;

  const loadBefore = loadAverage();
  t0 = performance.now();
  const cpu = await cpuMeter(db.sql);
  const backendsCpu = await databaseBackendsCpu(db.sql);
  const projector = await startProjector({ sql: db.sql, projections: PROJECTIONS, ...(options.batchSize ? { batchSize: options.batchSize } : {}), log: () => {} });
  await projector.caughtUp();
  const replaySeconds = (performance.now() - t0) / 1000;
  const replayCpu = { ...cpu(), backends: await backendsCpu() };
  const replayLoad: [number, number] = [loadBefore, loadAverage()];
  await projector.stop();
  const lag: LagFigures[] = [];
  const lagSync: LagFigures[] = [];
  if (options.lag === false) return { events, seedSeconds, replaySeconds, replayEventsPerSecond: events / replaySeconds, replayCpu, replayLoad, lag, lagSync };
  await db.sql`vacuum analyze`;

  for (const rate of rates) {
    lag.push(await measureLag(db, rate, seconds, warmupSeconds, {}));
    lagSync.push(await measureLag(db, rate, seconds, warmupSeconds, { synchronousCommit: true }));
  }
  return {
    events,
    seedSeconds,
    replaySeconds,
    replayEventsPerSecond: events / replaySeconds,
    replayCpu,
    replayLoad,
    lag,
    lagSync,
  };
}

const percentiles = (values: number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
};

/** Epoch milliseconds, comparable with the appender process's. */
const now = (): number => performance.timeOrigin + performance.now();

/**
 * Runs a projector while a separate process (projector-appender.ts) appends one event at a time at `rate`/s, and
 * times each append's commit to the change notification of its request's row, which the projector sends with the
 * read-model commit, so it arrives right after it. The projector's onBatch timings and a LISTEN on the wake-up
 * channel split that time into legs.
 *
 * The appender first warms up for `warmupSeconds` at the same rate (module loading, JIT, new connections in a
 * freshly forked process); those appends are applied like any other but left out of the figures, which describe
 * the steady state. The printed output says how many were left out.
 */
async function measureLag(
  db: BenchDatabase,
  rate: number,
  seconds: number,
  warmupSeconds: number,
  projectorOptions: { synchronousCommit?: boolean },
): Promise<LagFigures> {
  const traces: BatchTrace[] = [];
  const projector = await startProjector({
    sql: db.sql,
    projections: PROJECTIONS,
    ...projectorOptions,
    onBatch: (trace) => traces.push(trace),
    log: () => {},
  });
  const listener = createSql(db.url, { max: 1, applicationName: 'dvmm-bench-listener' });
  const wakes: number[] = [];
  const changes = new Map<string, { position: bigint; at: number }[]>();
  await listener.listen(EVENTS_CHANNEL, () => wakes.push(now()));
  await listener.listen(CHANGES_CHANNEL, (payload) => {
    const at = now();
    for (const change of parseChanges(payload)) {
      if (change.projection !== 'vm_requests') continue;
      const seen = changes.get(change.id) ?? [];
      seen.push({ position: change.checkpoint.position, at });
      changes.set(change.id, seen);
    }
  });
  const store = createEventStore(db.sql);
  const project = projectStream(Math.floor(Math.random() * 1e9), 'acme');
  await store.append(project.id, 'no_stream', project.steps.map((s) => ({ type: s.event.type, data: s.event.data as unknown as JsonObject })), {
    streamType: 'Project',
    tenantId: 'acme',
    metadata: { tenantId: 'acme', userId: 'admin', correlationId: randomUUID(), causationId: null, commandId: randomUUID(), occurredAt: new Date().toISOString() },
  });
  await store.flush();
  await projector.caughtUp();
  traces.length = 0;

  const loadBefore = loadAverage();
  const appender = fork(fileURLToPath(new URL('./projector-appender.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = await new Promise<AppenderReply>((resolve, reject) => {
    appender.once('message', (message: AppenderReply) => resolve(message));
    appender.once('error', reject);
    appender.send({ url: db.url, projectId: project.id, rate, seconds, warmupSeconds } satisfies AppenderTask);
  });
  if (reply.kind === 'error') throw new Error(`bench/projector appender: ${reply.message}`);
  await projector.caughtUp();
  // Every change notification was sent with its commit; give the last ones time to arrive (a loaded machine may
  // hold this process back for a while).
  const heardAll = (): boolean =>
    reply.appended.every((a) => changes.get(a.streamId)?.some((c) => c.position >= BigInt(a.position)) === true);
  for (const deadline = Date.now() + 5000; !heardAll() && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const loadAfter = loadAverage();
  await projector.stop();
  await listener.end();

  // Each append against the batch that applied it (positions are unique; a batch covers a range of them).
  const byPosition = [...traces]
    .filter((t) => t.projections.includes('vm_requests'))
    .sort((a, b) => (a.first.position < b.first.position ? -1 : 1));
  const batchOf = (position: bigint): BatchTrace | undefined =>
    byPosition.find((t) => t.first.position <= position && position <= t.last.position);
  const total: number[] = [];
  const legs = { notify: [] as number[], toRead: [] as number[], read: [] as number[], apply: [] as number[], publish: [] as number[] };
  let unmatched = 0;
  let unsplit = 0;
  const origin = performance.timeOrigin;
  for (const append of reply.appended) {
    const position = BigInt(append.position);
    const heard = changes.get(append.streamId)?.find((c) => c.position >= position);
    const batch = batchOf(position);
    if (!heard) {
      unmatched++;
      continue;
    }
    total.push(heard.at - append.committedAt);
    // Batches cover ranges in (transaction id, position) order, not position order: an event whose transaction
    // started before a smaller position's can sit in a later batch than the position range suggests. Such an
    // append counts in the total, not in the legs.
    if (!batch) {
      unsplit++;
      continue;
    }
    const wake = wakes.find((at) => at >= append.committedAt);
    if (wake !== undefined) legs.notify.push(wake - append.committedAt);
    legs.toRead.push(origin + batch.readStartedAt - append.committedAt);
    legs.read.push(batch.readAt - batch.readStartedAt);
    legs.apply.push(batch.committedAt - batch.readAt);
    legs.publish.push(heard.at - (origin + batch.committedAt));
  }
  if (unmatched > 0) console.warn(`bench/projector: ${unmatched} appends without a change notification`);
  if (unsplit > 0) console.warn(`bench/projector: ${unsplit} appends not found in a batch trace by position (counted in the total, not in the legs)`);
  if (process.env.BENCH_TRACE) {
    const { writeFileSync } = await import('node:fs');
    const t0 = reply.appended[0]?.committedAt ?? 0;
    writeFileSync(`${process.env.BENCH_TRACE}-${rate}-${projectorOptions.synchronousCommit ? 'sync' : 'async'}.json`, JSON.stringify({
      appended: reply.appended.map((a) => ({ ...a, committedAt: a.committedAt - t0 })),
      wakes: wakes.map((w) => w - t0),
      batches: byPosition.map((b) => ({ first: String(b.first.position), last: String(b.last.position), readStartedAt: origin + b.readStartedAt - t0, readAt: origin + b.readAt - t0, committedAt: origin + b.committedAt - t0 })),
      heard: [...changes.entries()].flatMap(([id, seen]) => seen.map((c) => ({ id, position: String(c.position), at: c.at - t0 }))),
    }));
  }
  return {
    rate,
    seconds,
    warmup: { appends: reply.warmup, seconds: warmupSeconds },
    samples: total.length,
    batches: byPosition.length,
    total: percentiles(total),
    legs: {
      notify: percentiles(legs.notify),
      toRead: percentiles(legs.toRead),
      read: percentiles(legs.read),
      apply: percentiles(legs.apply),
      publish: percentiles(legs.publish),
    },
    load: [loadBefore, loadAfter],
  };
}

export function printProjector(f: ProjectorFigures): void {
  const n = new Intl.NumberFormat('en-US');
  console.log(`seed      ${n.format(f.events)} events inserted in ${f.seedSeconds.toFixed(1)} s`);
  console.log(
    `replay    ${n.format(f.events)} events into ${PROJECTIONS.length} read models in ${f.replaySeconds.toFixed(1)} s: ` +
      `${n.format(Math.round(f.replayEventsPerSecond))} events/s (target >= 100,000); load average ${f.replayLoad[0].toFixed(1)} -> ${f.replayLoad[1].toFixed(1)}`,
  );
  const cpuSeconds = f.replayCpu.node + f.replayCpu.postgres;
  if (Number.isFinite(cpuSeconds)) {
    console.log(
      `          CPU used: ${f.replayCpu.node.toFixed(1)} s Node + ${f.replayCpu.postgres.toFixed(1)} s Postgres = ` +
        `${n.format(Math.round(f.events / cpuSeconds))} events per CPU-second ` +
        `(Node ${(f.replayCpu.node * 1e6 / f.events).toFixed(0)} us/event, Postgres ${(f.replayCpu.postgres * 1e6 / f.events).toFixed(0)} us/event)`,
    );
  }
  if (Number.isFinite(f.replayCpu.backends)) {
    console.log(
      `          this database's backends alone: ${f.replayCpu.backends.toFixed(1)} s = ${(f.replayCpu.backends * 1e6 / f.events).toFixed(1)} us/event ` +
        `(Node ${(f.replayCpu.node * 1e6 / f.events).toFixed(1)} us/event)`,
    );
  }
  const ms = (p: Percentiles) => `p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, max ${p.max.toFixed(1)} ms`;
  const lagLines = (label: string, l: LagFigures) => {
    console.log(
      `${label}${n.format(l.samples)} appends at ${l.rate}/s for ${l.seconds} s (separate process) in ${n.format(l.batches)} batches, ` +
        `load average ${l.load[0].toFixed(1)} -> ${l.load[1].toFixed(1)}`,
    );
    if (l.warmup.appends > 0) {
      console.log(`            after a warm-up of ${n.format(l.warmup.appends)} appends (${l.warmup.seconds} s at the same rate), not counted`);
    }
    console.log(`            append commit -> read-model commit heard: ${ms(l.total)} (target p99 <= 10 ms at 2,000/s)`);
    console.log(`            legs: commit -> wake-up NOTIFY heard  ${ms(l.legs.notify)}`);
    console.log(`                  commit -> read started         ${ms(l.legs.toRead)}`);
    console.log(`                  read                           ${ms(l.legs.read)}`);
    console.log(`                  apply and commit               ${ms(l.legs.apply)}`);
    console.log(`                  commit -> change heard         ${ms(l.legs.publish)}`);
  };
  f.lag.forEach((l, i) => {
    lagLines('lag       ', l);
    if (f.lagSync[i]) lagLines('  sync    ', f.lagSync[i]);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const [eventsArg, ratesArg, secondsArg] = process.argv.slice(2);
  const events = Number(eventsArg);
  const seconds = Number(secondsArg);
  const rates = ratesArg ? ratesArg.split(',').map(Number) : undefined;
  const warmupSeconds = process.env.BENCH_WARMUP_SECONDS === undefined ? undefined : Number(process.env.BENCH_WARMUP_SECONDS);
  const db = await benchDatabase();
  console.log(`bench/projector: ${describeServer(db.url)}`);
  try {
    printProjector(
      await benchProjector(db, {
        events: events || undefined,
        rates,
        seconds: seconds || undefined,
        warmupSeconds,
        lag: process.env.BENCH_PROJECTOR_LAG !== '0',
      }),
    );
  } finally {
    await db.close();
  }
}
