/**
 * The GraphQL API's live path and write path, with the real server in this process (yoga + graphql-ws, projector,
 * live feed) and the clients in a child process:
 *   1. mutation-to-subscriber latency p50/p99 with 1,000 graphql-ws subscribers while 200 createVmRequest/s run
 *      (each of 1,000 users watches vmRequestChanges, so sees their own requests; latency = mutation sent ->
 *      the requester's subscriber has the change);
 *   1b. the same with 10,000 subscribers (10,000 users in projects of 20) and 500 createVmRequest/s;
 *   2. one change fanned out to 10,000 subscribers (vmRequestUpdated of one request, 10 per socket on 1,000
 *      sockets): time from the approving mutation until the last subscriber has it, and server heap per idle
 *      subscriber;
 *   3. createVmRequest mutations/s over HTTP at 32 connections, side by side with bench/append's event-store
 *      append rate at 32 writers in the same run (half the mutations before the appends, half after).
 *
 *   npm run bench -- live          (or: npx tsx bench/live.ts [seconds]; BENCH_LIVE_PHASES=2,3 runs only those, 4 is 1b)
 */
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fork } from 'node:child_process';
import { createCommandHandlers } from '../src/commands/index.ts';
import type { Principal } from '../src/domain/index.ts';
import { mintToken } from '../src/http/auth.ts';
import { benchAppend } from './append.ts';
import type { ClientReply, ClientTask } from './live-clients.ts';
import { cpuMeter, cpuSecondsOf } from './support/cpu.ts';
import { startBenchService } from './support/service.ts';
import { runsAsProductionMain } from './support/production.ts';
import { benchDatabase, describeServer, percentile, type BenchDatabase } from './support/database.ts';

export interface LiveFigures {
  /** Projections that stalled during the run (each with its error): their work is missing from the figures. */
  stalled: string[];
  latency: LatencyFigures;
  /** The same at 10,000 subscribers (10,000 users) and 500 mutations/s. */
  latencyAtScale: LatencyFigures;
  fanout: { subscribers: number; firstMs: number; lastMs: number; received: number; heapBytesPerSubscriber: number };
  throughput: {
    mutationsPerSecond: number;
    /** The rates of the half before and the half after the appends. */
    mutationHalves: number[];
    failures: number;
    appendsPerSecond: number;
    plainInsertsPerSecond: number;
    /** CPU per mutation (warm-up included, so slightly high) in the server process, Postgres and the client process. */
    cpuPerMutationUs: { server: number; postgres: number; clients: number };
    /** CPU per event-store append in this process (projector included) and Postgres. */
    cpuPerAppendUs: { node: number; postgres: number };
  };
}

interface LatencyFigures {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  missing: number;
  failed: number;
  skipped: number;
  subscribers: number;
  rate: number;
}

const TENANT = 'bench';

/** A full GC, so heap figures compare live objects only. */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
})();

const heapUsed = (): number => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

/** The phases to run (all by default; BENCH_LIVE_PHASES=2,3 runs only those; 4 is 1b, latency at 10,000). */
const phases = new Set((process.env.BENCH_LIVE_PHASES ?? '1,4,2,3').split(',').map(Number));

export async function benchLive(db: BenchDatabase, seconds = 10): Promise<LiveFigures> {
  // The service's own pool, sized as `npm start` sizes it; the raw appends of phase 3 keep bench/append's pool.
  const { store, projector, server, secret, stop } = await startBenchService(db.url, 'dvmm-bench-server');
  const clients = fork(fileURLToPath(new URL('./live-clients.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = (task: ClientTask, onSubscribed?: () => void): Promise<ClientReply> =>
    new Promise((resolve, reject) => {
      const listener = (reply: ClientReply) => {
        if (reply.kind === 'error') {
          clients.off('message', listener);
          reject(new Error(reply.message));
        } else if (reply.kind === 'subscribed' && onSubscribed) onSubscribed();
        else if (reply.kind !== 'disposed') {
          clients.off('message', listener);
          resolve(reply);
        }
      };
      clients.on('message', listener);
      clients.send(task);
    });

  try {
    // A tenant with two admins and 1,000 users in 50 projects of 20 (createVmRequest folds its project's stream,
    // so one project of 1,000 members would measure that fold rather than the API).
    const commands = createCommandHandlers(store);
    const admin: Principal = { tenantId: TENANT, userId: 'admin', roles: ['admin'] };
    const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const projectIds: string[] = [];
    for (let p = 0; p < 50; p++) {
      const created = await commands.createProject(admin, { name: `Bench ${p}` });
      if (!created.ok) throw new Error(created.error.message);
      projectIds.push(created.value.id);
    }
    const projectOf = (user: number): string => projectIds[user % projectIds.length]!;
    for (let i = 0; i < users.length; i++) {
      const added = await commands.addProjectMember(admin, { projectId: projectOf(i), userId: users[i]!, role: 'MEMBER' });
      if (!added.ok) throw new Error(added.error.message);
    }
    const projectId = projectIds[0]!;
    const token = (sub: string, roles: ('user' | 'admin')[]) => mintToken({ sub, tenant: TENANT, roles }, { secret });
    const userTokens = await Promise.all(users.map((user) => token(user, ['user'])));
    const adminToken = await token('admin', ['admin']);
    const approverToken = await token('admin-2', ['admin']);
    const base = { url: server.url, wsUrl: server.wsUrl };

    // 1. Latency under load.
    const rate = Number(process.env.BENCH_LIVE_RATE ?? 200);
    const latencyReply: ClientReply = phases.has(1)
      ? await ask({ kind: 'latency', ...base, tokens: userTokens, projectIds, rate, seconds, warmupSeconds: 2 })
      : { kind: 'latency', latenciesMs: [], sent: 0, missing: 0, failed: 0, skipped: 0 };
    if (latencyReply.kind !== 'latency') throw new Error('unexpected reply');
    const latency = latencyFigures(latencyReply, users.length, rate);

    // 1b. The same at 10,000 subscribers: 9,000 more users, in projects of 20 as before.
    const scaleRate = Number(process.env.BENCH_LIVE_SCALE_RATE ?? 500);
    let latencyAtScale = latencyFigures({ kind: 'latency', latenciesMs: [], sent: 0, missing: 0, failed: 0, skipped: 0 }, 0, scaleRate);
    if (phases.has(4)) {
      const more = Array.from({ length: 9_000 }, (_, i) => `user-${users.length + i}`);
      const moreProjects: string[] = [];
      for (let p = 0; p < more.length / 20; p++) {
        const created = await commands.createProject(admin, { name: `Bench scale ${p}` });
        if (!created.ok) throw new Error(created.error.message);
        moreProjects.push(created.value.id);
      }
      // Each project's members one after another (they extend one stream), 30 projects at a time.
      const memberships = more.map((user, i) => ({ user, projectId: moreProjects[i % moreProjects.length]! }));
      const byProject = moreProjects.map((projectId) => memberships.filter((m) => m.projectId === projectId));
      for (let i = 0; i < byProject.length; i += 30) {
        await Promise.all(
          byProject.slice(i, i + 30).map(async (members) => {
            for (const { user, projectId } of members) {
              const added = await commands.addProjectMember(admin, { projectId, userId: user, role: 'MEMBER' });
              if (!added.ok) throw new Error(added.error.message);
            }
          }),
        );
      }
      await projector.caughtUp();
      const allTokens = [...userTokens, ...(await Promise.all(more.map((user) => token(user, ['user']))))];
      // The client takes user i's project as projectIds[i % length]: one entry per user.
      const userProjects = [...users.map((_, i) => projectOf(i)), ...memberships.map((m) => m.projectId)];
      const reply = await ask({ kind: 'latency', ...base, tokens: allTokens, projectIds: userProjects, rate: scaleRate, seconds, warmupSeconds: 2 });
      if (reply.kind !== 'latency') throw new Error('unexpected reply');
      latencyAtScale = latencyFigures(reply, allTokens.length, scaleRate);
    }

    // 2. Fan-out to 10,000 subscribers of one request.
    const target = await commands.createVmRequest(admin, { projectId, vmName: 'fanout-target', size: 'L', justification: 'Fan-out benchmark target' });
    if (!target.ok) throw new Error(target.error.message);
    await projector.caughtUp();
    const targetId = Buffer.from(`VmRequest:${target.value.id}`, 'utf8').toString('base64');
    const heapBefore = heapUsed();
    let heapSubscribed = 0;
    const fanoutReply: ClientReply = phases.has(2)
      ? await ask(
          { kind: 'fanout', ...base, subscriberToken: adminToken, approverToken, requestId: targetId, sockets: 1000, perSocket: 10 },
          () => {
            heapSubscribed = heapUsed();
            clients.send({ kind: 'go' });
          },
        )
      : { kind: 'fanout', mutationMs: Number.NaN, firstMs: Number.NaN, lastMs: Number.NaN, received: 0 };
    if (fanoutReply.kind !== 'fanout') throw new Error('unexpected reply');
    const subscribers = 10_000;

    // 3. Mutations over HTTP vs raw appends, same database, same run: half the mutations before the appends and half
    // after, as bench/append alternates its two cases, so drift on a shared machine hits both alike.
    const mutationCpu = { node: 0, postgres: 0, clients: 0 };
    const mutationHalf = async (): Promise<Extract<ClientReply, { kind: 'mutations' }>> => {
      const cpu = await cpuMeter(db.sql);
      const clientCpu0 = cpuSecondsOf(clients.pid!);
      const reply = await ask({ kind: 'mutations', url: server.url, tokens: userTokens.slice(0, 32), projectIds, connections: 32, seconds: seconds / 2 });
      if (reply.kind !== 'mutations') throw new Error('unexpected reply');
      const used = cpu();
      mutationCpu.node += used.node;
      mutationCpu.postgres += used.postgres;
      mutationCpu.clients += cpuSecondsOf(clients.pid!) - clientCpu0;
      return reply;
    };
    let mutationReply: Extract<ClientReply, { kind: 'mutations' }> = { kind: 'mutations', perSecond: Number.NaN, failures: 0, count: 0 };
    let append: Awaited<ReturnType<typeof benchAppend>>[number] | undefined;
    let mutationHalves = [Number.NaN, Number.NaN];
    if (phases.has(3)) {
      // Each part starts with the projector caught up, so none inherits the previous part's projection work.
      await projector.caughtUp();
      const before = await mutationHalf();
      await projector.caughtUp();
      [append] = await benchAppend(db, seconds, [32]);
      await projector.caughtUp();
      const after = await mutationHalf();
      mutationHalves = [before.perSecond, after.perSecond];
      mutationReply = {
        kind: 'mutations',
        perSecond: (before.perSecond + after.perSecond) / 2,
        failures: before.failures + after.failures,
        count: before.count + after.count,
      };
    }
    // A projection that stalled on some event would have left the rest of the run with less work than the service
    // does: say so next to the figures.
    const stalled = await db.sql<{ name: string; error: string | null }[]>`
      select name, error from projection_checkpoints where stalled_at is not null`;

    return {
      stalled: stalled.map((p) => `${p.name} (${p.error ?? 'no error recorded'})`),
      latency,
      latencyAtScale,
      fanout: {
        subscribers,
        firstMs: fanoutReply.firstMs,
        lastMs: fanoutReply.lastMs,
        received: fanoutReply.received,
        heapBytesPerSubscriber: (heapSubscribed - heapBefore) / subscribers,
      },
      throughput: {
        mutationsPerSecond: mutationReply.perSecond,
        mutationHalves,
        failures: mutationReply.failures,
        appendsPerSecond: append?.store ?? Number.NaN,
        plainInsertsPerSecond: append?.plain ?? Number.NaN,
        cpuPerMutationUs: {
          server: (mutationCpu.node * 1e6) / Math.max(1, mutationReply.count),
          postgres: (mutationCpu.postgres * 1e6) / Math.max(1, mutationReply.count),
          clients: (mutationCpu.clients * 1e6) / Math.max(1, mutationReply.count),
        },
        cpuPerAppendUs: append?.storeCpuUs ?? { node: Number.NaN, postgres: Number.NaN },
      },
    };
  } finally {
    clients.kill();
    await stop();
  }
}

function latencyFigures(reply: Extract<ClientReply, { kind: 'latency' }>, subscribers: number, rate: number): LatencyFigures {
  const sorted = [...reply.latenciesMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    samples: sorted.length,
    missing: reply.missing,
    failed: reply.failed,
    skipped: reply.skipped,
    subscribers,
    rate,
  };
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

const describeLatency = (latency: LatencyFigures): string =>
  `${latency.subscribers} graphql-ws subscribers, ${latency.rate} createVmRequest/s: ` +
  `p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms ` +
  `(${latency.samples} delivered, ${latency.missing} not delivered, ${latency.failed} failed, ${latency.skipped} not sent: server behind)`;

export function printLive(f: LiveFigures): void {
  const { latency, fanout, throughput } = f;
  if (f.stalled.length > 0) console.log(`WARNING: projections stalled during the run, figures not comparable: ${f.stalled.join('; ')}`);
  if (phases.has(1)) console.log(`1. latency, ${describeLatency(latency)}  target p99 <= 50 ms: ${verdict(latency.p99 <= 50 && latency.skipped === 0)}`);
  const scale = f.latencyAtScale;
  if (phases.has(4)) {
    console.log(
      `1b. latency, ${describeLatency(scale)}  target p50 <= 10 ms, p99 <= 50 ms: ` +
        `${verdict(scale.p50 <= 10 && scale.p99 <= 50 && scale.skipped === 0 && scale.missing === 0)}`,
    );
  }
  if (phases.has(2)) console.log(
    `2. fan-out of one change to ${fanout.subscribers} subscribers: first after ${fanout.firstMs.toFixed(0)} ms, ` +
      `last after ${fanout.lastMs.toFixed(0)} ms (${fanout.received} received)  target <= 300 ms: ${verdict(fanout.lastMs <= 300 && fanout.received === fanout.subscribers)}`,
  );
  if (phases.has(2)) console.log(
    `   server heap per idle subscriber: ${(fanout.heapBytesPerSubscriber / 1024).toFixed(1)} KiB  ` +
      `target <= 20 KiB: ${verdict(fanout.heapBytesPerSubscriber <= 20 * 1024)}`,
  );
  const ratio = throughput.mutationsPerSecond / throughput.appendsPerSecond;
  if (phases.has(3)) console.log(
    `3. createVmRequest over HTTP, 32 connections: ${throughput.mutationsPerSecond.toFixed(0)}/s ` +
      `(${throughput.mutationHalves.map((r) => r.toFixed(0)).join(' before, ')} after the appends; ${throughput.failures} failed); ` +
      `event store appends at 32 writers: ${throughput.appendsPerSecond.toFixed(0)}/s (plain INSERT ${throughput.plainInsertsPerSecond.toFixed(0)}/s); ` +
      `ratio ${(ratio * 100).toFixed(1)}%  target >= 70%: ${verdict(ratio >= 0.7)}`,
  );
  const c = throughput.cpuPerMutationUs;
  if (phases.has(3)) {
    console.log(`   CPU per mutation: server ${c.server.toFixed(0)} us, Postgres ${c.postgres.toFixed(0)} us, HTTP clients ${c.clients.toFixed(0)} us`);
    const a = throughput.cpuPerAppendUs;
    console.log(`   CPU per append: Node ${a.node.toFixed(0)} us, Postgres ${a.postgres.toFixed(0)} us`);
  }
}

// Run as the Dockerfile runs the server (see runsAsProductionMain).
if (runsAsProductionMain(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 10);
  const db = await benchDatabase();
  console.log(`bench/live: ${describeServer(db.url)}, ${seconds} s per timed phase`);
  try {
    printLive(await benchLive(db, seconds));
  } finally {
    await db.close();
  }
}
